"""Analytics state kept in the database: the policy, what has been ingested, and scores.

The access records themselves live in date-partitioned Parquet files read by DuckDB
(see store.py); the database only tracks files, runs and the daily site evaluation.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from . import conf


def validate_retention_days(value):
    """日志保存期限: at least 6 months (R11.5)."""
    if value is None or value < conf.MIN_RETENTION_DAYS:
        raise ValidationError(
            _("日志保存期限不得少于%(min)s天（6个月），当前填写为%(value)s天。"),
            params={"min": conf.MIN_RETENTION_DAYS, "value": value},
            code="retention_too_short",
        )


class RetentionAction(models.TextChoices):
    ARCHIVE = "archive", _("归档（移入归档目录）")
    DELETE = "delete", _("删除")


@register_setting(icon="time")
class AnalyticsPolicy(BaseGenericSetting):
    """统计分析设置: log retention and the weights of the site evaluation model."""

    retention_days = models.PositiveIntegerField(
        _("日志保存期限（天）"), default=conf.DEFAULT_RETENTION_DAYS,
        validators=[validate_retention_days],
        help_text=_("访问日志、检索日志和平台操作日志的保存天数，不少于180天。"),
    )
    retention_action = models.CharField(
        _("到期处理方式"), max_length=10, choices=RetentionAction.choices,
        default=RetentionAction.ARCHIVE,
    )
    weight_publication = models.PositiveSmallIntegerField(_("信息发布权重"), default=35)
    weight_interpretation = models.PositiveSmallIntegerField(_("解读回应权重"), default=15)
    weight_services = models.PositiveSmallIntegerField(_("办事服务权重"), default=25)
    weight_interaction = models.PositiveSmallIntegerField(_("互动交流权重"), default=25)
    reply_limit_working_days = models.PositiveSmallIntegerField(
        _("留言答复时限（工作日）"), default=5,
    )
    interpretation_window_days = models.PositiveSmallIntegerField(
        _("解读同步发布时限（天）"), default=3,
        help_text=_("解读材料在政策文件发布后多少天内发布算“同步”。"),
    )

    panels = [
        MultiFieldPanel([FieldPanel("retention_days"), FieldPanel("retention_action")],
                        heading=_("日志保存")),
        MultiFieldPanel([FieldPanel("weight_publication"), FieldPanel("weight_interpretation"),
                         FieldPanel("weight_services"), FieldPanel("weight_interaction"),
                         FieldPanel("reply_limit_working_days"),
                         FieldPanel("interpretation_window_days")],
                        heading=_("网站评估模型")),
    ]

    class Meta:
        verbose_name = _("统计分析设置")

    def clean(self):
        super().clean()
        weights = (self.weight_publication, self.weight_interpretation, self.weight_services,
                   self.weight_interaction)
        if sum(w or 0 for w in weights) == 0:
            raise ValidationError({"weight_publication": _("四项权重之和必须大于0。")})


class LogSource(models.Model):
    """一个日志文件: identified by the hash of its first line, so a renamed or copied file
    (log rotation) continues from where it was rather than being counted again."""

    KINDS = [("access", _("访问日志")), ("search", _("检索日志")), ("nginx", _("nginx日志"))]

    kind = models.CharField(_("类型"), max_length=10, choices=KINDS)
    fingerprint = models.CharField(_("文件指纹"), max_length=64, unique=True)
    path = models.CharField(_("最近路径"), max_length=500)
    offset = models.BigIntegerField(_("已读字节"), default=0)
    lines = models.BigIntegerField(_("已读行数"), default=0)
    rows = models.BigIntegerField(_("入库记录"), default=0)
    malformed = models.BigIntegerField(_("异常行"), default=0)
    samples = models.JSONField(_("异常行样本"), default=list, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("日志文件")
        verbose_name_plural = _("日志文件")

    def __str__(self):
        return self.path


class IngestRun(models.Model):
    """一次日志入库: counts kept for the ingestion health table."""

    started_at = models.DateTimeField(_("开始时间"))
    seconds = models.FloatField(_("耗时（秒）"), default=0)
    files = models.PositiveIntegerField(_("文件数"), default=0)
    lines = models.BigIntegerField(_("行数"), default=0)
    rows = models.BigIntegerField(_("入库记录"), default=0)
    malformed = models.BigIntegerField(_("异常行"), default=0)
    days = models.JSONField(_("更新的日期"), default=list, blank=True)

    class Meta:
        verbose_name = _("日志入库")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.rows}"


class SiteScore(models.Model):
    """网站评估得分: one row per site and day, with each dimension's breakdown."""

    site = models.ForeignKey("cluster.SiteProfile", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("日期"))
    total = models.FloatField(_("总分"))
    publication = models.FloatField(_("信息发布"), null=True)
    interpretation = models.FloatField(_("解读回应"), null=True)
    services = models.FloatField(_("办事服务"), null=True)
    interaction = models.FloatField(_("互动交流"), null=True)
    breakdown = models.JSONField(_("得分明细"), default=dict)
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)

    class Meta:
        verbose_name = _("网站评估得分")
        constraints = [models.UniqueConstraint(fields=["site", "day"], name="analytics_score_site_day")]
        ordering = ["-day", "-total"]

    def __str__(self):
        return f"{self.site} {self.day} {self.total}"


class RelatedReading(models.Model):
    """相关阅读: for one page, the pages its readers also read (same visitor, same day) over the
    last 30 days, best first. Recomputed daily from the co-view aggregates, so a public page
    reads its list with one indexed query instead of asking DuckDB."""

    page_id = models.PositiveIntegerField(_("页面"), unique=True)
    site_id = models.PositiveIntegerField(_("网站"))
    related = models.JSONField(_("相关页面"), default=list)
    day = models.DateField(_("计算日期"))

    class Meta:
        verbose_name = _("相关阅读")
        verbose_name_plural = _("相关阅读")

    def __str__(self):
        return f"{self.page_id} → {self.related}"
