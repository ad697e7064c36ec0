"""Government information disclosure (政府信息公开): the cluster-wide taxonomies, index numbers and
the standard disclosure pages every site carries (R3.2).

The taxonomies — topic classification (主题分类), genre (体裁分类) and audience (服务对象) — are
shared by every site and managed by the general office only: site editor groups hold no
permission on these models, so they can choose from them but never add their own.
"""

from functools import cached_property

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page

from govweb.base.blocks import BodyBlock
from govweb.base.i18n import KeepLanguageUrlMixin


class TopicManager(models.Manager):
    def get_queryset(self):
        # Every label shows the parent ("综合政务\\政务公开"): fetch it in the same query.
        return super().get_queryset().select_related("parent")


class TopicCategory(models.Model):
    """主题分类: two levels, e.g. 综合政务\\政务公开; codes are stable (imports refer to them)."""

    code = models.CharField(_("分类代码"), max_length=8, unique=True)
    name = models.CharField(_("分类名称"), max_length=60)
    parent = models.ForeignKey("self", verbose_name=_("上级分类"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")

    objects = TopicManager()

    panels = [FieldPanel("code"), FieldPanel("name"), FieldPanel("parent")]

    class Meta:
        verbose_name = _("主题分类")
        verbose_name_plural = _("主题分类")
        ordering = ["code"]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return f"{self.parent.name}\\{self.name}" if self.parent_id else self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.parent_id and self.parent.parent_id:
            raise ValidationError({"parent": _("主题分类只有两级，上级分类必须是一级分类。")})


class Genre(models.Model):
    """体裁分类: the kind of document (通知, 意见, 办法 …)."""

    code = models.CharField(_("代码"), max_length=8, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)

    panels = [FieldPanel("code"), FieldPanel("name")]

    class Meta:
        verbose_name = _("体裁分类")
        verbose_name_plural = _("体裁分类")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Audience(models.Model):
    """服务对象: whom a document concerns (社会公众, 企业 …)."""

    code = models.CharField(_("代码"), max_length=8, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)

    panels = [FieldPanel("code"), FieldPanel("name")]

    class Meta:
        verbose_name = _("服务对象")
        verbose_name_plural = _("服务对象")
        ordering = ["code"]

    def __str__(self):
        return self.name


class IndexNumberCounter(models.Model):
    """The last sequence issued per organisation and year; its row is locked while issuing."""

    org_code = models.CharField(max_length=18)
    year = models.PositiveSmallIntegerField()
    last_seq = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org_code", "year"],
                                               name="disclosure_counter_org_year")]

    def __str__(self):
        return f"{self.org_code}/{self.year}: {self.last_seq}"


class IssuedIndexNumber(models.Model):
    """索引号登记: every number ever issued, unique, with the page it was issued to."""

    number = models.CharField(_("索引号"), max_length=40, unique=True)
    org_code = models.CharField(max_length=18)
    year = models.PositiveSmallIntegerField()
    seq = models.PositiveIntegerField()
    page = models.ForeignKey(Page, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("索引号")
        verbose_name_plural = _("索引号")
        constraints = [models.UniqueConstraint(fields=["org_code", "year", "seq"],
                                               name="disclosure_index_number_seq")]

    def __str__(self):
        return self.number


# --- the standard disclosure pages (R3.2) ---------------------------------------------------

class DisclosureSection(models.TextChoices):
    OVERVIEW = "overview", _("概况信息")
    FUNCTIONS = "functions", _("机构职能")
    GUIDE = "guide", _("政府信息公开指南")
    STATISTICS = "statistics", _("统计信息")
    OTHER = "other", _("其他")


class DisclosureInfoPage(KeepLanguageUrlMixin, Page):
    """信息公开专页: overview, institutions and functions, disclosure guide, statistics."""

    section = models.CharField(_("公开事项"), max_length=20, choices=DisclosureSection.choices,
                               default=DisclosureSection.OTHER)
    summary = models.CharField(_("简介"), max_length=300, blank=True)
    updated_on = models.DateField(_("更新日期"), null=True, blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("正文"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("section"), FieldPanel("summary"), FieldPanel("updated_on"), FieldPanel("body"),
    ]
    parent_page_types = ["library.ColumnPage"]
    subpage_types = []
    template = "disclosure/disclosure_info_page.html"

    class Meta:
        verbose_name = _("信息公开专页")


class LeadersPage(KeepLanguageUrlMixin, Page):
    """负责人信息: each leader's name, photo, CV and portfolio (分工)."""

    intro = models.CharField(_("说明"), max_length=300, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), InlinePanel("leaders", label=_("负责人"))]
    parent_page_types = ["library.ColumnPage"]
    subpage_types = []
    template = "disclosure/leaders_page.html"

    class Meta:
        verbose_name = _("负责人信息")


class Leader(Orderable):
    page = ParentalKey(LeadersPage, on_delete=models.CASCADE, related_name="leaders")
    name = models.CharField(_("姓名"), max_length=40)
    position = models.CharField(_("职务"), max_length=100)
    photo = models.ForeignKey("wagtailimages.Image", verbose_name=_("照片"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    cv = models.TextField(_("简历"), blank=True)
    portfolio = models.TextField(_("工作分工"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("position"), FieldPanel("photo"), FieldPanel("cv"),
              FieldPanel("portfolio")]

    class Meta(Orderable.Meta):
        verbose_name = _("负责人")

    def __str__(self):
        return f"{self.name}（{self.position}）"


class DisclosureCataloguePage(KeepLanguageUrlMixin, Page):
    """政府信息公开目录: the site's policy documents, browsable by topic, genre, issuing body, year."""

    intro = models.CharField(_("说明"), max_length=300, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["library.ColumnPage"]
    subpage_types = []
    template = "disclosure/disclosure_catalogue_page.html"
    items_per_page = 20

    class Meta:
        verbose_name = _("政府信息公开目录")

    def get_context(self, request, *args, **kwargs):
        from . import queries

        context = super().get_context(request, *args, **kwargs)
        # The site's home page is the ancestor at depth 2 (one indexed lookup; get_site()
        # costs two queries per call).
        site_root = Page.objects.filter(path=self.path[: 2 * Page.steplen]).first() or self.get_parent()
        filters = queries.catalogue_filters(request.GET)
        items = queries.CatalogueListing(site_root, filters)
        paginator = Paginator(items, self.items_per_page)
        try:
            page = paginator.page(request.GET.get("page", 1))
        except PageNotAnInteger:
            page = paginator.page(1)
        except EmptyPage:
            page = paginator.page(max(paginator.num_pages, 1))
        choices = queries.catalogue_choices(site_root)
        context.update(
            items_page=page, filters=filters,
            **queries.catalogue_options(filters, choices["issuing_bodies"], choices["years"]),
            querystring=queries.filter_querystring(filters),
        )
        return context

    def cache_tags(self):
        # The catalogue lists the site's policies wherever they are published: any publication
        # on the site (which purges its home's tag) must refresh it in the page cache.
        return {f"p:{self.path[: 2 * Page.steplen]}"}

    @cached_property
    def column_page(self):
        from govweb.library.models import ColumnPage

        return ColumnPage.objects.filter(path=self.path[: -Page.steplen]).first() or self.get_parent().specific
