"""Supervision built in (监管考核): daily reading of the web (读网), quarterly spot checks
(季度抽查), each site's annual report (年度报表) and the counterfeit-site register (仿冒网站).
"""

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

SITE = "cluster.SiteProfile"


class Severity(models.TextChoices):
    """预警 comes before the inspection would fault the site; 问题 costs points; 否决 fails it."""

    WARNING = "warning", _("预警")
    PROBLEM = "problem", _("问题")
    VETO = "veto", _("单项否决")


SEVERITY_ORDER = {Severity.WARNING: 0, Severity.PROBLEM: 1, Severity.VETO: 2}


class RunKind(models.TextChoices):
    DAILY = "daily", _("每日读网")
    SPOT = "spot", _("季度抽查")
    MANUAL = "manual", _("手动检查")


class CheckRun(models.Model):
    """检查记录: one run of the rules over some sites — the record R12.2 asks for."""

    kind = models.CharField(_("类型"), max_length=10, choices=RunKind.choices, default=RunKind.DAILY)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    sites = models.JSONField(_("检查网站"), default=list)
    rules = models.JSONField(_("执行的规则"), default=list)
    skipped_rules = models.JSONField(_("跳过的规则"), default=dict, blank=True)
    pages_checked = models.PositiveIntegerField(_("检查页面数"), default=0)
    links_checked = models.PositiveIntegerField(_("检查链接数"), default=0)
    found = models.PositiveIntegerField(_("发现问题"), default=0)
    new = models.PositiveIntegerField(_("新增问题"), default=0)
    resolved = models.PositiveIntegerField(_("已整改关闭"), default=0)
    errors = models.JSONField(_("运行错误"), default=list, blank=True)

    class Meta:
        verbose_name = _("检查记录")
        verbose_name_plural = _("检查记录")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d %H:%M}"


def finding_key_hash(key):
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


class Finding(models.Model):
    """监测发现: one thing the national inspection would fault a site for, until it is fixed.

    Open while `resolved_at` is empty; a run that no longer sees it closes it.
    """

    site = models.ForeignKey(SITE, verbose_name=_("网站"), on_delete=models.CASCADE,
                             related_name="supervision_findings")
    rule = models.CharField(_("规则"), max_length=40, db_index=True)
    severity = models.CharField(_("级别"), max_length=10, choices=Severity.choices)
    key = models.CharField(_("标识"), max_length=500)
    key_hash = models.CharField(max_length=40, editable=False)
    summary = models.CharField(_("问题描述"), max_length=300)
    url = models.CharField(_("页面地址"), max_length=1000, blank=True)
    excerpt = models.TextField(_("证据摘录"), blank=True)
    value = models.FloatField(_("测量值"), null=True, blank=True)
    first_seen_at = models.DateTimeField(_("首次发现"))
    last_seen_at = models.DateTimeField(_("最近发现"))
    resolved_at = models.DateTimeField(_("整改关闭时间"), null=True, blank=True)
    last_run = models.ForeignKey(CheckRun, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")

    class Meta:
        verbose_name = _("监测发现")
        verbose_name_plural = _("监测发现")
        ordering = ["-first_seen_at", "pk"]
        constraints = [models.UniqueConstraint(
            fields=["site", "rule", "key_hash"], condition=models.Q(resolved_at__isnull=True),
            name="supervision_one_open_finding")]
        indexes = [models.Index(fields=["site", "resolved_at"], name="supervision_finding_open")]

    def __str__(self):
        return f"{self.site} · {self.summary}"

    def save(self, *args, **kwargs):
        self.key_hash = finding_key_hash(self.key)
        super().save(*args, **kwargs)

    @property
    def is_open(self):
        return self.resolved_at is None


class ReachabilitySample(models.Model):
    """首页可访问性采样: one timed load of a site's home page."""

    site = models.ForeignKey(SITE, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(_("采样时间"), db_index=True)
    ok = models.BooleanField(_("15秒内打开"))
    seconds = models.FloatField(_("耗时（秒）"), null=True, blank=True)
    status = models.PositiveSmallIntegerField(_("状态码"), null=True, blank=True)
    error = models.CharField(_("错误"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("首页可访问性采样")
        verbose_name_plural = _("首页可访问性采样")
        indexes = [models.Index(fields=["site", "at"], name="supervision_sample_site_at")]

    def __str__(self):
        return f"{self.site_id} {self.at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'fail'}"


class ExpressionKind(models.TextChoices):
    OUTDATED = "outdated", _("过时称谓")
    MISWRITTEN = "miswritten", _("错误表述")
    SENSITIVE = "sensitive", _("敏感词")


class ForbiddenExpression(models.Model):
    """错敏词: an outdated title, a miswritten name or a sensitive word no page may carry."""

    text = models.CharField(_("词语"), max_length=100, unique=True)
    kind = models.CharField(_("类型"), max_length=12, choices=ExpressionKind.choices)
    suggestion = models.CharField(_("建议改为"), max_length=100, blank=True)
    severity = models.CharField(_("级别"), max_length=10, choices=Severity.choices,
                                default=Severity.PROBLEM)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("错敏词")
        verbose_name_plural = _("错敏词")
        ordering = ["kind", "text"]

    def __str__(self):
        return self.text


class Alert(models.Model):
    """监管提醒: what an editor or security officer sees in the admin (and got by e-mail)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(SITE, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=20, default="daily")
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("时间"))
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("监管提醒")
        verbose_name_plural = _("监管提醒")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title


# --- quarterly spot check ----------------------------------------------------------------------

class SpotCheckIndicator(models.Model):
    """考核指标: one line of the scoring form — points, or a single-veto item deciding alone."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("指标"), max_length=100)
    description = models.CharField(_("评分说明"), max_length=300, blank=True)
    points = models.PositiveSmallIntegerField(_("分值"), default=0)
    is_veto = models.BooleanField(_("单项否决指标"), default=False)
    rules = models.CharField(_("对应自动检查规则"), max_length=200, blank=True,
                             help_text=_("多个规则代码用逗号分隔，用于预填分数"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["-is_veto", "order", "pk"]

    def __str__(self):
        return self.name

    def rule_list(self):
        return [r.strip() for r in self.rules.split(",") if r.strip()]


class SpotCheckStatus(models.TextChoices):
    DRAWN = "drawn", _("已抽取，评分中")
    SIGNED = "signed", _("已签发")
    PUBLISHED = "published", _("已公开")


class SpotCheck(models.Model):
    """季度抽查: the seeded random draw of ≥ 30% of online sites, its scores and publication."""

    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"), choices=[(q, f"第{q}季度") for q in range(1, 5)])
    ratio = models.DecimalField(_("抽查比例"), max_digits=4, decimal_places=2, default=0.30)
    seed = models.CharField(_("随机种子"), max_length=40)
    population = models.JSONField(_("抽样总体（在线网站）"), default=list)
    sample = models.JSONField(_("抽中网站"), default=list)
    drawn_at = models.DateTimeField(_("抽取时间"))
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                 related_name="+")
    run = models.ForeignKey(CheckRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=SpotCheckStatus.choices,
                              default=SpotCheckStatus.DRAWN)
    summary = models.TextField(_("总体情况"), blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    signed_at = models.DateTimeField(_("签发时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("季度抽查")
        verbose_name_plural = _("季度抽查")
        ordering = ["-year", "-quarter"]
        constraints = [models.UniqueConstraint(fields=["year", "quarter"], name="supervision_one_draw_per_quarter")]

    def __str__(self):
        return f"{self.year}年第{self.quarter}季度政府网站抽查"


class SpotCheckResult(models.Model):
    """抽查结果: one sampled site's findings snapshot, score and verdict."""

    spot_check = models.ForeignKey(SpotCheck, on_delete=models.CASCADE, related_name="results")
    site = models.ForeignKey(SITE, on_delete=models.PROTECT, related_name="+")
    auto_findings = models.JSONField(_("自动检查结果"), default=list)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1, default=0)
    vetoed = models.BooleanField(_("单项否决"), default=False)
    veto_reasons = models.CharField(_("否决事项"), max_length=300, blank=True)
    passed = models.BooleanField(_("合格"), default=False)
    scored = models.BooleanField(_("已评分"), default=False)
    comment = models.TextField(_("评语"), blank=True)
    notice_sent_at = models.DateTimeField(_("整改通知时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("抽查结果")
        verbose_name_plural = _("抽查结果")
        ordering = ["spot_check", "site_id"]
        constraints = [models.UniqueConstraint(fields=["spot_check", "site"], name="supervision_one_result")]

    def __str__(self):
        return f"{self.spot_check} · {self.site}"

    @property
    def verdict(self):
        if self.vetoed:
            return _("单项否决")
        return _("合格") if self.passed else _("不合格")


class SpotCheckScore(models.Model):
    """评分: points (or a veto) an inspector gives a site on one indicator."""

    result = models.ForeignKey(SpotCheckResult, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(SpotCheckIndicator, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("得分"), max_digits=5, decimal_places=1, default=0)
    vetoed = models.BooleanField(_("触发否决"), default=False)
    note = models.CharField(_("扣分说明"), max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["result", "indicator"], name="supervision_one_score")]

    def __str__(self):
        return f"{self.indicator_id}: {self.points}"


# --- annual reports ----------------------------------------------------------------------------

class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("待审核")
    SIGNED = "signed", _("已审签")
    PUBLISHED = "published", _("已公开")


class AnnualReport(models.Model):
    """政府网站工作年度报表: the national form for one site and year, filled from the platform."""

    site = models.ForeignKey(SITE, verbose_name=_("网站"), on_delete=models.CASCADE,
                             related_name="annual_reports")
    year = models.PositiveSmallIntegerField(_("年度"))
    data = models.JSONField(_("平台统计数据"), default=dict)
    columns = models.JSONField(_("各栏目发布数"), default=list)
    manual = models.JSONField(_("人工填报数据"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=ReportStatus.choices,
                              default=ReportStatus.DRAFT)
    filled_at = models.DateTimeField(_("填报时间"))
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    signed_at = models.DateTimeField(_("审签时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("网站年度报表")
        verbose_name_plural = _("网站年度报表")
        ordering = ["-year", "site_id"]
        constraints = [models.UniqueConstraint(fields=["site", "year"], name="supervision_one_report")]

    def __str__(self):
        return f"{self.site} {self.year}年度"

    def value(self, key):
        if key in self.manual and self.manual[key] not in (None, ""):
            return self.manual[key]
        return self.data.get(key)


class SupervisionReport(models.Model):
    """年度监管报告: the general office's yearly report, snapshotted when published."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    data = models.JSONField(default=dict)
    training = models.CharField(_("培训情况"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("年度监管报告")
        verbose_name_plural = _("年度监管报告")
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}年度政府网站监管工作报告"


# --- counterfeit sites -------------------------------------------------------------------------

class CounterfeitStatus(models.TextChoices):
    RECEIVED = "received", _("已受理")
    VERIFYING = "verifying", _("核查中")
    CONFIRMED = "confirmed", _("确认仿冒，已通报处置")
    TAKEN_DOWN = "taken_down", _("已关停")
    NOT_COUNTERFEIT = "not_counterfeit", _("经核实非仿冒")


class CounterfeitSite(models.Model):
    """仿冒政府网站 (R11.6): reported by the public or found by monitoring, and how it was handled."""

    url = models.URLField(_("仿冒网站地址"), max_length=500)
    imitated_site = models.ForeignKey(SITE, verbose_name=_("被仿冒网站"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    description = models.TextField(_("情况描述"), max_length=1000)
    reporter_name = models.CharField(_("举报人"), max_length=30, blank=True)
    reporter_contact = models.CharField(_("联系方式"), max_length=60, blank=True)
    source = models.CharField(_("来源"), max_length=10, default="public",
                              choices=[("public", _("网民举报")), ("monitor", _("监测发现"))])
    status = models.CharField(_("处置状态"), max_length=20, choices=CounterfeitStatus.choices,
                              default=CounterfeitStatus.RECEIVED)
    handling = models.TextField(_("处置情况"), blank=True)
    received_at = models.DateTimeField(_("受理时间"))
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("仿冒网站")
        verbose_name_plural = _("仿冒网站登记")
        ordering = ["-received_at"]

    def __str__(self):
        return self.url
