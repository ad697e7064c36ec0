"""Admin wiring: page buttons, the 推送与转载 menu, the dashboard panel and the feed viewset."""

from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from laces.components import Component
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button
from wagtail.models import ModelLogEntry

from govweb.cluster.models import SiteProfile
from govweb.library.models import ColumnPage, SiteHomePage

from . import queries, views
from .models import PushRecord, ReprintDirective, ReprintTask, UpstreamFeed

admin_urlpatterns = [
    path("", views.index, name="index"),
    path("push/<int:page_id>/", views.push, name="push"),
    path("pushes/", views.push_records, name="pushes"),
    path("pushes/<int:record_id>/withdraw/", views.withdraw_push, name="withdraw"),
    path("directives/new/<int:page_id>/", views.issue_directive, name="issue"),
    path("directives/<int:directive_id>/", views.directive_detail, name="directive"),
    path("tasks/<int:task_id>/", views.task_detail, name="task"),
    path("feeds/<int:feed_id>/fetch/", views.fetch_feed_now, name="fetch_feed"),
]


@hooks.register("register_admin_urls")
def register_reprint_urls():
    return [path("reprint/", include((admin_urlpatterns, "reprint"), namespace="reprint"))]


# --- page actions --------------------------------------------------------------------------

def _per_request(user, name, compute):
    """Memoise on the request's user object: listing hooks run once per row."""
    attr = f"_reprint_{name}"
    if not hasattr(user, attr):
        setattr(user, attr, compute())
    return getattr(user, attr)


def _page_buttons(page, user):
    # Cheap tests first: these hooks run for every row of every page listing.
    if page.depth < 4 or not page.live or page.specific_class in (ColumnPage, SiteHomePage):
        return
    roots = _per_request(user, "roots", lambda: [
        (p.site.root_page.path, p) for p in SiteProfile.objects.select_related("site__root_page")
    ])
    site = next((p for path, p in roots if page.path.startswith(path)), None)
    if site is None:
        return
    editor_of = _per_request(user, "editor_of", lambda: set(
        queries.editor_sites(user).values_list("pk", flat=True)))
    can_push = user.is_superuser or site.pk in editor_of
    can_issue = user.is_superuser or (site.category == "portal" and site.pk in editor_of)
    if not (can_push or can_issue) or not queries.is_item_page(page):
        return
    if can_push:
        yield Button(_("推送到其他网站"), reverse("reprint:push", args=[page.pk]),
                     icon_name="redirect", priority=35)
    if can_issue:
        yield Button(_("下发转载指令"), reverse("reprint:issue", args=[page.pk]),
                     icon_name="resubmit", priority=36)


@hooks.register("register_page_listing_more_buttons")
def reprint_listing_buttons(page, user, next_url=None):
    yield from _page_buttons(page, user)


@hooks.register("register_page_header_buttons")
def reprint_header_buttons(page, user, view_name, next_url=None):
    yield from _page_buttons(page, user)


# --- menu ----------------------------------------------------------------------------------

class SuperuserMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_admin_menu_item")
def register_reprint_menu():
    menu = Menu(items=[
        MenuItem(_("转载任务"), reverse("reprint:index"), name="reprint-tasks",
                 icon_name="resubmit", order=100),
        MenuItem(_("推送记录"), reverse("reprint:pushes"), name="reprint-pushes",
                 icon_name="redirect", order=200),
        SuperuserMenuItem(_("上级网站信息源"), reverse("reprint_feeds:index"),
                          name="reprint-feeds", icon_name="link-external", order=300),
    ])
    return SubmenuMenuItem(_("推送与转载"), menu, name="reprint", icon_name="resubmit", order=250)


# --- dashboard: the in-admin notice of pending and late tasks ------------------------------

class ReprintTasksPanel(Component):
    name = "reprint_tasks"
    template_name = "reprint/admin/dashboard_panel.html"
    order = 50  # above Wagtail's own panels: a missed deadline is the most urgent thing

    def __init__(self, states, is_admin):
        self.states, self.is_admin = states, is_admin

    def get_context_data(self, parent_context):
        return {"states": self.states, "is_admin": self.is_admin}


@hooks.register("construct_homepage_panels")
def add_reprint_panel(request, panels):
    now = timezone.now()
    user = request.user
    if user.is_superuser:
        tasks = ReprintTask.objects.filter(status="pending").select_related("directive", "site")
    else:
        tasks = queries.tasks_for(user).filter(status="pending")
    states = [queries.task_state(t, now) for t in tasks.order_by("directive__deadline")[:20]]
    if states:
        panels.append(ReprintTasksPanel(states, user.is_superuser))


# --- upstream feeds (general office only: editors hold no model permissions) ---------------

class UpstreamFeedViewSet(ModelViewSet):
    model = UpstreamFeed
    icon = "link-external"
    menu_label = _("上级网站信息源")
    add_to_admin_menu = False
    name = "reprint_feeds"
    url_prefix = "reprint/feeds"
    list_display = ["name", "format", "url", "deadline_hours", "active", "last_fetched_at",
                    "last_status"]
    form_fields = ["name", "url", "format", "target_sites", "deadline_hours", "active",
                   "issue_for_existing"]


@hooks.register("register_admin_viewset")
def register_feed_viewset():
    return UpstreamFeedViewSet()


# --- audit log -----------------------------------------------------------------------------

@hooks.register("register_log_actions")
def register_reprint_log_actions(actions):
    for model in (PushRecord, ReprintDirective, ReprintTask):
        actions.register_model(model, ModelLogEntry)
    actions.register_action("reprint.push", _("推送"), _("推送到其他网站"))
    actions.register_action("reprint.withdraw", _("撤回推送"), _("撤回推送"))
    actions.register_action("reprint.issue", _("下发转载指令"), _("下发转载指令"))
    actions.register_action("reprint.reprint", _("转载"), _("完成转载"))
