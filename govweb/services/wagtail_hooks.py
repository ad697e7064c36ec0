"""Admin wiring of the services app: guides (snippets with drafts), topics, follow-ups, reports."""

from django import forms
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.admin.views.generic import EditView as ModelEditView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views
from .forms import ServiceItemForm
from .models import FollowUpStatus, RatingFollowUp, ServiceItem, ServiceTopic
from .permissions import UnitPermissionPolicy, filter_for_user


class FollowUpPermissionPolicy(UnitPermissionPolicy):
    """Follow-ups are opened by bad ratings only: nobody adds or deletes them by hand."""

    def user_has_permission(self, user, action):
        if action in {"add", "delete"}:
            return False
        return super().user_has_permission(user, action)


register_permission_policy(ServiceItem, UnitPermissionPolicy(ServiceItem))
register_permission_policy(RatingFollowUp, FollowUpPermissionPolicy(RatingFollowUp))


class _UnitScopedViewSetMixin:
    """Lists only the user's units' rows; every per-object URL refuses another unit's."""

    def get_queryset(self, request):
        return filter_for_user(self.model._default_manager.all(), request.user)

    def get_urlpatterns(self):
        patterns = super().get_urlpatterns()
        for pattern in patterns:
            if "pk" in str(pattern.pattern):
                pattern.callback = admin_views.unit_guard(pattern.callback, self.model)
        return patterns


class ServiceItemViewSet(_UnitScopedViewSetMixin, SnippetViewSet):
    model = ServiceItem
    icon = "doc-full"
    menu_label = _("办事指南")
    menu_order = 100
    add_view_class = admin_views.ServiceItemCreateView
    edit_view_class = admin_views.ServiceItemEditView
    list_display = ["name", "code", "department", "missing_count", "last_verified", "updated_at"]
    list_filter = ["department", "kind", "audience", "live", "online_depth"]
    search_fields = ["name", "code"]
    copy_view_enabled = False
    edit_handler = TabbedInterface([
        ObjectList([
            FieldPanel("code"), FieldPanel("name"),
            FieldRowPanel([FieldPanel("kind"), FieldPanel("audience")]),
            FieldPanel("department"), FieldPanel("agency"),
            FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
        ], heading=_("基本信息")),
        ObjectList([FieldPanel("legal_basis"), FieldPanel("conditions")], heading=_("依据与条件")),
        ObjectList([InlinePanel("materials", label=_("申请材料"))], heading=_("申请材料")),
        ObjectList([
            InlinePanel("steps", label=_("办理环节")),
            FieldRowPanel([FieldPanel("statutory_limit_days"), FieldPanel("promised_limit_days")]),
            FieldPanel("fee_standard"), FieldPanel("fee_basis"),
        ], heading=_("流程、时限与收费")),
        ObjectList([
            FieldPanel("place"), FieldPanel("hours"),
            FieldRowPanel([FieldPanel("phone"), FieldPanel("complaint_phone")]),
            FieldPanel("visits_required"),
            MultiFieldPanel([FieldPanel("online_url"), FieldPanel("online_depth")],
                            heading=_("在线办理")),
        ], heading=_("地点与联系方式")),
        ObjectList([
            InlinePanel("questions", label=_("常见问题")), FieldPanel("notes"),
            FieldRowPanel([FieldPanel("version"), FieldPanel("last_verified")]),
        ], heading=_("问答与其他")),
    ], base_form_class=ServiceItemForm)


class ServiceTopicViewSet(SnippetViewSet):
    model = ServiceTopic
    icon = "tag"
    menu_label = _("生命周期与主题")
    menu_order = 200
    list_display = ["name", "kind", "slug", "position"]
    list_filter = ["kind"]


class FollowUpEditView(ModelEditView):
    def save_instance(self):
        instance = self.form.save(commit=False)
        if instance.status == FollowUpStatus.DONE and instance.handled_at is None:
            instance.handled_by = self.request.user
            instance.handled_at = timezone.now()
        instance.save()
        return instance


class RatingFollowUpViewSet(_UnitScopedViewSetMixin, ModelViewSet):
    model = RatingFollowUp
    icon = "warning"
    menu_label = _("差评整改")
    menu_order = 300
    add_to_admin_menu = False
    edit_view_class = FollowUpEditView
    form_fields = ["status", "response"]
    list_display = ["rating", "department", "due_date", "status"]
    list_filter = ["status", "department"]
    inspect_view_enabled = True


class ServicesGroup(SnippetViewSetGroup):
    items = (ServiceItemViewSet, ServiceTopicViewSet)
    menu_icon = "list-ul"
    menu_label = _("办事服务")
    menu_name = "services"
    menu_order = 250


register_snippet(ServicesGroup)
follow_up_viewset = RatingFollowUpViewSet("services_follow_ups")


@hooks.register("register_admin_viewset")
def register_follow_up_viewset():
    return follow_up_viewset


@hooks.register("register_admin_urls")
def register_report_urls():
    return [
        path("services/completeness/", admin_views.completeness_report, name="services_completeness"),
        path("services/statistics/", admin_views.statistics, name="services_statistics"),
        path("services/imports/", admin_views.import_runs, name="services_imports"),
    ]


class _PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        if self.permission == "superuser":
            return request.user.is_superuser
        return request.user.has_perm(self.permission)


@hooks.register("register_reports_menu_item")
def completeness_menu_item():
    return _PermissionMenuItem(_("办事指南完整性"), reverse("services_completeness"),
                               name="services-completeness", icon_name="warning", order=900,
                               permission="services.view_serviceitem")


@hooks.register("register_reports_menu_item")
def statistics_menu_item():
    return _PermissionMenuItem(_("办事服务统计"), reverse("services_statistics"),
                               name="services-statistics", icon_name="table", order=901,
                               permission="services.view_serviceitem")


@hooks.register("register_reports_menu_item")
def imports_menu_item():
    return _PermissionMenuItem(_("办事目录交换记录"), reverse("services_imports"),
                               name="services-imports", icon_name="download", order=902,
                               permission="superuser")


@hooks.register("register_admin_menu_item")
def follow_up_menu_item():
    return _PermissionMenuItem(_("差评整改"), reverse("services_follow_ups:index"),
                               name="services-follow-ups", icon_name="warning", order=260,
                               permission="services.change_ratingfollowup")


@hooks.register("register_log_actions")
def register_services_log_actions(actions):
    actions.register_action("services.follow_up.close", _("差评整改办结"), _("差评整改已办结"))
