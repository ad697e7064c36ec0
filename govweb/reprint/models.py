"""Publish once, show on many sites (推送) and 12-hour reprint directives (转载指令, R2.3, R12.1).

A push puts a Wagtail alias of a published item into a column of another site, so the source's
edits, republication and unpublication reach every copy. A reprint directive asks a set of
sites to republish an important item (from the portal, or an upstream portal's feed) before a
deadline; each site gets one task, and the report says who was on time, late or missing.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.models import Page

from govweb.cluster.models import SiteProfile

DEFAULT_DEADLINE_HOURS = 12  # R12.1: reprinted within 12 hours


class PushRecord(models.Model):
    """推送记录: one item shown in one column of another site through a Wagtail alias."""

    source_page = models.ForeignKey(
        Page, verbose_name=_("源信息"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_title = models.CharField(_("标题"), max_length=255)
    source_site = models.ForeignKey(
        SiteProfile, verbose_name=_("来源网站"), null=True, on_delete=models.SET_NULL,
        related_name="sent_pushes",
    )
    target_site = models.ForeignKey(
        SiteProfile, verbose_name=_("目标网站"), on_delete=models.CASCADE,
        related_name="received_pushes",
    )
    target_column = models.ForeignKey(
        Page, verbose_name=_("目标栏目"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    alias_page = models.ForeignKey(
        Page, verbose_name=_("目标页面"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_published_at = models.DateTimeField(_("源信息发布时间"), null=True)
    appeared_at = models.DateTimeField(_("目标网站上线时间"), null=True)
    pushed_at = models.DateTimeField(_("推送时间"))
    pushed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("推送人"), null=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("撤回人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = _("推送记录")
        verbose_name_plural = _("推送记录")
        ordering = ["-pushed_at", "-pk"]
        constraints = [
            # One live push of an item per column; a withdrawn push may be pushed again.
            models.UniqueConstraint(
                fields=["source_page", "target_column"], condition=Q(withdrawn_at__isnull=True),
                name="reprint_one_active_push_per_column",
            ),
        ]

    def __str__(self):
        return f"{self.source_title} → {self.target_site}"

    @property
    def delay(self):
        """How long after its publication the item appeared on the target site."""
        if self.source_published_at and self.appeared_at:
            return self.appeared_at - self.source_published_at
        return None


class FeedFormat(models.TextChoices):
    RSS = "rss", "RSS"
    ATOM = "atom", "Atom"
    JSON = "json", "JSON Feed"


class UpstreamFeed(models.Model):
    """上级网站信息源: the State Council or provincial portal's feed whose items must be reprinted.

    Configured by the general office only (model permissions: site editors have none).
    """

    name = models.CharField(_("名称"), max_length=100, help_text=_("如“中国政府网”“贵州省人民政府”"))
    url = models.URLField(_("订阅地址"), max_length=500)
    format = models.CharField(_("格式"), max_length=10, choices=FeedFormat.choices,
                              default=FeedFormat.RSS)
    target_sites = models.ManyToManyField(
        SiteProfile, verbose_name=_("须转载的网站"), related_name="+",
    )
    deadline_hours = models.PositiveSmallIntegerField(
        _("转载时限（小时）"), default=DEFAULT_DEADLINE_HOURS,
    )
    active = models.BooleanField(_("启用"), default=True)
    issue_for_existing = models.BooleanField(
        _("首次抓取时也下发"), default=False,
        help_text=_("不勾选时，首次抓取只记录订阅中已有的条目，不下发转载指令。"),
    )
    last_fetched_at = models.DateTimeField(_("最近抓取时间"), null=True, blank=True,
                                           editable=False)
    last_status = models.CharField(_("最近抓取结果"), max_length=300, blank=True, editable=False)

    panels = [
        MultiFieldPanel([FieldPanel("name"), FieldPanel("url"), FieldPanel("format"),
                         FieldPanel("active")], heading=_("信息源")),
        MultiFieldPanel([FieldPanel("target_sites"), FieldPanel("deadline_hours"),
                         FieldPanel("issue_for_existing")], heading=_("转载要求")),
    ]

    class Meta:
        verbose_name = _("上级网站信息源")
        verbose_name_plural = _("上级网站信息源")
        ordering = ["pk"]

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if self.url and not self.url.lower().startswith(("http://", "https://")):
            raise ValidationError({"url": _("订阅地址必须以 http:// 或 https:// 开头。")})
        if self.deadline_hours is not None and not 1 <= self.deadline_hours <= 72:
            raise ValidationError({"deadline_hours": _("转载时限应在1至72小时之间。")})


class UpstreamEntry(models.Model):
    """上级网站信息条目: one item read from an upstream feed (recorded once, by its id)."""

    feed = models.ForeignKey(UpstreamFeed, verbose_name=_("信息源"), on_delete=models.CASCADE,
                             related_name="entries")
    guid = models.CharField(_("条目标识"), max_length=500)
    title = models.CharField(_("标题"), max_length=255)
    link = models.URLField(_("原文链接"), max_length=500, blank=True)
    summary = models.TextField(_("摘要"), blank=True)
    content = models.TextField(_("正文（已净化的HTML）"), blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    fetched_at = models.DateTimeField(_("抓取时间"))

    class Meta:
        verbose_name = _("上级网站信息条目")
        verbose_name_plural = _("上级网站信息条目")
        ordering = ["-fetched_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["feed", "guid"], name="reprint_entry_unique_guid"),
        ]

    def __str__(self):
        return self.title


class ReprintDirective(models.Model):
    """转载指令: "these sites must reprint this item by the deadline" (R12.1)."""

    title = models.CharField(_("标题"), max_length=255)
    source_page = models.ForeignKey(
        Page, verbose_name=_("源信息"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    source_entry = models.ForeignKey(
        UpstreamEntry, verbose_name=_("上级网站信息"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="directives",
    )
    source_name = models.CharField(_("来源"), max_length=100,
                                   help_text=_("发布机构，如“贵阳市人民政府”“中国政府网”"))
    issued_at = models.DateTimeField(_("下发时间"))
    deadline = models.DateTimeField(_("转载截止时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("下发人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    note = models.CharField(_("转载要求"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("转载指令")
        verbose_name_plural = _("转载指令")
        ordering = ["-issued_at", "-pk"]
        indexes = [models.Index(fields=["deadline"])]

    def __str__(self):
        return self.title


class TaskStatus(models.TextChoices):
    PENDING = "pending", _("待转载")
    DONE = "done", _("已转载")


class ReprintMode(models.TextChoices):
    ALIAS = "alias", _("引用（与源信息同步）")
    COPY = "copy", _("复制（本站独立副本）")


class ReprintTask(models.Model):
    """转载任务: one site's duty under a directive."""

    directive = models.ForeignKey(ReprintDirective, verbose_name=_("转载指令"),
                                  on_delete=models.CASCADE, related_name="tasks")
    site = models.ForeignKey(SiteProfile, verbose_name=_("网站"), on_delete=models.CASCADE,
                             related_name="reprint_tasks")
    status = models.CharField(_("状态"), max_length=10, choices=TaskStatus.choices,
                              default=TaskStatus.PENDING)
    done_at = models.DateTimeField(_("转载时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("转载人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    mode = models.CharField(_("转载方式"), max_length=10, choices=ReprintMode.choices, blank=True)
    reprinted_page = models.ForeignKey(
        Page, verbose_name=_("转载后的页面"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    alerted_at = models.DateTimeField(_("逾期提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("转载任务")
        verbose_name_plural = _("转载任务")
        ordering = ["directive", "site_id"]
        constraints = [
            models.UniqueConstraint(fields=["directive", "site"], name="reprint_one_task_per_site"),
        ]
        indexes = [models.Index(fields=["site", "status"])]

    def __str__(self):
        return f"{self.directive} — {self.site}"
