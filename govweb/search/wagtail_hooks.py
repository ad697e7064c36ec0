"""Admin wiring: the general office manages best bets, synonyms and hot words, and sees what
people search for and what finds nothing (搜索统计)."""

from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import queries
from .models import BestBet, HotKeyword, SynonymGroup


class BestBetViewSet(SnippetViewSet):
    model = BestBet
    icon = "pick"
    menu_label = _("推荐结果")
    list_display = ["query", "title", "kind", "site_key", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["query", "title"]


class SynonymGroupViewSet(SnippetViewSet):
    model = SynonymGroup
    icon = "list-ul"
    menu_label = _("同义词")
    list_display = ["terms", "two_way", "active"]
    list_filter = ["active"]


class HotKeywordViewSet(SnippetViewSet):
    model = HotKeyword
    icon = "pick"
    menu_label = _("热门搜索词")
    list_display = ["keyword", "site_key", "sort_order", "active"]


class SearchSettingsGroup(SnippetViewSetGroup):
    items = (BestBetViewSet, SynonymGroupViewSet, HotKeywordViewSet)
    menu_icon = "search"
    menu_label = _("站群搜索")
    menu_name = "govweb-search"


register_snippet(SearchSettingsGroup)


class SearchReportView(WagtailAdminTemplateMixin, TemplateView):
    """搜索统计: top queries and queries that found nothing, for the general office."""

    template_name = "search/admin/report.html"
    page_title = _("搜索统计")
    header_icon = "search"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            days = max(1, min(int(self.request.GET.get("days", 30)), 400))
        except ValueError:
            days = 30
        context["report"] = queries.search_report(days=days)
        return context


@hooks.register("register_admin_urls")
def register_search_report_url():
    return [path("search-report/", SearchReportView.as_view(), name="govweb_search_report")]


class SuperuserMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_reports_menu_item")
def register_search_report_menu_item():
    return SuperuserMenuItem(_("搜索统计"), reverse("govweb_search_report"), icon_name="search",
                             order=900)
