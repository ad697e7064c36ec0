"""Admin wiring: the handling desk, its menu, a dashboard panel, and snippets for the knowledge
base, consultations, surveys, interviews and the general office's settings."""

from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views, permissions
from .models import (
    FAQ,
    OPEN_STATES,
    Consultation,
    DeadlineRule,
    ErrorReport,
    Interview,
    Message,
    Outbox,
    ReplyTemplate,
    SensitiveWord,
    Survey,
    WorkCalendarDay,
)


@hooks.register("register_admin_urls")
def register_desk_urls():
    return [
        path("hudong/", admin_views.desk_index, name="interaction_desk"),
        path("hudong/liuyan/<int:pk>/", admin_views.desk_message,
             name="interaction_desk_message"),
        path("hudong/tongji/", admin_views.desk_stats, name="interaction_desk_stats"),
        path("hudong/jiucuo/", admin_views.desk_errors, name="interaction_desk_errors"),
        path("hudong/fangtan/", admin_views.desk_interviews, name="interaction_desk_interviews"),
        path("hudong/fangtan/<int:pk>/", admin_views.desk_interview,
             name="interaction_desk_interview"),
        path("hudong/zhengji/", admin_views.desk_consultations,
             name="interaction_desk_consultations"),
        path("hudong/zhengji/<int:pk>/", admin_views.desk_consultation,
             name="interaction_desk_consultation"),
    ]


class OfficialMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.is_official(request.user)


@hooks.register("register_admin_menu_item")
def register_desk_menu_item():
    return OfficialMenuItem(_("留言办理"), reverse("interaction_desk"), icon_name="mail",
                            order=250)


class DeskPanel(Component):
    """Dashboard: what is waiting and overdue in the official's units (in-admin notification)."""

    name = "interaction_desk"
    order = 60

    def __init__(self, request):
        self.request = request

    def render_html(self, parent_context=None):
        from django.utils import timezone

        from .workdays import local_date

        user = self.request.user
        if not permissions.is_official(user):
            return ""
        today = local_date(timezone.now())
        messages = permissions.visible_messages(user, Message.objects.filter(state__in=OPEN_STATES))
        units = permissions.units_of(user)
        errors = ErrorReport.objects.filter(site__in=units, state=ErrorReport.State.OPEN)
        return format_html(
            '<section class="panel"><h2>{}</h2><p><a href="{}">{}</a>　<a href="{}?overdue=1">{}</a>'
            '　<a href="{}">{}</a></p></section>',
            _("互动交流待办"), reverse("interaction_desk"),
            _("待办留言 %(n)s 件") % {"n": messages.count()}, reverse("interaction_desk"),
            _("超期 %(n)s 件") % {"n": messages.filter(deadline__lt=today).count()},
            reverse("interaction_desk_errors"),
            _("待处理纠错 %(n)s 件") % {"n": errors.count()},
        )


@hooks.register("construct_homepage_panels")
def add_desk_panel(request, panels):
    panels.append(DeskPanel(request))


class FAQViewSet(SnippetViewSet):
    model = FAQ
    icon = "help"
    menu_label = _("智能问答知识库")
    list_display = ["question", "unit", "live"]
    list_filter = ["unit", "live"]
    search_fields = ["question", "answer"]


class ConsultationViewSet(SnippetViewSet):
    model = Consultation
    icon = "doc-full"
    list_display = ["title", "site", "opens_at", "closes_at"]


class SurveyViewSet(SnippetViewSet):
    model = Survey
    icon = "list-ul"
    list_display = ["title", "site", "opens_at", "closes_at"]


class InterviewViewSet(SnippetViewSet):
    model = Interview
    icon = "user"
    list_display = ["title", "site", "starts_at"]


class ReplyTemplateViewSet(SnippetViewSet):
    model = ReplyTemplate
    icon = "doc-empty"
    list_display = ["title", "unit"]


class SensitiveWordViewSet(SnippetViewSet):
    model = SensitiveWord
    icon = "warning"


class WorkCalendarViewSet(SnippetViewSet):
    model = WorkCalendarDay
    icon = "date"
    list_display = ["date", "is_workday", "note"]


class DeadlineRuleViewSet(SnippetViewSet):
    model = DeadlineRule
    icon = "time"
    list_display = ["kind", "reply_days", "extension_days", "remind_days"]


class OutboxViewSet(SnippetViewSet):
    model = Outbox
    icon = "mail"
    list_display = ["created_at", "channel", "recipient", "subject", "sent_at"]
    inspect_view_enabled = True


class InteractionGroup(SnippetViewSetGroup):
    menu_label = _("互动交流")
    menu_icon = "mail"
    menu_order = 260
    items = (FAQViewSet, ConsultationViewSet, SurveyViewSet, InterviewViewSet,
             ReplyTemplateViewSet, SensitiveWordViewSet, WorkCalendarViewSet,
             DeadlineRuleViewSet, OutboxViewSet)


register_snippet(InteractionGroup)
