"""Admin wiring: the 监管考核 menu, the alerts panel, viewsets for the registers, log actions."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from laces.components import Component
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.models import ModelLogEntry

from . import admin_views as views
from .models import (
    Alert,
    AnnualReport,
    CounterfeitSite,
    ForbiddenExpression,
    SpotCheck,
    SpotCheckIndicator,
    SpotCheckResult,
)

admin_urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("sites/<int:pk>/", views.site_report, name="site"),
    path("run/", views.run_now, name="run"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/read/", views.alerts_read, name="alerts_read"),
    path("spot/", views.spot_checks, name="spot_checks"),
    path("spot/<int:pk>/", views.spot_check, name="spot"),
    path("spot/<int:pk>/sign/", views.sign_spot_check, name="spot_sign"),
    path("spot/<int:pk>/publish/", views.publish_spot_check, name="spot_publish"),
    path("spot/result/<int:pk>/score/", views.score, name="score"),
    path("appraisal/", views.appraisal, name="appraisal"),
    path("appraisal/<int:year>/", views.appraisal, name="appraisal_year"),
    path("annual/", views.annual_reports, name="annual"),
    path("annual/<int:pk>/", views.annual_report, name="annual_report"),
    path("annual/<int:pk>/<str:fmt>/", views.annual_report_file, name="annual_report_file"),
    path("yearly/<int:year>/", views.yearly_report, name="yearly"),
]


@hooks.register("register_admin_urls")
def register_supervision_urls():
    return [path("supervision/", include((admin_urlpatterns, "supervision_admin"), namespace="supervision_admin"))]


class SuperuserMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_admin_menu_item")
def register_supervision_menu():
    menu = Menu(items=[
        MenuItem(_("读网监测"), reverse("supervision_admin:dashboard"), name="supervision-dashboard",
                 icon_name="warning", order=100),
        MenuItem(_("监管提醒"), reverse("supervision_admin:alerts"), name="supervision-alerts",
                 icon_name="mail", order=150),
        MenuItem(_("网站年度报表"), reverse("supervision_admin:annual"), name="supervision-annual",
                 icon_name="table", order=200),
        SuperuserMenuItem(_("季度抽查"), reverse("supervision_admin:spot_checks"), name="supervision-spot",
                          icon_name="tasks", order=300),
        SuperuserMenuItem(_("年度考核"), reverse("supervision_admin:appraisal"), name="supervision-appraisal",
                          icon_name="list-ol", order=400),
        SuperuserMenuItem(_("考核指标"), reverse("supervision_indicators:index"), name="supervision-indicators",
                          icon_name="form", order=500),
        SuperuserMenuItem(_("错敏词"), reverse("supervision_expressions:index"), name="supervision-expressions",
                          icon_name="bold", order=600),
        SuperuserMenuItem(_("仿冒网站登记"), reverse("supervision_counterfeit:index"), name="supervision-counterfeit",
                          icon_name="warning", order=700),
    ])
    return SubmenuMenuItem(_("监管考核"), menu, name="supervision", icon_name="warning", order=260)


class AlertsPanel(Component):
    name = "supervision_alerts"
    template_name = "supervision/admin/dashboard_panel.html"
    order = 40

    def __init__(self, alerts, unread):
        self.alerts, self.unread = alerts, unread

    def get_context_data(self, parent_context):
        return {"alerts": self.alerts, "unread": self.unread}


@hooks.register("construct_homepage_panels")
def add_alerts_panel(request, panels):
    unread = Alert.objects.filter(user=request.user, read_at__isnull=True)
    alerts = list(unread[:5])
    if alerts:
        panels.append(AlertsPanel(alerts, unread.count()))


class IndicatorViewSet(ModelViewSet):
    model = SpotCheckIndicator
    icon = "form"
    add_to_admin_menu = False
    name = "supervision_indicators"
    url_prefix = "supervision/indicators"
    list_display = ["name", "points", "is_veto", "rules", "order", "active"]
    form_fields = ["code", "name", "description", "points", "is_veto", "rules", "order", "active"]


class ExpressionViewSet(ModelViewSet):
    model = ForbiddenExpression
    icon = "bold"
    add_to_admin_menu = False
    name = "supervision_expressions"
    url_prefix = "supervision/expressions"
    list_display = ["text", "kind", "suggestion", "severity", "active"]
    list_filter = ["kind", "active"]
    form_fields = ["text", "kind", "suggestion", "severity", "active"]


class CounterfeitViewSet(ModelViewSet):
    model = CounterfeitSite
    icon = "warning"
    add_to_admin_menu = False
    name = "supervision_counterfeit"
    url_prefix = "supervision/counterfeit"
    list_display = ["url", "imitated_site", "source", "status", "received_at", "closed_at"]
    list_filter = ["status", "source"]
    form_fields = ["url", "imitated_site", "description", "reporter_name", "reporter_contact", "source",
                   "status", "handling", "received_at", "closed_at"]


@hooks.register("register_admin_viewset")
def register_indicator_viewset():
    return IndicatorViewSet()


@hooks.register("register_admin_viewset")
def register_expression_viewset():
    return ExpressionViewSet()


@hooks.register("register_admin_viewset")
def register_counterfeit_viewset():
    return CounterfeitViewSet()


@hooks.register("register_log_actions")
def register_supervision_log_actions(actions):
    for model in (SpotCheck, SpotCheckResult, AnnualReport, CounterfeitSite):
        actions.register_model(model, ModelLogEntry)
    actions.register_action("supervision.draw", _("抽取抽查样本"), _("抽取季度抽查样本"))
    actions.register_action("supervision.score", _("评分"), _("抽查评分"))
    actions.register_action("supervision.sign", _("签发"), _("签发"))
    actions.register_action("supervision.publish", _("公开"), _("公开发布"))
