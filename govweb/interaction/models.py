"""The interaction platform (互动交流平台): one pool for every site's citizen contributions.

Messages, error reports, consultations, surveys, interviews and the Q&A knowledge base of all
sites live in the same tables; a unit (承办单位) is a `cluster.SiteProfile`. Nothing a citizen
sends is deleted: rejected items keep their reason, and every handling step is an event row.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable

UNIT = "cluster.SiteProfile"


def new_check_code():
    """查询码: 6 characters without look-alikes, given to the citizen with the tracking number."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    # 32 letters: each random byte picks one uniformly (one read of the system's randomness
    # instead of one per letter).
    return "".join(alphabet[byte % 32] for byte in secrets.token_bytes(6))


def luhn_digit(digits):
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


# ---------------------------------------------------------------------------------------------
# Configuration kept by the general office


class WorkCalendarDay(models.Model):
    """工作日历调整: a holiday or adjusted working day the package does not know yet."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"), help_text=_("勾选：调休上班；不勾选：放假"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    panels = [FieldPanel("date"), FieldPanel("is_workday"), FieldPanel("note")]

    class Meta:
        verbose_name = _("工作日历调整")
        verbose_name_plural = _("工作日历调整")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.date} {'上班' if self.is_workday else '放假'} {self.note}"


class MessageKind(models.TextChoices):
    """留言类型."""

    CONSULTATION = "consultation", _("咨询")
    COMPLAINT = "complaint", _("投诉")
    SUGGESTION = "suggestion", _("建议")
    HELP = "help", _("求助")


class DeadlineRule(models.Model):
    """办理时限: working days to reply per message kind (default 5, one extension)."""

    kind = models.CharField(_("留言类型"), max_length=20, choices=MessageKind.choices, unique=True)
    reply_days = models.PositiveSmallIntegerField(_("答复时限（工作日）"), default=5)
    extension_days = models.PositiveSmallIntegerField(_("延期（工作日）"), default=5)
    remind_days = models.PositiveSmallIntegerField(_("到期前提醒（工作日）"), default=1)

    panels = [FieldPanel("kind"), FieldPanel("reply_days"), FieldPanel("extension_days"),
              FieldPanel("remind_days")]

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")

    def __str__(self):
        return f"{self.get_kind_display()}：{self.reply_days}个工作日"


class SensitiveWord(models.Model):
    """敏感词: a submission containing one is held for moderation instead of being published."""

    word = models.CharField(_("敏感词"), max_length=50, unique=True)

    panels = [FieldPanel("word")]

    class Meta:
        verbose_name = _("敏感词")
        verbose_name_plural = _("敏感词")
        ordering = ["word"]

    def __str__(self):
        return self.word


class ReplyTemplate(models.Model):
    """答复模板: standard wording a unit (or the whole cluster) reuses."""

    unit = models.ForeignKey(UNIT, verbose_name=_("单位"), null=True, blank=True,
                             on_delete=models.CASCADE, help_text=_("留空为全市通用"))
    title = models.CharField(_("名称"), max_length=100)
    body = models.TextField(_("答复内容"), max_length=5000)

    panels = [FieldPanel("unit"), FieldPanel("title"), FieldPanel("body")]

    class Meta:
        verbose_name = _("答复模板")
        verbose_name_plural = _("答复模板")
        ordering = ["unit_id", "title"]

    def __str__(self):
        return self.title


# ---------------------------------------------------------------------------------------------
# Messages (留言)


class MessageState(models.TextChoices):
    RECEIVED = "received", _("已接收")
    ACCEPTED = "accepted", _("已受理")
    REJECTED = "rejected", _("不予受理")
    ASSIGNED = "assigned", _("办理中")
    REPLIED = "replied", _("答复待审核")
    PUBLISHED = "published", _("已答复")
    CLOSED = "closed", _("已办结")


OPEN_STATES = [MessageState.RECEIVED, MessageState.ACCEPTED, MessageState.ASSIGNED,
               MessageState.REPLIED]


class RejectReason(models.TextChoices):
    DUPLICATE = "duplicate", _("重复留言")
    OUT_OF_SCOPE = "out_of_scope", _("不属于受理范围")
    ABUSIVE = "abusive", _("含有辱骂、攻击等内容")


class Message(models.Model):
    """留言: a citizen's letter to a unit, from receipt to published reply and rating."""

    site = models.ForeignKey(UNIT, verbose_name=_("来源网站"), on_delete=models.PROTECT,
                             related_name="+")
    unit = models.ForeignKey(UNIT, verbose_name=_("办理单位"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="messages",
                             help_text=_("留空表示“不确定”，由市政府办公厅分办"))
    kind = models.CharField(_("类型"), max_length=20, choices=MessageKind.choices)
    title = models.CharField(_("标题"), max_length=100)
    content = models.TextField(_("内容"), max_length=3000)
    name = models.CharField(_("姓名"), max_length=30)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    may_publish = models.BooleanField(_("同意公开"), default=True)
    state = models.CharField(_("状态"), max_length=20, choices=MessageState.choices,
                             default=MessageState.RECEIVED, db_index=True)
    held = models.BooleanField(_("待人工审核（含敏感词）"), default=False)
    reject_reason = models.CharField(_("不予受理原因"), max_length=20, blank=True,
                                     choices=RejectReason.choices)
    reject_note = models.CharField(_("不予受理说明"), max_length=300, blank=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("承办人"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    received_at = models.DateTimeField(_("接收时间"), default=timezone.now, db_index=True)
    deadline = models.DateField(_("答复期限"))
    extended = models.BooleanField(_("已延期"), default=False)
    extension_reason = models.CharField(_("延期原因"), max_length=300, blank=True)
    reply = models.TextField(_("答复内容"), max_length=5000, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("答复人"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"),
                                      null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=300, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the "留言已收到" notice was written to the outbox (periodic job, not the request).
    receipt_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    idempotency_token = models.CharField(max_length=64, unique=True, editable=False)
    check_code = models.CharField(_("查询码"), max_length=8, default=new_check_code,
                                  editable=False)

    class Meta:
        verbose_name = _("留言")
        verbose_name_plural = _("留言")
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["unit", "state", "deadline"]),
                   models.Index(fields=["state", "deadline"]),
                   models.Index(fields=["received_at"], name="interaction_msg_notice_due",
                                condition=models.Q(receipt_notified_at__isnull=True))]

    def __str__(self):
        return f"{self.tracking_number} {self.title}"

    @property
    def tracking_number(self):
        """受理编号: receipt date + zero-padded row id + a Luhn check digit."""
        if not self.pk:
            return ""
        body = timezone.localtime(self.received_at).strftime("%Y%m%d") + f"{self.pk:07d}"
        return body + luhn_digit(body)

    @staticmethod
    def pk_from_tracking_number(number):
        number = (number or "").strip()
        if len(number) < 16 or not number.isdigit() or luhn_digit(number[:-1]) != number[-1]:
            return None
        return int(number[8:-1])

    @property
    def is_open(self):
        return self.state in OPEN_STATES

    @property
    def is_public(self):
        return (self.state in (MessageState.PUBLISHED, MessageState.CLOSED) and self.may_publish
                and not self.held)

    def is_overdue(self, now):
        from .workdays import local_date

        return self.is_open and local_date(now) > self.deadline


class MessageAttachment(models.Model):
    """留言附件: an image or PDF, checked by its content."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="interaction/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("留言附件")

    def __str__(self):
        return self.original_name


class MessageEvent(models.Model):
    """办理记录: one row per action on a message (the audit history); notes are internal."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=30)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    from_unit = models.ForeignKey(UNIT, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    to_unit = models.ForeignKey(UNIT, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    note = models.TextField(blank=True)

    ACTION_LABELS = {
        "submit": _("提交留言"), "accept": _("受理"), "reject": _("不予受理"),
        "assign": _("交办"), "transfer": _("转办"), "extend": _("延期"),
        "draft_reply": _("提交答复待审"), "return_reply": _("退回答复"),
        "sign_off": _("审核签发"), "close": _("办结"), "rate": _("群众评价"),
        "note": _("内部备注"), "remind": _("到期提醒"), "escalate": _("超期督办"),
        "release_hold": _("敏感词审核通过"),
    }

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    @property
    def action_label(self):
        return self.ACTION_LABELS.get(self.action, self.action)


# ---------------------------------------------------------------------------------------------
# Error reports (我为政府网站找错)


class ErrorKind(models.TextChoices):
    BROKEN_LINK = "broken_link", _("链接无法访问")
    WRONG_CONTENT = "wrong_content", _("内容错误")
    TYPO = "typo", _("错别字")
    NOT_UPDATED = "not_updated", _("内容未更新")
    OTHER = "other", _("其他")


class ErrorReport(models.Model):
    """网民纠错: a report about a page, answered within 2 working days (R12.4)."""

    class State(models.TextChoices):
        OPEN = "open", _("待处理")
        ANSWERED = "answered", _("已答复")

    site = models.ForeignKey(UNIT, verbose_name=_("网站"), on_delete=models.PROTECT,
                             related_name="error_reports")
    page_url = models.URLField(_("页面地址"), max_length=500, blank=True)
    kind = models.CharField(_("问题类型"), max_length=20, choices=ErrorKind.choices)
    description = models.TextField(_("问题描述"), max_length=1000)
    name = models.CharField(_("姓名"), max_length=30, blank=True)
    contact = models.CharField(_("联系方式"), max_length=60, blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.OPEN,
                             db_index=True)
    received_at = models.DateTimeField(_("接收时间"), default=timezone.now)
    deadline = models.DateField(_("答复期限"))
    reply = models.TextField(_("处理结果"), max_length=2000, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)
    idempotency_token = models.CharField(max_length=64, unique=True, editable=False)
    check_code = models.CharField(max_length=8, default=new_check_code, editable=False)

    class Meta:
        verbose_name = _("网民纠错")
        verbose_name_plural = _("网民纠错")
        ordering = ["-received_at", "-pk"]

    def __str__(self):
        return f"{self.tracking_number} {self.get_kind_display()}"

    @property
    def tracking_number(self):
        if not self.pk:
            return ""
        body = "9" + timezone.localtime(self.received_at).strftime("%Y%m%d") + f"{self.pk:06d}"
        return body + luhn_digit(body)

    def is_overdue(self, now):
        from .workdays import local_date

        return self.state == self.State.OPEN and local_date(now) > self.deadline



# ---------------------------------------------------------------------------------------------
# Consultations (意见征集) and surveys (问卷调查)


class Consultation(models.Model):
    """意见征集: a draft policy opened for public comment, then a published feedback report."""

    site = models.ForeignKey(UNIT, verbose_name=_("发布单位"), on_delete=models.PROTECT,
                             related_name="consultations")
    title = models.CharField(_("标题"), max_length=200)
    summary = models.TextField(_("征集说明"), max_length=1000, blank=True)
    draft_text = RichTextField(_("草案全文"))
    attachment = models.ForeignKey("wagtaildocs.Document", verbose_name=_("附件"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    opens_at = models.DateTimeField(_("开始时间"))
    closes_at = models.DateTimeField(_("截止时间"))
    feedback_report = RichTextField(_("意见采纳情况反馈"), blank=True)
    feedback_published_at = models.DateTimeField(_("反馈发布时间"), null=True, blank=True)

    panels = [
        FieldPanel("site"), FieldPanel("title"), FieldPanel("summary"), FieldPanel("draft_text"),
        FieldPanel("attachment"),
        MultiFieldPanel([FieldPanel("opens_at"), FieldPanel("closes_at")], heading=_("征集时间")),
        MultiFieldPanel([FieldPanel("feedback_report"), FieldPanel("feedback_published_at")],
                        heading=_("反馈")),
    ]

    class Meta:
        verbose_name = _("意见征集")
        verbose_name_plural = _("意见征集")
        ordering = ["-opens_at", "-pk"]

    def __str__(self):
        return self.title

    def is_open(self, now):
        return self.opens_at <= now < self.closes_at

    def status_label(self, now):
        if now < self.opens_at:
            return _("未开始")
        if now < self.closes_at:
            return _("征集中")
        return _("已反馈") if self.feedback_published_at else _("已截止")


class ConsultationComment(models.Model):
    """征集意见: one comment, moderated; after closing marked adopted or not, with a reason."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("未通过")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE,
                                     related_name="comments")
    name = models.CharField(_("姓名"), max_length=30)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)
    content = models.TextField(_("意见内容"), max_length=2000)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    held = models.BooleanField(default=False)
    adopted = models.BooleanField(_("是否采纳"), null=True, blank=True)
    adoption_note = models.CharField(_("采纳说明"), max_length=300, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    idempotency_token = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        ordering = ["submitted_at", "pk"]

    def __str__(self):
        return self.content[:30]


class Survey(ClusterableModel):
    """问卷调查: a questionnaire; one response per visitor; results as charts after closing."""

    site = models.ForeignKey(UNIT, verbose_name=_("发布单位"), on_delete=models.PROTECT,
                             related_name="surveys")
    title = models.CharField(_("标题"), max_length=200)
    intro = models.TextField(_("说明"), max_length=1000, blank=True)
    opens_at = models.DateTimeField(_("开始时间"))
    closes_at = models.DateTimeField(_("截止时间"))

    panels = [FieldPanel("site"), FieldPanel("title"), FieldPanel("intro"),
              FieldPanel("opens_at"), FieldPanel("closes_at"),
              InlinePanel("questions", label=_("题目"))]

    class Meta:
        verbose_name = _("问卷调查")
        verbose_name_plural = _("问卷调查")
        ordering = ["-opens_at", "-pk"]

    def __str__(self):
        return self.title

    def is_open(self, now):
        return self.opens_at <= now < self.closes_at

    def status_label(self, now):
        if now < self.opens_at:
            return _("未开始")
        return _("进行中") if now < self.closes_at else _("已结束")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选")
    MULTIPLE = "multiple", _("多选")
    RATING = "rating", _("评分（1–5）")
    TEXT = "text", _("填空")


class SurveyQuestion(Orderable):
    survey = ParentalKey(Survey, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("题目"), max_length=200)
    kind = models.CharField(_("题型"), max_length=20, choices=QuestionKind.choices)
    required = models.BooleanField(_("必答"), default=True)
    options = models.TextField(_("选项"), blank=True, help_text=_("每行一个选项（单选、多选）"))

    panels = [FieldPanel("text"), FieldPanel("kind"), FieldPanel("required"),
              FieldPanel("options")]

    def option_list(self):
        return [line.strip() for line in self.options.splitlines() if line.strip()]


class SurveyResponse(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    visitor_hash = models.CharField(max_length=64)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "visitor_hash"],
                                               name="one_response_per_visitor")]

    def __str__(self):
        return f"{self.survey_id}/{self.pk}"


class SurveyAnswer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    value = models.CharField(max_length=200, blank=True)
    text = models.TextField(max_length=1000, blank=True)

    def __str__(self):
        return self.value or self.text[:30]


# ---------------------------------------------------------------------------------------------
# Online interviews (在线访谈)


class Interview(models.Model):
    """在线访谈: guests answer moderated questions live; afterwards a full-text archive."""

    site = models.ForeignKey(UNIT, verbose_name=_("主办单位"), on_delete=models.PROTECT,
                             related_name="interviews")
    title = models.CharField(_("访谈主题"), max_length=200)
    guests = models.CharField(_("访谈嘉宾"), max_length=300)
    description = models.TextField(_("访谈简介"), max_length=2000)
    image = models.ForeignKey("wagtailimages.Image", verbose_name=_("图片"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+")
    video_url = models.URLField(_("视频地址"), blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    summary = models.TextField(_("访谈综述"), max_length=5000, blank=True)

    panels = [FieldPanel("site"), FieldPanel("title"), FieldPanel("guests"),
              FieldPanel("description"), FieldPanel("image"), FieldPanel("video_url"),
              FieldPanel("starts_at"), FieldPanel("ends_at"), FieldPanel("summary")]

    class Meta:
        verbose_name = _("在线访谈")
        verbose_name_plural = _("在线访谈")
        ordering = ["-starts_at", "-pk"]

    def __str__(self):
        return self.title

    def phase(self, now):
        if now < self.starts_at:
            return "upcoming"
        return "live" if now < self.ends_at else "archived"

    def accepts_questions(self, now):
        return now < self.ends_at


class InterviewQuestion(models.Model):
    """网友提问: approved by a moderator before it appears; the guest's answer appears live."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("未通过")

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="questions")
    asker = models.CharField(_("网友昵称"), max_length=30)
    content = models.TextField(_("问题"), max_length=500)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    held = models.BooleanField(default=False)
    answer = models.TextField(_("嘉宾答复"), max_length=3000, blank=True)
    answered_by = models.CharField(_("答复嘉宾"), max_length=60, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    idempotency_token = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        ordering = ["published_at", "pk"]

    def __str__(self):
        return self.content[:30]


# ---------------------------------------------------------------------------------------------
# Smart Q&A (智能问答)


class FAQ(models.Model):
    """常见问题: the knowledge base each unit keeps for smart Q&A."""

    unit = models.ForeignKey(UNIT, verbose_name=_("单位"), on_delete=models.CASCADE,
                             related_name="faqs")
    question = models.CharField(_("问题"), max_length=200)
    answer = models.TextField(_("答案"), max_length=3000)
    keywords = models.CharField(_("关键词"), max_length=200, blank=True,
                                help_text=_("多个关键词用空格或逗号分隔"))
    live = models.BooleanField(_("启用"), default=True)

    panels = [FieldPanel("unit"), FieldPanel("question"), FieldPanel("answer"),
              FieldPanel("keywords"), FieldPanel("live")]

    class Meta:
        verbose_name = _("常见问题")
        verbose_name_plural = _("常见问题（智能问答知识库）")
        ordering = ["unit_id", "pk"]

    def __str__(self):
        return self.question


# ---------------------------------------------------------------------------------------------
# Notifications


class Outbox(models.Model):
    """发件箱: every notification to a citizen (email/SMS), whatever sender delivers it.

    A row is written in the transaction of the action that causes it (durable with it) and
    delivered afterwards by the periodic job `interaction_outbox` (`notify.deliver_pending`).
    """

    # Rows reference only a message: Wagtail's usage index would queue a task on every save.
    wagtail_reference_index_ignore = True

    class Channel(models.TextChoices):
        EMAIL = "email", _("邮件")
        SMS = "sms", _("短信")

    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.CharField(max_length=254)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")

    class Meta:
        verbose_name = _("通知发件箱")
        verbose_name_plural = _("通知发件箱")
        ordering = ["-created_at", "-pk"]
        # The delivery job reads the few pending rows, not the whole history.
        indexes = [models.Index(fields=["created_at"], name="interaction_outbox_pending",
                                condition=models.Q(sent_at__isnull=True, error=""))]

    def __str__(self):
        return f"{self.channel} {self.recipient} {self.subject}"


def visitor_hash(visitor_id):
    """A stable, non-reversible id of a browser (cookie value) for one-response-per-visitor."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:visitor:{visitor_id}".encode()).hexdigest()
