"""Admin wiring of the analytics app, and the page id the access log records."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from . import views
from .actions import RETENTION_LOG_ACTION


@hooks.register("before_serve_page")
def remember_page_for_access_log(page, request, args, kwargs):
    # The access log middleware reads this after the response: which page was served.
    request._analytics_page_id = page.pk


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("analytics/", views.dashboard, name="analytics_dashboard"),
        path("analytics/columns/", views.columns, name="analytics_columns"),
        path("analytics/evaluation/", views.evaluation, name="analytics_evaluation"),
        path("analytics/evaluation/<int:site_id>/", views.evaluation_detail,
             name="analytics_evaluation_detail"),
        path("analytics/ingestion/", views.ingestion, name="analytics_ingestion"),
    ]


class SiteManagerMenuItem(MenuItem):
    """Shown to cluster administrators and to anyone in a site's editor/reviewer group."""

    def is_shown(self, request):
        return views.visible_sites(request.user).exists()


class SuperuserMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


analytics_menu = Menu(items=[
    SiteManagerMenuItem(_("访问统计"), "/admin/analytics/", name="analytics-dashboard",
                        icon_name="view", order=100),
    SiteManagerMenuItem(_("栏目统计"), "/admin/analytics/columns/", name="analytics-columns",
                        icon_name="list-ul", order=200),
    SiteManagerMenuItem(_("网站评估"), "/admin/analytics/evaluation/", name="analytics-evaluation",
                        icon_name="pick", order=300),
    SuperuserMenuItem(_("日志入库"), "/admin/analytics/ingestion/", name="analytics-ingestion",
                      icon_name="download", order=400),
])


@hooks.register("register_admin_menu_item")
def register_analytics_menu():
    return SubmenuMenuItem(_("统计分析"), analytics_menu, name="analytics", icon_name="table",
                           order=900)


@hooks.register("register_log_actions")
def register_retention_action(actions):
    actions.register_action(RETENTION_LOG_ACTION, _("日志保存期限处理"), _("已按保存期限归档/删除日志"))


def dashboard_url():
    return reverse("analytics_dashboard")
