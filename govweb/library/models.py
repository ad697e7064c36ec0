"""The unified information library (政务信息资源库): page types every site publishes with."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from govweb.base.blocks import BodyBlock


class ColumnKind(models.TextChoices):
    """栏目类型, each with the update window the national inspection applies (NATIONAL.md)."""

    NEWS = "news", _("动态要闻")
    NOTICE = "notice", _("通知公告")
    POLICY = "policy", _("政策文件")
    DISCLOSURE = "disclosure", _("信息公开")
    SERVICE = "service", _("办事服务")
    INTERACTION = "interaction", _("互动交流")
    TOPIC = "topic", _("专题专栏")
    LINK = "link", _("链接")


# Days after which a column of a kind counts as "not updated" (news 2 weeks, notices and
# policies 6 months, basic information 1 year).
UPDATE_EXPECTATION_DAYS = {
    ColumnKind.NEWS: 14,
    ColumnKind.NOTICE: 183,
    ColumnKind.POLICY: 183,
    ColumnKind.DISCLOSURE: 365,
    ColumnKind.SERVICE: 365,
    ColumnKind.INTERACTION: 365,
    ColumnKind.TOPIC: 183,
    ColumnKind.LINK: 0,
}


class SiteHomePage(Page):
    """网站首页: the root of one site's tree; lists the latest items of its columns."""

    intro = models.CharField(_("首页简介"), max_length=300, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["library.ColumnPage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("网站首页")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        columns = list(self.get_children().live().public().type(ColumnPage).specific())
        blocks = []
        for column in columns:
            if column.show_on_home:
                items = column.latest_items(limit=6)
                if items:
                    blocks.append((column, items))
        context["column_blocks"] = blocks
        context["columns"] = columns
        site = getattr(request, "_wagtail_site", None)
        if site is not None and site.root_page_id == self.pk:
            from govweb.cluster.queries import sites_listed_on_home

            context["cluster_sites"] = sites_listed_on_home(site)
        return context


class ColumnPage(Page):
    """栏目: a listing of items of one kind, with the update expectation monitoring applies."""

    kind = models.CharField(_("栏目类型"), max_length=20, choices=ColumnKind.choices,
                            default=ColumnKind.NEWS)
    description = models.CharField(_("栏目描述"), max_length=300, blank=True)
    keywords = models.CharField(_("栏目关键词"), max_length=200, blank=True,
                                help_text=_("多个关键词用逗号分隔"))
    show_on_home = models.BooleanField(_("在首页显示"), default=True)
    update_expectation_days = models.PositiveIntegerField(
        _("更新周期（天）"), null=True, blank=True,
        help_text=_("留空则按栏目类型：动态14天，通知与政策183天，基础信息365天"),
    )

    content_panels = Page.content_panels + [
        FieldPanel("kind"), FieldPanel("description"), FieldPanel("keywords"),
        FieldPanel("show_on_home"), FieldPanel("update_expectation_days"),
    ]
    parent_page_types = ["library.SiteHomePage", "library.ColumnPage"]
    subpage_types = ["library.ArticlePage", "library.ColumnPage"]
    items_per_page = 20

    class Meta:
        verbose_name = _("栏目")

    @property
    def expected_update_days(self):
        return self.update_expectation_days or UPDATE_EXPECTATION_DAYS[self.kind]

    def items(self):
        return (
            Page.objects.child_of(self).live().public()
            .exclude(content_type=self.content_type)
            .specific()
        )

    def latest_items(self, limit=6):
        return list(ArticlePage.objects.child_of(self).live().public().order_by("-pub_date")[:limit])

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        items = ArticlePage.objects.child_of(self).live().public().order_by("-pub_date", "-pk")
        paginator = Paginator(items, self.items_per_page)
        try:
            page = paginator.page(request.GET.get("page", 1))
        except PageNotAnInteger:
            page = paginator.page(1)
        except EmptyPage:
            page = paginator.page(paginator.num_pages)
        context["items_page"] = page
        return context


class ArticlePage(Page):
    """政务动态/通知公告: a news item or notice with its source, author and publication time."""

    subtitle = models.CharField(_("副标题"), max_length=200, blank=True)
    pub_date = models.DateTimeField(_("发布时间"), default=timezone.now, db_index=True)
    source = models.CharField(_("信息来源"), max_length=100, blank=True)
    author = models.CharField(_("作者"), max_length=100, blank=True)
    summary = models.TextField(_("内容概述"), max_length=500, blank=True)
    keywords = models.CharField(_("关键词"), max_length=200, blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("正文"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("subtitle"),
        MultiFieldPanel(
            [FieldPanel("pub_date"), FieldPanel("source"), FieldPanel("author"),
             FieldPanel("keywords")],
            heading=_("发布信息"),
        ),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("pub_date"),
    ]
    parent_page_types = ["library.ColumnPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("文章")
