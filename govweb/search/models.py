"""Search settings the general office manages, and the search log for analytics.

- BestBet (推荐结果): a query pinned to a result, shown as a card with key facts;
- SynonymGroup (同义词): 社保 ⇒ 社会保险 …, applied when a query is run;
- HotKeyword (热门搜索词): words shown under the search box, besides those people search most;
- SearchLog (搜索日志): each search's query, filters, result count and clicked result.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel


class SiteScopedQuerySet(models.QuerySet):
    def for_site(self, site_key):
        """Entries for every site plus those of the given site."""
        return self.filter(models.Q(site_key="") | models.Q(site_key=site_key or ""))


class BestBet(models.Model):
    """推荐结果: when a query matches, this result is pinned on top as a card."""

    class Match(models.TextChoices):
        EXACT = "exact", _("完全一致")
        CONTAINS = "contains", _("包含该词")

    query = models.CharField(_("搜索词"), max_length=100,
                             help_text=_("多个搜索词用逗号分隔，如：营业执照,办营业执照"))
    match = models.CharField(_("匹配方式"), max_length=10, choices=Match.choices,
                             default=Match.CONTAINS)
    title = models.CharField(_("标题"), max_length=200)
    url = models.URLField(_("链接"), max_length=500)
    description = models.TextField(_("简介"), max_length=500, blank=True)
    facts = models.TextField(
        _("要点"), blank=True,
        help_text=_("每行一项，格式“名称：内容”，如“办理时限：1个工作日”"),
    )
    action_label = models.CharField(_("办理按钮文字"), max_length=40, blank=True,
                                    help_text=_("如：在线办理"))
    action_url = models.URLField(_("办理链接"), max_length=500, blank=True)
    kind = models.CharField(
        _("卡片类型"), max_length=20, default="service",
        choices=[("service", _("办事服务")), ("department", _("部门")),
                 ("leader", _("领导")), ("link", _("推荐链接"))],
    )
    site_key = models.CharField(_("适用网站"), max_length=40, blank=True,
                                help_text=_("留空表示所有网站；否则填网站代号，如 yunyan"))
    active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = SiteScopedQuerySet.as_manager()

    panels = [
        MultiFieldPanel([FieldPanel("query"), FieldPanel("match"), FieldPanel("site_key"),
                         FieldPanel("active"), FieldPanel("sort_order")], heading=_("触发条件")),
        MultiFieldPanel([FieldPanel("kind"), FieldPanel("title"), FieldPanel("url"),
                         FieldPanel("description"), FieldPanel("facts"),
                         FieldPanel("action_label"), FieldPanel("action_url")],
                        heading=_("显示内容")),
    ]

    class Meta:
        verbose_name = _("推荐结果")
        verbose_name_plural = _("推荐结果")
        ordering = ["sort_order", "id"]

    def __str__(self):
        return f"{self.query} → {self.title}"

    @property
    def queries(self):
        return [q.strip() for q in self.query.replace("，", ",").split(",") if q.strip()]

    @property
    def fact_list(self):
        facts = []
        for line in self.facts.splitlines():
            line = line.strip()
            if not line:
                continue
            label, sep, value = line.replace(":", "：", 1).partition("：")
            facts.append((label.strip(), value.strip()) if sep else ("", line))
        return facts


class SynonymGroup(models.Model):
    """同义词: words that mean the same to a citizen (社保 ⇒ 社会保险, 公积金 ⇒ 住房公积金)."""

    terms = models.CharField(
        _("词语"), max_length=300,
        help_text=_("用逗号分隔，第一个为常用简称，如：社保,社会保险"),
    )
    two_way = models.BooleanField(
        _("双向"), default=True,
        help_text=_("双向：任一词都能找到含其他词的内容；单向：只有第一个词扩展到其余词"),
    )
    active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    panels = [FieldPanel("terms"), FieldPanel("two_way"), FieldPanel("active")]

    class Meta:
        verbose_name = _("同义词")
        verbose_name_plural = _("同义词")
        ordering = ["id"]

    def __str__(self):
        return " ⇔ ".join(self.term_list) if self.two_way else " ⇒ ".join(self.term_list)

    @property
    def term_list(self):
        return [t.strip() for t in self.terms.replace("，", ",").split(",") if t.strip()]


class HotKeyword(models.Model):
    """热门搜索词: chosen by the general office, shown under the search box."""

    keyword = models.CharField(_("搜索词"), max_length=40)
    site_key = models.CharField(_("适用网站"), max_length=40, blank=True,
                                help_text=_("留空表示所有网站"))
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    objects = SiteScopedQuerySet.as_manager()

    panels = [FieldPanel("keyword"), FieldPanel("site_key"), FieldPanel("sort_order"),
              FieldPanel("active")]

    class Meta:
        verbose_name = _("热门搜索词")
        verbose_name_plural = _("热门搜索词")
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.keyword


class SearchLog(models.Model):
    """搜索日志: one row per search, for the analytics issue. No personal data: the visitor is
    a salted hash that changes every day."""

    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    site_key = models.CharField(_("网站"), max_length=40, db_index=True)
    query = models.CharField(_("搜索词"), max_length=100, db_index=True)
    scope = models.CharField(_("范围"), max_length=10, default="cluster")
    filters = models.JSONField(_("筛选条件"), default=dict, blank=True)
    sort = models.CharField(_("排序"), max_length=10, default="relevance")
    page = models.PositiveIntegerField(_("页码"), default=1)
    result_count = models.PositiveIntegerField(_("结果数"), default=0)
    channel = models.CharField(_("渠道"), max_length=10, default="web")  # web | api
    language = models.CharField(_("语言"), max_length=10, default="zh-hans")
    visitor = models.CharField(_("访客标识"), max_length=16, blank=True)
    clicked_key = models.CharField(_("点击结果"), max_length=60, blank=True)
    clicked_position = models.PositiveIntegerField(_("点击位次"), null=True, blank=True)
    clicked_at = models.DateTimeField(_("点击时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("搜索日志")
        verbose_name_plural = _("搜索日志")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.query} ({self.result_count})"
