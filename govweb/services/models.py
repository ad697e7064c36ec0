"""Online services (办事服务): the service-guide catalogue of every unit, ratings and statistics.

A service item (政务服务事项) belongs to one unit (a `cluster.SiteProfile`) and carries the full
guide (办事指南) the national rules ask for. Its 8 key elements are checked on every save; a
guide missing any of them can be kept as a draft but never published (see `publish`).
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.models import DraftStateMixin, Orderable, RevisionMixin

UNIT = "cluster.SiteProfile"
DOCUMENT = "wagtaildocs.Document"

# The 8 key elements the national inspection checks (NATIONAL.md, "services not usable").
KEY_ELEMENTS = [
    ("name", _("事项名称")),
    ("legal_basis", _("设定依据")),
    ("conditions", _("申请条件")),
    ("materials", _("申请材料")),
    ("place", _("办理地点")),
    ("hours", _("办理时间")),
    ("phone", _("咨询电话")),
    ("steps", _("办理流程")),
]
KEY_ELEMENT_LABELS = dict(KEY_ELEMENTS)
# A site fails the inspection when this many items each lack this many key elements.
VETO_ITEMS, VETO_MISSING = 5, 4

validate_item_code = RegexValidator(
    r"^[0-9A-Z]{12,40}$",
    _("事项编码应为12至40位数字或大写字母（GB/T 39554.1 实施编码）。"),
)


def missing_key_elements(values, material_count, step_count):
    """Which of the 8 key elements are empty: `values` maps field names to text."""
    missing = []
    for key, _label in KEY_ELEMENTS:
        if key == "materials":
            present = material_count > 0
        elif key == "steps":
            present = step_count > 0
        else:
            present = bool(str(values.get(key) or "").strip())
        if not present:
            missing.append(key)
    return missing


_choice_labels = {}


def choice_label(choices, value):
    """The label of a choice in the active language.

    Django's get_FOO_display() translates every label of the field on each call; a guide page
    shows 40-odd of them, so labels are translated once per language and kept.
    """
    key = (choices, get_language())
    labels = _choice_labels.get(key)
    if labels is None:
        labels = _choice_labels[key] = {value: str(label) for value, label in choices.choices}
    return labels.get(value, value)


class IncompleteGuideError(ValidationError):
    """Raised when a guide missing key elements is about to be published."""

    def __init__(self, missing):
        self.missing = list(missing)
        labels = "、".join(str(KEY_ELEMENT_LABELS[key]) for key in self.missing)
        super().__init__(_("办事指南缺少要素：%(labels)s，不能发布。") % {"labels": labels})


class ServiceKind(models.TextChoices):
    """事项类型, coded as in the national catalogue (权力类型代码)."""

    LICENCE = "01", _("行政许可")
    PENALTY = "02", _("行政处罚")
    ENFORCEMENT = "03", _("行政强制")
    LEVY = "04", _("行政征收")
    PAYMENT = "05", _("行政给付")
    INSPECTION = "06", _("行政检查")
    CONFIRMATION = "07", _("行政确认")
    AWARD = "08", _("行政奖励")
    RULING = "09", _("行政裁决")
    OTHER_POWER = "10", _("其他行政权力")
    PUBLIC_SERVICE = "20", _("公共服务")


class Audience(models.TextChoices):
    """服务对象."""

    INDIVIDUAL = "individual", _("自然人")
    LEGAL = "legal", _("法人")
    BOTH = "both", _("自然人、法人")


class OnlineDepth(models.TextChoices):
    """网上办理深度: level 4 means the whole service is done online (全程网办)."""

    GUIDE = "1", _("一级：在线提供办事指南")
    FORMS = "2", _("二级：表格下载")
    PREVIEW = "3", _("三级：在线预审")
    FULL = "4", _("四级：全程网办")


class TopicKind(models.TextChoices):
    """What a topic groups: a citizen's or a business's life event, or a service theme."""

    PERSON = "person", _("个人生命周期")
    LEGAL = "legal", _("法人生命周期")
    THEME = "theme", _("服务主题")


class ServiceTopic(models.Model):
    """生命周期与主题分类: a life event (出生、上学、开办企业…) or a theme (社会保障…)."""

    kind = models.CharField(_("分类类型"), max_length=10, choices=TopicKind.choices)
    name = models.CharField(_("名称"), max_length=40)
    slug = models.SlugField(_("网址标识"), max_length=80, unique=True, allow_unicode=False)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    panels = [FieldPanel("kind"), FieldPanel("name"), FieldPanel("slug"), FieldPanel("position")]

    class Meta:
        verbose_name = _("办事分类")
        verbose_name_plural = _("办事分类")
        ordering = ["kind", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="services_topic_kind_name"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}·{self.name}"

    @staticmethod
    def slug_for(kind, name):
        """A stable ASCII slug from the name's pinyin, so an import recreates the same URL."""
        from pypinyin import lazy_pinyin

        text = "-".join(lazy_pinyin(name))
        text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "topic"
        return f"{kind}-{text}"[:80]


class ServiceItem(DraftStateMixin, RevisionMixin, ClusterableModel):
    """政务服务事项及办事指南: one service a unit provides, with everything a visitor needs."""

    code = models.CharField(_("事项编码"), max_length=40, unique=True, validators=[validate_item_code],
                            help_text=_("GB/T 39554.1 实施编码，12至40位数字或大写字母"))
    name = models.CharField(_("事项名称"), max_length=200)
    kind = models.CharField(_("事项类型"), max_length=2, choices=ServiceKind.choices,
                            default=ServiceKind.PUBLIC_SERVICE)
    department = models.ForeignKey(UNIT, verbose_name=_("所属单位"), on_delete=models.PROTECT,
                                   related_name="service_items")
    agency = models.CharField(_("实施机构"), max_length=100, blank=True,
                              help_text=_("具体办理机构；留空即所属单位"))
    audience = models.CharField(_("服务对象"), max_length=10, choices=Audience.choices,
                                default=Audience.INDIVIDUAL)
    topics = ParentalManyToManyField(ServiceTopic, verbose_name=_("生命周期与主题"), blank=True,
                                     related_name="items")
    legal_basis = models.TextField(_("设定依据"), blank=True)
    conditions = models.TextField(_("申请条件"), blank=True)
    statutory_limit_days = models.PositiveSmallIntegerField(_("法定办结时限（工作日）"), null=True,
                                                            blank=True)
    promised_limit_days = models.PositiveSmallIntegerField(
        _("承诺办结时限（工作日）"), null=True, blank=True, help_text=_("0 表示即办"))
    fee_basis = models.TextField(_("收费依据"), blank=True)
    fee_standard = models.CharField(_("收费标准"), max_length=300, blank=True,
                                    help_text=_("不收费请填写“不收费”"))
    place = models.CharField(_("办理地点"), max_length=300, blank=True)
    hours = models.CharField(_("办理时间"), max_length=200, blank=True)
    phone = models.CharField(_("咨询电话"), max_length=100, blank=True)
    complaint_phone = models.CharField(_("监督投诉电话"), max_length=100, blank=True)
    visits_required = models.PositiveSmallIntegerField(
        _("到办事现场次数"), default=1, validators=[MaxValueValidator(9)])
    online_url = models.URLField(_("在线办理地址"), max_length=500, blank=True)
    online_depth = models.CharField(_("网上办理深度"), max_length=1, choices=OnlineDepth.choices,
                                    default=OnlineDepth.GUIDE)
    notes = models.TextField(_("注意事项"), blank=True)
    version = models.PositiveIntegerField(_("指南版本"), default=1)
    last_verified = models.DateField(_("最近核验日期"), null=True, blank=True)

    # Kept by the platform, not edited by hand.
    hall_version = models.PositiveIntegerField(_("省网上办事大厅版本"), null=True, blank=True,
                                               editable=False)
    hall_checked_at = models.DateTimeField(_("最近与大厅比对"), null=True, blank=True, editable=False)
    missing_elements = models.JSONField(_("缺少的要素"), default=list, blank=True, editable=False)
    missing_count = models.PositiveSmallIntegerField(_("缺少要素数"), default=0, editable=False,
                                                     db_index=True)
    initial = models.CharField(_("拼音首字母"), max_length=1, blank=True, editable=False,
                               db_index=True)
    view_count = models.PositiveIntegerField(_("浏览次数"), default=0, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # Indexed: the latest save time is part of the catalogue pages' cache key (queries.py).
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("办事指南")
        verbose_name_plural = _("办事指南")
        ordering = ["code"]
        indexes = [models.Index(fields=["department", "live"], name="services_item_dept_live")]

    def __str__(self):
        return self.name

    # -- completeness -------------------------------------------------------------------------

    def compute_missing_elements(self):
        values = {key: getattr(self, key, "") for key, _ in KEY_ELEMENTS}
        return missing_key_elements(values, len(self.materials.all()), len(self.steps.all()))

    @property
    def missing_labels(self):
        return [KEY_ELEMENT_LABELS[key] for key in self.missing_elements]

    @property
    def is_complete(self):
        return not self.missing_elements

    @property
    def fully_online(self):
        return self.online_depth == OnlineDepth.FULL

    def save(self, *args, check_completeness=True, **kwargs):
        """Every save re-checks the 8 key elements (callers that already know pass False)."""
        if check_completeness:
            self.missing_elements = self.compute_missing_elements()
        self.missing_count = len(self.missing_elements)
        self.initial = initial_of(self.name)
        super().save(*args, **kwargs)

    def publish(self, revision, *args, **kwargs):
        """Refuse to publish a guide missing any key element, whatever path publishes it."""
        candidate = revision.as_object()
        missing = candidate.compute_missing_elements()
        if missing:
            raise IncompleteGuideError(missing)
        return super().publish(revision, *args, **kwargs)

    def clean(self):
        super().clean()
        if (self.statutory_limit_days is not None and self.promised_limit_days is not None
                and self.promised_limit_days > self.statutory_limit_days):
            raise ValidationError({"promised_limit_days": _("承诺办结时限不能长于法定办结时限。")})

    @property
    def kind_label(self):
        return choice_label(ServiceKind, self.kind)

    @property
    def audience_label(self):
        return choice_label(Audience, self.audience)

    @property
    def online_depth_label(self):
        return choice_label(OnlineDepth, self.online_depth)

    @property
    def materials_for_display(self):
        return self.materials.select_related("blank_form", "instructions", "sample")

    @property
    def agency_name(self):
        return self.agency or self.department.organisation


def initial_of(name):
    """The A–Z letter a name is filed under (first letter of its pinyin)."""
    from pypinyin import Style, lazy_pinyin

    if not name:
        return ""
    letters = lazy_pinyin(name[:1], style=Style.FIRST_LETTER, errors="ignore")
    letter = (letters[0][:1] if letters else name[:1]).upper()
    return letter if "A" <= letter <= "Z" else "#"


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", _("原件")
    COPY = "copy", _("复印件")
    BOTH = "both", _("原件和复印件")


class MaterialMedium(models.TextChoices):
    PAPER = "paper", _("纸质")
    ELECTRONIC = "electronic", _("电子")
    BOTH = "both", _("纸质或电子")


class SealRequirement(models.TextChoices):
    NONE = "none", _("无")
    SIGNATURE = "signature", _("申请人签字")
    SEAL = "seal", _("加盖公章")
    BOTH = "both", _("签字并盖章")


class MaterialSource(models.TextChoices):
    APPLICANT = "applicant", _("申请人自备")
    GOVERNMENT = "government", _("政府部门核发")
    AGENCY = "agency", _("中介机构出具")
    OTHER = "other", _("其他")


class ServiceMaterial(Orderable):
    """申请材料: one document the applicant brings, with its form and downloadable templates."""

    item = ParentalKey(ServiceItem, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("材料名称"), max_length=200)
    basis = models.TextField(_("材料依据"), blank=True)
    form = models.CharField(_("材料形式"), max_length=10, choices=MaterialForm.choices,
                            default=MaterialForm.ORIGINAL)
    medium = models.CharField(_("载体"), max_length=10, choices=MaterialMedium.choices,
                              default=MaterialMedium.PAPER)
    copies = models.PositiveSmallIntegerField(_("份数"), default=1,
                                              validators=[MinValueValidator(0), MaxValueValidator(99)])
    seal = models.CharField(_("签字盖章要求"), max_length=10, choices=SealRequirement.choices,
                            default=SealRequirement.NONE)
    source = models.CharField(_("来源渠道"), max_length=12, choices=MaterialSource.choices,
                              default=MaterialSource.APPLICANT)
    required = models.BooleanField(_("必要材料"), default=True)
    notes = models.CharField(_("备注"), max_length=300, blank=True)
    blank_form = models.ForeignKey(DOCUMENT, verbose_name=_("空白表格"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    instructions = models.ForeignKey(DOCUMENT, verbose_name=_("填写说明"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    sample = models.ForeignKey(DOCUMENT, verbose_name=_("示例样表"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")

    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("form"), FieldPanel("medium"), FieldPanel("copies")]),
        FieldRowPanel([FieldPanel("seal"), FieldPanel("source"), FieldPanel("required")]),
        FieldPanel("basis"), FieldPanel("notes"),
        FieldRowPanel([FieldPanel("blank_form"), FieldPanel("instructions"), FieldPanel("sample")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")

    def __str__(self):
        return self.name

    @property
    def form_label(self):
        return choice_label(MaterialForm, self.form)

    @property
    def medium_label(self):
        return choice_label(MaterialMedium, self.medium)

    @property
    def seal_label(self):
        return choice_label(SealRequirement, self.seal)

    @property
    def source_label(self):
        return choice_label(MaterialSource, self.source)


class ServiceStep(Orderable):
    """办理环节: a step of the process, its time limit and whether it counts towards it."""

    item = ParentalKey(ServiceItem, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField(_("环节名称"), max_length=100)
    time_limit_days = models.PositiveSmallIntegerField(_("环节时限（工作日）"), null=True, blank=True)
    counted_in_limit = models.BooleanField(_("计入办结时限"), default=True)
    fee = models.CharField(_("环节收费"), max_length=100, blank=True)
    basis = models.TextField(_("办理标准与依据"), blank=True)

    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("time_limit_days"), FieldPanel("counted_in_limit"),
                       FieldPanel("fee")]),
        FieldPanel("basis"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")

    def __str__(self):
        return self.name


class ServiceQuestion(Orderable):
    """常见问题."""

    item = ParentalKey(ServiceItem, on_delete=models.CASCADE, related_name="questions")
    question = models.CharField(_("问题"), max_length=300)
    answer = models.TextField(_("解答"))

    panels = [FieldPanel("question"), FieldPanel("answer")]

    class Meta(Orderable.Meta):
        verbose_name = _("常见问题")
        verbose_name_plural = _("常见问题")


class ApplicationCount(models.Model):
    """办件量: applications handled for an item in one month (usually imported from the hall)."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="applications")
    month = models.DateField(_("月份"), help_text=_("当月第一天"))
    total = models.PositiveIntegerField(_("办件总数"), default=0)
    natural_persons = models.PositiveIntegerField(_("自然人办件"), default=0)
    legal_persons = models.PositiveIntegerField(_("法人办件"), default=0)

    class Meta:
        verbose_name = _("办件量")
        verbose_name_plural = _("办件量")
        ordering = ["item", "month"]
        constraints = [
            models.UniqueConstraint(fields=["item", "month"], name="services_applications_month"),
        ]

    def __str__(self):
        return f"{self.item} · {self.month:%Y-%m} · {self.total}"


class ServiceRating(models.Model):
    """好差评: a visitor's 1–5 rating of a service; one per visitor, item and day."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="ratings")
    department = models.ForeignKey(UNIT, on_delete=models.PROTECT, related_name="service_ratings",
                                   verbose_name=_("所属单位"))
    score = models.PositiveSmallIntegerField(
        _("评分"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("评价内容"), max_length=500, blank=True)
    visitor_hash = models.CharField(max_length=64, editable=False)
    address_hash = models.CharField(max_length=64, editable=False, db_index=True)
    day = models.DateField(_("评价日期"), db_index=True)
    created_at = models.DateTimeField(_("评价时间"))

    BAD_SCORE = 2

    class Meta:
        verbose_name = _("好差评")
        verbose_name_plural = _("好差评")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["item", "visitor_hash", "day"],
                                    name="services_rating_once_a_day"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5),
                                   name="services_rating_score_range"),
        ]

    def __str__(self):
        return f"{self.item} · {self.score}"

    @property
    def is_bad(self):
        return self.score <= self.BAD_SCORE


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    DONE = "done", _("已办结")


class RatingFollowUp(models.Model):
    """差评整改任务: every bad rating becomes a task for the unit, due in working days."""

    rating = models.OneToOneField(ServiceRating, on_delete=models.CASCADE, related_name="follow_up",
                                  verbose_name=_("差评"), editable=False)
    department = models.ForeignKey(UNIT, on_delete=models.PROTECT, related_name="service_follow_ups",
                                   verbose_name=_("责任单位"), editable=False)
    due_date = models.DateField(_("整改期限"), editable=False)
    status = models.CharField(_("状态"), max_length=10, choices=FollowUpStatus.choices,
                              default=FollowUpStatus.OPEN)
    response = models.TextField(_("整改情况"), blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)
    handled_at = models.DateTimeField(_("办结时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), editable=False)

    panels = [FieldPanel("status"), FieldPanel("response")]

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        ordering = ["status", "due_date", "id"]

    def __str__(self):
        return f"{self.rating.item} · {self.due_date:%Y-%m-%d}"

    def clean(self):
        super().clean()
        if self.status == FollowUpStatus.DONE and not self.response.strip():
            raise ValidationError({"response": _("办结前请填写整改情况。")})


class ImportRun(models.Model):
    """数据交换记录: one import of the provincial hall's catalogue, with its diff report."""

    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    channel = models.CharField(_("方式"), max_length=20, default="cli")
    check_only = models.BooleanField(_("仅比对"), default=False)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变化"), default=0)
    failed = models.PositiveIntegerField(_("失败"), default=0)
    report = models.JSONField(_("差异报告"), default=dict, blank=True)

    class Meta:
        verbose_name = _("数据交换记录")
        verbose_name_plural = _("数据交换记录")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.source}"


class ExchangeToken(models.Model):
    """数据交换令牌: what the provincial hall presents to the catalogue API (stored hashed)."""

    name = models.CharField(_("名称"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    can_import = models.BooleanField(_("允许导入"), default=False)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("数据交换令牌")
        verbose_name_plural = _("数据交换令牌")

    def __str__(self):
        return self.name
