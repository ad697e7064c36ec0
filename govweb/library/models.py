"""The unified information library (政务信息资源库): page types every site publishes with.

Every item type (article, policy document, interpretation) extends one concrete base,
`LibraryItemPage`, so each is described by the same metadata (统一元数据) and any column can list
its items of every type in one query, newest first.
"""

import re
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models, transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page, PageViewRestriction
from wagtail.search import index

from govweb.base.blocks import BodyBlock
from govweb.base.i18n import (
    KeepLanguageUrlMixin,
    is_translation,
    reader_version,
    route_site,
    show_reader_titles,
    source_of,
)


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

# 内容概述 limits (GB/T 21063.3): 300 characters for originals up to 5,000, 500 above.
SUMMARY_SHORT_LIMIT, SUMMARY_LONG_LIMIT, LONG_ORIGINAL = 300, 500, 5000
# 发文字号: 机关代字〔年份〕序号号, e.g. 筑府办发〔2018〕2号 (hexagonal brackets, 〔〕).
DOCUMENT_NUMBER_RE = re.compile(r"^[\u4e00-\u9fa5A-Za-z]{1,20}〔(?:19|20)\d{2}〕\d{1,5}号$")


class SiteHomePage(KeepLanguageUrlMixin, Page):
    """网站首页: the root of one site's tree; lists the latest items of its columns."""

    intro = models.CharField(_("首页简介"), max_length=300, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["library.ColumnPage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("网站首页")

    def route(self, request, path_components):
        # /en/…: the Chinese tree finds the page, its live English version is served (base/i18n).
        if getattr(settings, "WAGTAIL_I18N_ENABLED", False):
            return route_site(self, request, path_components)
        return super().route(request, path_components)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        columns = list(self.get_children().live().public().type(ColumnPage).specific())
        # View restrictions read once for all blocks (`.public()` per column re-reads them).
        restricted = list(PageViewRestriction.objects.values_list("page__path", flat=True))
        blocks = []
        for column in columns:
            if column.show_on_home:
                items = column.latest_items(limit=6, restricted_paths=restricted)
                if items:
                    blocks.append((column, show_reader_titles(items)))
        context["column_blocks"] = blocks
        context["columns"] = columns
        site = getattr(request, "_wagtail_site", None)
        if site is not None and site.root_page_id == self.pk:
            from govweb.cluster.queries import sites_listed_on_home

            context["cluster_sites"] = sites_listed_on_home(site)
        return context


class ColumnPage(KeepLanguageUrlMixin, Page):
    """栏目: a listing of items of one kind, with the update expectation monitoring applies.

    A special topic (专题专栏) runs between a start and an end date; a link column points
    elsewhere (another column, or an outside address).
    """

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
    topic_starts_on = models.DateField(_("专题开始日期"), null=True, blank=True)
    topic_ends_on = models.DateField(_("专题结束日期"), null=True, blank=True)
    link_page = models.ForeignKey(Page, verbose_name=_("链接到栏目或页面"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    link_url = models.URLField(_("链接地址"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("kind"), FieldPanel("description"), FieldPanel("keywords"),
        FieldPanel("show_on_home"), FieldPanel("update_expectation_days"),
        MultiFieldPanel([FieldRowPanel([FieldPanel("topic_starts_on"), FieldPanel("topic_ends_on")])],
                        heading=_("专题专栏")),
        MultiFieldPanel([FieldPanel("link_page"), FieldPanel("link_url")], heading=_("链接栏目")),
    ]
    parent_page_types = ["library.SiteHomePage", "library.ColumnPage"]
    subpage_types = [
        "library.ArticlePage", "library.PolicyDocumentPage", "library.InterpretationPage",
        "library.ColumnPage", "disclosure.DisclosureInfoPage", "disclosure.LeadersPage",
        "disclosure.DisclosureCataloguePage",
    ]
    items_per_page = 20

    class Meta:
        verbose_name = _("栏目")

    def clean(self):
        super().clean()
        errors = {}
        if self.kind == ColumnKind.TOPIC:
            if not self.topic_starts_on:
                errors["topic_starts_on"] = _("专题专栏必须填写开始日期。")
            if self.topic_starts_on and self.topic_ends_on and self.topic_ends_on < self.topic_starts_on:
                errors["topic_ends_on"] = _("专题结束日期不能早于开始日期。")
        if self.kind == ColumnKind.LINK and not (self.link_page_id or self.link_url):
            errors["link_url"] = _("链接栏目必须填写链接地址或选择链接页面。")
        if errors:
            raise ValidationError(errors)

    @property
    def expected_update_days(self):
        return self.update_expectation_days or UPDATE_EXPECTATION_DAYS[self.kind]

    def topic_is_running(self, today=None):
        today = today or timezone.localdate()
        if self.kind != ColumnKind.TOPIC or not self.topic_starts_on:
            return False
        return self.topic_starts_on <= today and (not self.topic_ends_on or today <= self.topic_ends_on)

    def items(self, restricted_paths=None):
        """Live items of every type placed in this column, newest first.

        `restricted_paths`: the paths of all view-restricted pages when the caller has read
        them already; the column itself is known to be public, so only restrictions on the
        items (its children) can hide any.
        """
        items = LibraryItemPage.objects.filter(column_id=self.pk).live()
        if restricted_paths is None:
            items = items.public()
        else:
            below = [p for p in restricted_paths if p.startswith(self.path) and p != self.path]
            if below:
                items = items.exclude(path__in=below)
        return (items.only("id", "title", "url_path", "path", "depth", "pub_date", "translation_key",
                           "locale")
                .order_by("-pub_date", "-pk"))

    def latest_items(self, limit=6, restricted_paths=None):
        return list(self.items(restricted_paths)[:limit])

    def sub_columns(self):
        """Live children that are not items (sub-columns, disclosure pages), looked up by their
        types: a column may hold many thousands of items, and its children all of them."""
        types = [m for m in self.allowed_subpage_models() if not issubclass(m, LibraryItemPage)]
        return (Page.objects.type(*types).filter(depth=self.depth + 1, path__startswith=self.path)
                .live().public().order_by("path").specific())

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        from .queries import ColumnListing

        paginator = Paginator(ColumnListing(self), self.items_per_page)
        try:
            page = paginator.page(request.GET.get("page", 1))
        except PageNotAnInteger:
            page = paginator.page(1)
        except EmptyPage:
            page = paginator.page(max(paginator.num_pages, 1))
        page.object_list = show_reader_titles(list(page.object_list))
        context["items_page"] = page
        if page.number == 1:
            context["sub_columns"] = list(self.sub_columns())
        return context


def body_plain_text(body):
    """The readable text of a body StreamField (paragraphs and table cells)."""
    parts = []
    for block in body or []:
        if block.block_type == "paragraph":
            parts.append(strip_tags(str(block.value.source if hasattr(block.value, "source") else block.value)))
        elif block.block_type == "table":
            for row in (block.value or {}).get("data", []) or []:
                parts.extend(str(cell) for cell in row if cell)
    return "".join(parts)


class LibraryItemPage(KeepLanguageUrlMixin, Page):
    """信息: the unified metadata every item of the library carries, whatever its type.

    Concrete (not abstract) so that a column lists its articles, policies and interpretations
    together, and the disclosure catalogue and monitoring read one table.
    """

    pub_date = models.DateTimeField(_("发布时间"), default=timezone.now,
                                    help_text=_("格式：YYYY-MM-DD HH:MM"))
    source = models.CharField(_("信息来源"), max_length=100, blank=True)
    author = models.CharField(_("作者"), max_length=100, blank=True)
    summary = models.TextField(
        _("内容概述"), max_length=SUMMARY_LONG_LIMIT, blank=True,
        help_text=_("正文5000字以内的不超过300字，5000字以上的不超过500字"),
    )
    keywords = models.CharField(_("关键词"), max_length=200, blank=True,
                                help_text=_("多个关键词用逗号分隔"))
    topic = models.ForeignKey("disclosure.TopicCategory", verbose_name=_("主题分类"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    # Denormalised from the tree (kept by save() and the page_moved handler) so that a column
    # listing or a site's catalogue reads one index instead of scanning tree paths.
    # (Indexed by the composite indexes below, which lead with them.)
    column = models.ForeignKey(Page, null=True, blank=True, editable=False, db_index=False,
                               on_delete=models.SET_NULL, related_name="+")
    home = models.ForeignKey(Page, null=True, blank=True, editable=False, db_index=False,
                             on_delete=models.SET_NULL, related_name="+")

    is_creatable = False
    parent_page_types = ["library.ColumnPage"]
    subpage_types = []
    metadata_panels = [
        FieldPanel("pub_date"), FieldPanel("source"), FieldPanel("author"),
        FieldPanel("keywords"), FieldPanel("topic"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("keywords"),
        index.FilterField("pub_date"),
    ]

    class Meta:
        verbose_name = _("信息")
        # In the listings' order (newest first, id breaking ties), so that a page of a listing
        # is read straight off the index, without sorting the column's items.
        indexes = [
            models.Index(fields=["column", "-pub_date", "-page_ptr"], name="library_item_column_pub_idx"),
            models.Index(fields=["home", "-pub_date", "-page_ptr"], name="library_item_home_pub_idx"),
            # The disclosure catalogue filtered by topic (主题分类).
            models.Index(fields=["home", "topic", "-pub_date", "-page_ptr"], name="library_item_home_topic_idx"),
        ]

    def set_tree_links(self):
        """column = the parent page, home = the site's home page (depth 2)."""
        if not self.path or self.depth is None or self.depth < 3:
            return
        steplen = Page.steplen
        paths = {self.path[:-steplen]: "column_id", self.path[: 2 * steplen]: "home_id"}
        for path, pk in Page.objects.filter(path__in=list(paths)).values_list("path", "id"):
            setattr(self, paths[path], pk)

    def save(self, *args, **kwargs):
        self.set_tree_links()
        return super().save(*args, **kwargs)

    def get_body(self):
        return getattr(self, "body", None)

    @cached_property
    def column_page(self):
        """The column this item is published in (one query by the stored link)."""
        column = ColumnPage.objects.filter(pk=self.column_id).first() if self.column_id else None
        return column or self.get_parent().specific

    def clean(self):
        super().clean()
        length = len(body_plain_text(self.get_body()))
        limit = SUMMARY_LONG_LIMIT if length > LONG_ORIGINAL else SUMMARY_SHORT_LIMIT
        if self.summary and len(self.summary) > limit:
            raise ValidationError({"summary": _(
                "内容概述不得超过%(limit)d字（正文%(length)d字），当前%(n)d字。"
            ) % {"limit": limit, "length": length, "n": len(self.summary)}})

class ArticlePage(LibraryItemPage):
    """政务动态/通知公告: a news item or notice with its source, author and publication time."""

    subtitle = models.CharField(_("副标题"), max_length=200, blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("正文"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("subtitle"),
        MultiFieldPanel(LibraryItemPage.metadata_panels, heading=_("发布信息")),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = LibraryItemPage.search_fields + [index.SearchField("body")]
    parent_page_types = ["library.ColumnPage"]
    subpage_types = []
    template = "library/article_page.html"

    class Meta:
        verbose_name = _("文章")


class Validity(models.TextChoices):
    """有效性: a document amended, repealed or expired says so on its published page."""

    IN_FORCE = "in_force", _("有效")
    AMENDED = "amended", _("已修订")
    REPEALED = "repealed", _("已废止")
    EXPIRED = "expired", _("已失效")


def validate_document_number(value):
    if value and not DOCUMENT_NUMBER_RE.match(value):
        raise ValidationError(_("发文字号格式应如“筑府办发〔2018〕2号”（年份用六角括号〔〕）。"),
                              code="document_number")


def site_profile_for_path(path):
    """The SiteProfile whose home page is the ancestor at `path`'s depth-2 prefix."""
    from govweb.cluster.models import SiteProfile

    steplen = Page.steplen
    return (SiteProfile.objects.filter(site__root_page__path=path[: steplen * 2])
            .select_related("site").first())


class PolicyDocumentForm(WagtailAdminPageForm):
    """Refuses to publish (or submit for sign-off) an important policy with no interpretation
    and no recorded exemption — "谁起草，谁解读" — naming the field, before anything is saved."""

    def clean(self):
        cleaned = super().clean()
        going_live = any(key in self.data for key in ("action-publish", "action-submit"))
        if is_translation(self.instance):
            return cleaned  # the Chinese source carries the duty to be interpreted
        if going_live and cleaned.get("is_important") and not (
            cleaned.get("interpretation_exemption_reason") or "").strip():
            if not (self.instance.pk and self.instance.interpretations.exists()):
                self.add_error("interpretation_exemption_reason", _(
                    "重要政策文件须同步发布解读材料：请先关联解读，或在“免于解读理由”中记录理由。"))
        return cleaned


class PolicyDocumentPage(LibraryItemPage):
    """文件: a policy document with the national disclosure metadata (GB/T 21063.3).

    The index number (索引号) is issued by the system at first publication and never changes.
    """

    index_number = models.CharField(_("索引号"), max_length=40, blank=True, editable=False,
                                    db_index=True)
    issuing_body = models.CharField(_("发文机关"), max_length=100)
    document_number = models.CharField(_("发文字号"), max_length=60, blank=True,
                                       validators=[validate_document_number],
                                       help_text=_("如：筑府办发〔2018〕2号；无文号的可不填"))
    written_on = models.DateField(_("成文日期"))
    genre = models.ForeignKey("disclosure.Genre", verbose_name=_("体裁分类"), null=True,
                              on_delete=models.PROTECT, related_name="+")
    audience = models.ForeignKey("disclosure.Audience", verbose_name=_("服务对象"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="+")
    subject_words = models.CharField(_("主题词"), max_length=200, blank=True)
    validity = models.CharField(_("有效性"), max_length=10, choices=Validity.choices,
                                default=Validity.IN_FORCE)
    validity_changed_on = models.DateField(_("修订/废止/失效日期"), null=True, blank=True)
    replaced_by = models.ForeignKey(Page, verbose_name=_("替代文件"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    replacement_url = models.URLField(_("替代文件链接（外部）"), blank=True)
    is_important = models.BooleanField(
        _("重要政策"), default=False,
        help_text=_("重要政策须同步发布解读材料（谁起草，谁解读），或记录免于解读的理由"),
    )
    interpretation_exemption_reason = models.CharField(_("免于解读理由"), max_length=300, blank=True)
    exemption_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                              on_delete=models.SET_NULL, related_name="+",
                                              editable=False)
    exemption_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)
    body = StreamField(BodyBlock(), verbose_name=_("正文"), blank=True)

    base_form_class = PolicyDocumentForm
    exclude_fields_in_copy = ["index_number"]
    content_panels = Page.content_panels + [
        MultiFieldPanel([
            FieldPanel("issuing_body"), FieldPanel("document_number"), FieldPanel("written_on"),
            FieldPanel("pub_date"), FieldPanel("topic"), FieldPanel("genre"),
            FieldPanel("audience"), FieldPanel("subject_words"), FieldPanel("source"),
            FieldPanel("author"), FieldPanel("keywords"),
        ], heading=_("公开元数据")),
        MultiFieldPanel([
            FieldPanel("validity"), FieldPanel("validity_changed_on"), FieldPanel("replaced_by"),
            FieldPanel("replacement_url"),
        ], heading=_("有效性")),
        MultiFieldPanel([FieldPanel("is_important"), FieldPanel("interpretation_exemption_reason")],
                        heading=_("政策解读")),
        FieldPanel("summary"),
        FieldPanel("body"),
        InlinePanel("attachments", label=_("附件")),
    ]
    search_fields = LibraryItemPage.search_fields + [
        index.SearchField("body"),
        index.SearchField("document_number"),
        index.SearchField("index_number"),
        index.FilterField("validity"),
        index.FilterField("issuing_body"),
    ]
    parent_page_types = ["library.ColumnPage"]
    subpage_types = []
    template = "library/policy_document_page.html"

    class Meta:
        verbose_name = _("政策文件")
        indexes = [models.Index(fields=["issuing_body"], name="library_policy_body_idx")]

    # --- validation ---------------------------------------------------------------------------

    def clean(self):
        super().clean()
        errors = {}
        today = timezone.localdate()
        if self.written_on and self.written_on > today:
            errors["written_on"] = _("成文日期不能晚于今天。")
        if self.written_on and self.pub_date and self.written_on > timezone.localtime(self.pub_date).date():
            errors["written_on"] = _("成文日期不能晚于发布日期。")
        if not self.topic_id:
            errors["topic"] = _("请选择主题分类。")
        if not self.genre_id:
            errors["genre"] = _("请选择体裁分类。")
        if self.validity != Validity.IN_FORCE:
            if not self.validity_changed_on:
                errors["validity_changed_on"] = _("文件已修订、废止或失效时，必须填写日期。")
            elif self.validity_changed_on > today:
                errors["validity_changed_on"] = _("修订/废止/失效日期不能晚于今天。")
        if self.validity == Validity.AMENDED and not (self.replaced_by_id or self.replacement_url):
            errors["replaced_by"] = _("已修订的文件必须链接到修订后的文件。")
        if self.replaced_by_id and self.pk and self.replaced_by_id == self.pk:
            errors["replaced_by"] = _("替代文件不能是本文件自身。")
        if self.pk and self.alias_of_id is None:
            stored = (PolicyDocumentPage.objects.filter(pk=self.pk)
                      .values_list("index_number", flat=True).first())
            if stored and self.index_number != stored:
                errors["index_number"] = _("索引号一经生成不得更改。")
        if errors:
            raise ValidationError(errors)

    def with_content_json(self, content):
        # The index number belongs to the page, not to a revision: restoring or publishing an
        # older draft must never bring back an empty or different number.
        obj = super().with_content_json(content)
        obj.index_number = self.index_number or obj.index_number
        obj.exemption_recorded_by_id = self.exemption_recorded_by_id
        obj.exemption_recorded_at = self.exemption_recorded_at
        return obj

    def _going_live(self):
        if not self.live:
            return False
        if self.pk is None:
            return True
        return not Page.objects.filter(pk=self.pk, live=True).exists()

    def interpretation_satisfied(self):
        if not self.is_important or self.interpretation_exemption_reason.strip():
            return True
        return bool(self.pk) and self.interpretations.exists()

    @property
    def disclosure_index_number(self):
        """索引号 as shown: an English version carries its Chinese source's number, never one of
        its own (numbers are issued to documents, not to their translations)."""
        if self.index_number or not is_translation(self):
            return self.index_number
        return getattr(source_of(self), "index_number", "")

    def save(self, *args, **kwargs):
        if is_translation(self):
            # The Chinese source holds the number and the duty to be interpreted.
            return super().save(*args, **kwargs)
        if self.alias_of_id is None and self._going_live() and not self.interpretation_satisfied():
            raise ValidationError({"interpretation_exemption_reason": _(
                "重要政策文件须同步发布解读材料：请先关联解读，或在“免于解读理由”中记录理由。")})
        if self.interpretation_exemption_reason and not self.exemption_recorded_at:
            self.exemption_recorded_at = timezone.now()
        if self.alias_of_id is None and self.live and not self.index_number:
            with transaction.atomic():
                self.index_number = self.issue_index_number()
                result = super().save(*args, **kwargs)
                from govweb.disclosure.models import IssuedIndexNumber

                IssuedIndexNumber.objects.filter(number=self.index_number).update(page_id=self.pk)
                return result
        return super().save(*args, **kwargs)

    def issue_index_number(self):
        from govweb.disclosure.actions import do_issue_index_number

        profile = site_profile_for_path(self.path)
        org_code = (profile.org_code or profile.id_code) if profile else ""
        year = timezone.localtime(self.pub_date).year if self.pub_date else timezone.localdate().year
        return do_issue_index_number(org_code, year)

    # --- display ------------------------------------------------------------------------------

    @property
    def is_in_force(self):
        return self.validity == Validity.IN_FORCE

    def get_context(self, request, *args, **kwargs):
        from govweb.disclosure.queries import terms

        context = super().get_context(request, *args, **kwargs)
        labels = terms()
        context.update(
            topic_label=labels["topic"].get(self.topic_id, ""),
            genre_label=labels["genre"].get(self.genre_id, ""),
            audience_label=labels["audience"].get(self.audience_id, ""),
        )
        return context

    def live_interpretations(self):
        """The policy's interpretations in the reader's version: an English version of a
        policy lists the English versions of its interpretations where they exist, and the
        Chinese ones otherwise; a Chinese policy never lists English copies."""
        source = source_of(self)
        # The locale is checked here, not in SQL: a locale condition makes SQLite's planner
        # leave the policy index for the locale one and scan the page table.
        found = [item for item in InterpretationPage.objects.filter(policy=source).live().public()
                 .order_by("pub_date", "pk") if item.locale_id == source.locale_id]
        if not is_translation(self):
            return found
        return [reader_version(item) for item in found]

    def live_attachments(self):
        return self.attachments.select_related("document")


class PolicyAttachment(Orderable):
    """附件: a PDF or Office file attached to a policy document (type and size are checked)."""

    page = ParentalKey(PolicyDocumentPage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey("wagtaildocs.Document", verbose_name=_("文件"),
                                 on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("显示名称"), max_length=200, blank=True)

    panels = [FieldPanel("document"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        verbose_name = _("附件")

    def clean(self):
        super().clean()
        if self.document_id:
            check_attachment(self.document.file.name, _file_size(self.document))


def _file_size(document):
    try:
        return document.file_size or document.file.size
    except (OSError, ValueError):
        return 0


def check_attachment(filename, size):
    """Refuse a forbidden file type or an oversized file, naming the attachment field."""
    allowed = [e.lower() for e in getattr(settings, "WAGTAILDOCS_EXTENSIONS", None) or []]
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if allowed and extension not in allowed:
        raise ValidationError({"document": _("附件类型“%(ext)s”不允许，仅限：%(allowed)s。")
                               % {"ext": extension or "无扩展名", "allowed": "、".join(allowed)}})
    limit = getattr(settings, "WAGTAILDOCS_MAX_UPLOAD_SIZE", None)
    if limit and size and size > limit:
        raise ValidationError({"document": _("附件大小不得超过%(mb)dMB。") % {"mb": limit // (1024 * 1024)}})


class InterpretationKind(models.TextChoices):
    """解读形式: text, graphic (图解), video, interview or media commentary (R4.1)."""

    TEXT = "text", _("文字解读")
    GRAPHIC = "graphic", _("图解")
    VIDEO = "video", _("视频解读")
    INTERVIEW = "interview", _("在线访谈")
    COMMENTARY = "commentary", _("媒体评论")


class InterpretationPage(LibraryItemPage):
    """解读: material explaining one policy, supplied by its drafter; linked both ways."""

    kind = models.CharField(_("解读形式"), max_length=12, choices=InterpretationKind.choices,
                            default=InterpretationKind.TEXT)
    policy = models.ForeignKey(PolicyDocumentPage, verbose_name=_("关联政策文件"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="interpretations")
    video_url = models.URLField(_("视频地址"), blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("正文"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("policy"), FieldPanel("kind"),
        MultiFieldPanel(LibraryItemPage.metadata_panels, heading=_("发布信息")),
        FieldPanel("summary"), FieldPanel("video_url"), FieldPanel("body"),
    ]
    search_fields = LibraryItemPage.search_fields + [index.SearchField("body")]
    parent_page_types = ["library.ColumnPage"]
    subpage_types = []
    template = "library/interpretation_page.html"

    class Meta:
        verbose_name = _("政策解读")

    @cached_property
    def policy_for_reader(self):
        """The policy explained, in the reader's language where it has a live version in it."""
        if self.policy_id is None:
            return None
        return reader_version(self.policy)

    def clean(self):
        super().clean()
        if not self.policy_id:
            raise ValidationError({"policy": _("解读必须关联所解读的政策文件（“关联政策文件”）。")})
        if self.kind == InterpretationKind.VIDEO and not (self.video_url or self.body):
            raise ValidationError({"video_url": _("视频解读须填写视频地址。")})


class ExternalItem(models.Model):
    """底层对接: an item fed in by an outside site, keyed by (source site, external ID).

    Re-importing the same record updates its page instead of adding another; `checksum` lets an
    unchanged record be skipped without touching the database.
    """

    site = models.ForeignKey("cluster.SiteProfile", verbose_name=_("来源网站"),
                             on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(_("外部编号"), max_length=100)
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="+")
    checksum = models.CharField(max_length=40)
    imported_at = models.DateTimeField(_("导入时间"))

    class Meta:
        verbose_name = _("外部导入信息")
        constraints = [models.UniqueConstraint(fields=["site", "external_id"],
                                               name="library_external_item_key")]

    def __str__(self):
        return f"{self.site_id}:{self.external_id}"


class ImportToken(models.Model):
    """接口令牌: lets one outside site POST items to the import endpoint."""

    site = models.ForeignKey("cluster.SiteProfile", verbose_name=_("网站"), on_delete=models.CASCADE,
                             related_name="+")
    name = models.CharField(_("名称"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("导入接口令牌")
        verbose_name_plural = _("导入接口令牌")

    def __str__(self):
        return f"{self.site} — {self.name}"


class ImportRun(models.Model):
    """导入记录: who imported what, when, with which result (the audit trail of bulk imports)."""

    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    channel = models.CharField(_("方式"), max_length=10, choices=[("cli", _("命令行")), ("api", _("接口"))])
    source_name = models.CharField(_("文件或来源"), max_length=300, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    token = models.ForeignKey(ImportToken, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变"), default=0)
    failed = models.PositiveIntegerField(_("出错"), default=0)
    errors = models.JSONField(_("错误明细"), default=list, blank=True)

    class Meta:
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.get_channel_display()} {self.started_at:%Y-%m-%d %H:%M}"
