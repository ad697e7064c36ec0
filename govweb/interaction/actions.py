"""Writes on the interaction platform: `do_<verb>_<noun>()`, atomic, each leaving a history row.

Permission checks live in `permissions.py` and are applied by the views; these functions assume
the caller may act and enforce only the state machine.
"""

import logging
import time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from django.utils.translation import gettext as _

from . import conf, notify
from .models import (
    OPEN_STATES,
    ConsultationComment,
    DeadlineRule,
    ErrorReport,
    InterviewQuestion,
    Message,
    MessageAttachment,
    MessageEvent,
    MessageState,
    SurveyAnswer,
    SurveyResponse,
)
from .workdays import add_working_days, remaining_working_days

logger = logging.getLogger("govweb.interaction")

DEFAULT_REPLY_DAYS = 5
DEFAULT_EXTENSION_DAYS = 5
DEFAULT_REMIND_DAYS = 1
ERROR_REPORT_DAYS = 2  # R12.4


class ActionError(ValidationError):
    """A transition the message's state does not allow (shown to the official)."""


_RULES_TTL_SECONDS = 60
_rules = {"expires": 0.0, "by_kind": {}}


def forget_deadline_rules():
    """Called when the general office edits a rule (other processes follow within a minute)."""
    _rules["expires"] = 0.0


def deadline_rule(kind):
    """(reply, extension, remind) working days for a message kind; the few rules are kept in
    memory for a minute, as every submission needs one."""
    if time.monotonic() >= _rules["expires"]:
        _rules["by_kind"] = {
            rule.kind: (rule.reply_days, rule.extension_days, rule.remind_days)
            for rule in DeadlineRule.objects.all()}
        _rules["expires"] = time.monotonic() + _RULES_TTL_SECONDS
    return _rules["by_kind"].get(
        kind, (DEFAULT_REPLY_DAYS, DEFAULT_EXTENSION_DAYS, DEFAULT_REMIND_DAYS))


def _event(message, actor, action, *, from_state="", note="", from_unit=None, to_unit=None,
           now=None):
    return MessageEvent.objects.create(
        message=message, actor=actor, action=action, from_state=from_state,
        to_state=message.state, note=note, from_unit=from_unit, to_unit=to_unit,
        at=now or timezone.now(),
    )


def _locked(message):
    return Message.objects.select_for_update().get(pk=message.pk)


def _require(message, states, what):
    if message.state not in states:
        raise ActionError(_("留言当前状态为“%(state)s”，不能%(what)s。") % {
            "state": message.get_state_display(), "what": what})


# ---------------------------------------------------------------------------------------------
# Messages


def do_submit_message(*, site, unit, kind, title, content, name, phone="", email="",
                      may_publish=True, token, attachments=(), held=False, now=None):
    """Store a citizen's message (committed before returning). Returns (message, created).

    One short transaction: the message, its attachments and its history row. The receipt
    notice to the citizen is written afterwards by `do_queue_receipt_notices()` (periodic job),
    so nothing but these inserts runs while the transaction is open. A second call with the
    same idempotency token returns the first message unchanged — the token's unique index
    decides, so a double click or a retry after a lost response never creates a duplicate,
    even when both race. The tracking number comes from the row id: no counter row is locked.

    On PostgreSQL a message without attachments is stored by one statement (both rows, in
    autocommit: committed, and flushed with synchronous_commit, when it returns) — one round
    trip instead of four, and less of the ORM's per-save work, on the busiest public write.
    """
    now = now or timezone.now()
    reply_days, _ext, _remind = deadline_rule(kind)
    # Prepared before the transaction starts (on SQLite it holds the single write lock).
    message = Message(
        site=site, unit=unit, kind=kind, title=title, content=content, name=name, phone=phone,
        email=email, may_publish=may_publish, held=held, received_at=now,
        deadline=add_working_days(now, reply_days), idempotency_token=token)
    event = MessageEvent(actor=None, action="submit", from_state="", to_state=message.state,
                         note=_("含敏感词，待人工审核") if held else "", from_unit=None,
                         to_unit=unit, at=now)
    connection = connections[router.db_for_write(Message)]
    # The crash test pauses inside an open transaction: that needs the transaction path.
    if connection.vendor == "postgresql" and not attachments and not conf.pause_configured():
        if _insert_submission(connection, message, event):
            return message, True
        return _stored_message(token), False
    try:
        with transaction.atomic(using=connection.alias):
            message.save(force_insert=True, using=connection.alias)
            for index, (uploaded, content_type, extension) in enumerate(attachments, 1):
                original = uploaded.name[:200]
                uploaded.name = f"{message.pk}-{index}.{extension}"  # never the citizen's name
                MessageAttachment.objects.create(
                    message=message, file=uploaded, original_name=original,
                    content_type=content_type, size=uploaded.size)
            event.message = message
            event.save(force_insert=True, using=connection.alias)
            conf.test_pause("before_commit")
    except IntegrityError:
        existing = _stored_message(token, missing_ok=True)
        if existing is None:
            raise
        return existing, False
    return message, True


def _stored_message(token, missing_ok=False):
    """The message a token already stored (a retry, or two identical submissions raced)."""
    existing = Message.objects.filter(idempotency_token=token).order_by().first()
    if existing is None and not missing_ok:
        raise IntegrityError(f"message token {token} refused but not found")
    return existing


_statements = {}


def _submission_statement(connection):
    """(sql, message fields, history fields) of the PostgreSQL statement that stores a message
    and its `submit` history row, built once per database from the models' own fields (a new
    column needs no change here). A token already stored inserts nothing and returns no row;
    the history row is inserted only for a message that was."""
    statement = _statements.get(connection.alias)
    if statement is None:
        qn = connection.ops.quote_name
        message_fields = [f for f in Message._meta.local_concrete_fields if not f.primary_key]
        event_fields = [f for f in MessageEvent._meta.local_concrete_fields if not f.primary_key]
        pk, event_pk = qn(Message._meta.pk.column), qn(MessageEvent._meta.pk.column)
        # INSERT … SELECT gives plain parameters no column type: cast each to its column's.
        selected = [f"m.{pk}" if field.name == "message"
                    else f"CAST(%s AS {field.db_type(connection)})" for field in event_fields]
        sql = (
            f"WITH m AS (INSERT INTO {qn(Message._meta.db_table)} "
            f"({', '.join(qn(f.column) for f in message_fields)}) "
            f"VALUES ({', '.join(['%s'] * len(message_fields))}) "
            f"ON CONFLICT ({qn(Message._meta.get_field('idempotency_token').column)}) "
            f"DO NOTHING RETURNING {pk}), "
            f"e AS (INSERT INTO {qn(MessageEvent._meta.db_table)} "
            f"({', '.join(qn(f.column) for f in event_fields)}) "
            f"SELECT {', '.join(selected)} FROM m RETURNING {event_pk}) "
            f"SELECT m.{pk}, e.{event_pk} FROM m, e"
        )
        statement = (sql, message_fields, [f for f in event_fields if f.name != "message"])
        _statements[connection.alias] = statement
    return statement


def _insert_submission(connection, message, event):
    """Store the message and its history row in one statement; False (nothing written) when
    its token was already stored. The models' save signals are sent as `save()` would."""
    sql, message_fields, event_fields = _submission_statement(connection)
    alias = connection.alias
    for instance in (message, event):
        pre_save.send(sender=type(instance), instance=instance, raw=False, using=alias,
                      update_fields=None)
    params = [f.get_db_prep_save(f.pre_save(message, True), connection) for f in message_fields]
    params += [f.get_db_prep_save(f.pre_save(event, True), connection) for f in event_fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    message.pk, event.pk = row
    event.message = message
    for instance in (message, event):
        instance._state.adding, instance._state.db = False, alias
        post_save.send(sender=type(instance), instance=instance, created=True,
                       update_fields=None, raw=False, using=alias)
    return True


def do_queue_receipt_notices(now=None, limit=500):
    """Receipt notices (留言已收到: tracking number, check code, deadline) for the messages
    stored since the last run, written to the outbox once each. Periodic job
    `interaction_outbox` (every minute), so a submission's request does not write them.
    Returns how many were queued."""
    now = now or timezone.now()
    queued = 0
    due = Message.objects.filter(receipt_notified_at__isnull=True).order_by("received_at")
    for message in due[:limit]:
        with transaction.atomic():
            # Claim the message first: a second scheduler run never writes a second notice.
            if not Message.objects.filter(pk=message.pk, receipt_notified_at__isnull=True
                                          ).update(receipt_notified_at=now):
                continue
            notify.notify_citizen(message, _("留言已收到"), _(
                "您的留言《%(title)s》已收到，受理编号 %(number)s，查询码 %(code)s。"
                "我们将在 %(deadline)s 前答复。") % {
                "title": message.title, "number": message.tracking_number,
                "code": message.check_code, "deadline": message.deadline.isoformat()})
        queued += 1
    return queued


@transaction.atomic
def do_accept_message(message, actor, *, unit=None, note="", now=None):
    """受理 (triage): accept, naming the handling unit when the citizen was not sure."""
    message = _locked(message)
    _require(message, [MessageState.RECEIVED], _("受理"))
    if unit is not None:
        message.unit = unit
    if message.unit is None:
        raise ActionError(_("请先选择办理单位。"))
    message.state = MessageState.ACCEPTED
    message.save(update_fields=["unit", "state"])
    _event(message, actor, "accept", from_state=MessageState.RECEIVED, note=note,
           to_unit=message.unit, now=now)
    return message


@transaction.atomic
def do_reject_message(message, actor, *, reason, note="", now=None):
    """不予受理, with one of the fixed reasons (duplicate, out of scope, abusive)."""
    message = _locked(message)
    _require(message, [MessageState.RECEIVED, MessageState.ACCEPTED], _("不予受理"))
    if not reason:
        raise ActionError(_("请选择不予受理的原因。"))
    before = message.state
    message.state = MessageState.REJECTED
    message.reject_reason, message.reject_note = reason, note
    message.closed_at = now or timezone.now()
    message.save(update_fields=["state", "reject_reason", "reject_note", "closed_at"])
    _event(message, actor, "reject", from_state=before,
           note=f"{message.get_reject_reason_display()} {note}".strip(), now=now)
    notify.notify_citizen(message, _("留言未予受理"), _(
        "您的留言（受理编号 %(number)s）未予受理，原因：%(reason)s。") % {
        "number": message.tracking_number, "reason": message.get_reject_reason_display()})
    return message


@transaction.atomic
def do_assign_message(message, actor, *, official, note="", now=None):
    """交办: give the message to one official of its unit."""
    message = _locked(message)
    _require(message, [MessageState.ACCEPTED, MessageState.ASSIGNED], _("交办"))
    before = message.state
    message.state, message.assigned_to = MessageState.ASSIGNED, official
    message.save(update_fields=["state", "assigned_to"])
    _event(message, actor, "assign", from_state=before,
           note=f"{official.get_full_name() or official.username} {note}".strip(), now=now)
    notify.notify_officials([official], _("新交办留言"),
                            f"{message.tracking_number} {message.title}，期限 {message.deadline}")
    return message


@transaction.atomic
def do_transfer_message(message, actor, *, to_unit, reason, now=None):
    """转办: hand the message to another unit, with the reason; the deadline keeps running."""
    message = _locked(message)
    _require(message, [MessageState.ACCEPTED, MessageState.ASSIGNED], _("转办"))
    if not reason:
        raise ActionError(_("请填写转办理由。"))
    if to_unit.pk == message.unit_id:
        raise ActionError(_("不能转办给本单位。"))
    before, from_unit = message.state, message.unit
    message.unit, message.state, message.assigned_to = to_unit, MessageState.ACCEPTED, None
    message.save(update_fields=["unit", "state", "assigned_to"])
    _event(message, actor, "transfer", from_state=before, note=reason, from_unit=from_unit,
           to_unit=to_unit, now=now)
    notify.notify_officials(notify.officials_of(to_unit), _("转办留言"),
                            f"{message.tracking_number} {message.title}（{from_unit}转来：{reason}）")
    return message


@transaction.atomic
def do_extend_deadline(message, actor, *, reason, now=None):
    """延期: once per message, with a reason, by the kind's extension days."""
    message = _locked(message)
    _require(message, [MessageState.ACCEPTED, MessageState.ASSIGNED], _("延期"))
    if message.extended:
        raise ActionError(_("每件留言只能延期一次。"))
    if not reason:
        raise ActionError(_("请填写延期原因。"))
    _reply, extension_days, _remind = deadline_rule(message.kind)
    old = message.deadline
    message.deadline = add_working_days(old, extension_days)
    message.extended, message.extension_reason = True, reason
    message.save(update_fields=["deadline", "extended", "extension_reason"])
    _event(message, actor, "extend", from_state=message.state,
           note=f"{old} → {message.deadline}：{reason}", now=now)
    return message


@transaction.atomic
def do_submit_reply(message, actor, *, text, now=None):
    """拟写答复: the draft goes to the unit's reviewer for sign-off."""
    message = _locked(message)
    _require(message, [MessageState.ACCEPTED, MessageState.ASSIGNED], _("提交答复"))
    if not text.strip():
        raise ActionError(_("答复内容不能为空。"))
    before = message.state
    message.reply, message.replied_by, message.state = text.strip(), actor, MessageState.REPLIED
    message.save(update_fields=["reply", "replied_by", "state"])
    _event(message, actor, "draft_reply", from_state=before, now=now)
    notify.notify_officials(notify.officials_of(message.unit, leaders_only=True),
                            _("答复待审核"), f"{message.tracking_number} {message.title}")
    return message


@transaction.atomic
def do_return_reply(message, actor, *, note, now=None):
    """退回: the reviewer sends the draft back with a note."""
    message = _locked(message)
    _require(message, [MessageState.REPLIED], _("退回答复"))
    message.state = MessageState.ASSIGNED if message.assigned_to_id else MessageState.ACCEPTED
    message.save(update_fields=["state"])
    _event(message, actor, "return_reply", from_state=MessageState.REPLIED, note=note, now=now)
    return message


@transaction.atomic
def do_sign_off_reply(message, actor, *, now=None):
    """审核签发: release the reply to the citizen and, with consent, publish it."""
    now = now or timezone.now()
    message = _locked(message)
    _require(message, [MessageState.REPLIED], _("签发"))
    if message.replied_by_id == actor.pk and not actor.is_superuser:
        raise ActionError(_("答复须由拟稿人以外的审核人签发。"))
    message.state, message.signed_off_by, message.replied_at = (
        MessageState.PUBLISHED, actor, now)
    message.save(update_fields=["state", "signed_off_by", "replied_at"])
    _event(message, actor, "sign_off", from_state=MessageState.REPLIED, now=now)
    notify.notify_citizen(message, _("留言已答复"), _(
        "您的留言（受理编号 %(number)s）已答复，请凭查询码查看答复并评价。") % {
        "number": message.tracking_number})
    return message


@transaction.atomic
def do_close_message(message, actor, *, note="", now=None):
    message = _locked(message)
    _require(message, [MessageState.PUBLISHED], _("办结"))
    message.state, message.closed_at = MessageState.CLOSED, now or timezone.now()
    message.save(update_fields=["state", "closed_at"])
    _event(message, actor, "close", from_state=MessageState.PUBLISHED, note=note, now=now)
    return message


@transaction.atomic
def do_rate_message(message, *, rating, comment="", now=None):
    """群众评价 (1–5) after the reply; rating closes the message."""
    message = _locked(message)
    if message.state not in (MessageState.PUBLISHED, MessageState.CLOSED) or message.rating:
        raise ActionError(_("该留言当前不能评价。"))
    if rating not in (1, 2, 3, 4, 5):
        raise ActionError(_("请选择满意度。"))
    before = message.state
    message.rating, message.rating_comment = rating, comment
    message.state = MessageState.CLOSED
    message.closed_at = message.closed_at or now or timezone.now()
    message.save(update_fields=["rating", "rating_comment", "state", "closed_at"])
    _event(message, None, "rate", from_state=before, note=f"{rating}/5 {comment}".strip(),
           now=now)
    return message


@transaction.atomic
def do_add_note(message, actor, *, note, now=None):
    """内部备注: visible to officials only."""
    if not note.strip():
        raise ActionError(_("备注内容不能为空。"))
    return _event(message, actor, "note", from_state=message.state, note=note.strip(), now=now)


@transaction.atomic
def do_release_hold(message, actor, *, now=None):
    """敏感词审核通过: the general office clears a held message for publication."""
    message = _locked(message)
    message.held = False
    message.save(update_fields=["held"])
    _event(message, actor, "release_hold", from_state=message.state, now=now)
    return message


# ---------------------------------------------------------------------------------------------
# Error reports (2 working days)


def do_submit_error_report(*, site, page_url, kind, description, name="", contact="", token,
                           now=None):
    existing = ErrorReport.objects.filter(idempotency_token=token).first()
    if existing is not None:
        return existing, False
    now = now or timezone.now()
    try:
        with transaction.atomic():
            report = ErrorReport.objects.create(
                site=site, page_url=page_url, kind=kind, description=description, name=name,
                contact=contact, received_at=now,
                deadline=add_working_days(now, ERROR_REPORT_DAYS), idempotency_token=token)
            notify.notify_officials(notify.officials_of(site), _("网民纠错"),
                                    f"{report.get_kind_display()}：{page_url}\n{description}")
    except IntegrityError:
        existing = ErrorReport.objects.filter(idempotency_token=token).first()
        if existing is None:
            raise
        return existing, False
    return report, True


@transaction.atomic
def do_answer_error_report(report, actor, *, reply, now=None):
    if report.state != ErrorReport.State.OPEN:
        raise ActionError(_("该纠错已答复。"))
    if not reply.strip():
        raise ActionError(_("处理结果不能为空。"))
    report.state, report.reply = ErrorReport.State.ANSWERED, reply.strip()
    report.replied_by, report.replied_at = actor, now or timezone.now()
    report.save(update_fields=["state", "reply", "replied_by", "replied_at"])
    return report


# ---------------------------------------------------------------------------------------------
# Consultations, surveys, interviews


def do_submit_comment(consultation, *, name, phone="", content, token, held=False, now=None):
    now = now or timezone.now()
    if not consultation.is_open(now):
        raise ActionError(_("该意见征集不在征集期内。"))
    comment, created = ConsultationComment.objects.get_or_create(
        idempotency_token=token,
        defaults=dict(consultation=consultation, name=name, phone=phone, content=content,
                      held=held, submitted_at=now))
    return comment, created


@transaction.atomic
def do_moderate_comment(comment, actor, *, approve):
    comment.state = (ConsultationComment.State.APPROVED if approve
                     else ConsultationComment.State.REJECTED)
    comment.save(update_fields=["state"])
    return comment


@transaction.atomic
def do_mark_adoption(comment, actor, *, adopted, note):
    if not adopted and not note.strip():
        raise ActionError(_("不予采纳的意见须说明理由。"))
    comment.adopted, comment.adoption_note = adopted, note.strip()
    comment.save(update_fields=["adopted", "adoption_note"])
    return comment


@transaction.atomic
def do_publish_feedback(consultation, actor, *, report, now=None):
    """反馈: after the closing date, publish how the comments were taken into account."""
    now = now or timezone.now()
    if consultation.is_open(now) or now < consultation.opens_at:
        raise ActionError(_("征集截止后才能发布意见采纳情况反馈。"))
    if not report.strip():
        raise ActionError(_("反馈内容不能为空。"))
    consultation.feedback_report, consultation.feedback_published_at = report, now
    consultation.save(update_fields=["feedback_report", "feedback_published_at"])
    return consultation


class AlreadyResponded(ActionError):
    pass


def do_submit_survey_response(survey, *, visitor, answers, now=None):
    """One response per visitor: `answers` maps question → list of values or text."""
    now = now or timezone.now()
    if not survey.is_open(now):
        raise ActionError(_("该问卷不在调查期内。"))
    if SurveyResponse.objects.filter(survey=survey, visitor_hash=visitor).exists():
        raise AlreadyResponded(_("您已提交过本问卷，每位访客只能提交一次。"))
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(survey=survey, visitor_hash=visitor,
                                                     submitted_at=now)
            rows = []
            for question, value in answers.items():
                if question.kind == "text":
                    if value:
                        rows.append(SurveyAnswer(response=response, question=question,
                                                 text=value))
                else:
                    rows += [SurveyAnswer(response=response, question=question, value=str(v))
                             for v in value]
            SurveyAnswer.objects.bulk_create(rows)
    except IntegrityError:
        raise AlreadyResponded(_("您已提交过本问卷，每位访客只能提交一次。"))
    return response


def do_submit_interview_question(interview, *, asker, content, token, held=False, now=None):
    now = now or timezone.now()
    if not interview.accepts_questions(now):
        raise ActionError(_("访谈已结束，不再接受提问。"))
    return InterviewQuestion.objects.get_or_create(
        idempotency_token=token,
        defaults=dict(interview=interview, asker=asker, content=content, held=held,
                      submitted_at=now))


@transaction.atomic
def do_moderate_question(question, actor, *, approve):
    question.state = (InterviewQuestion.State.APPROVED if approve
                      else InterviewQuestion.State.REJECTED)
    question.save(update_fields=["state"])
    return question


@transaction.atomic
def do_answer_question(question, actor, *, answer, guest, now=None):
    """嘉宾答复: an approved question with its answer appears on the live page at once."""
    if question.state != InterviewQuestion.State.APPROVED:
        raise ActionError(_("问题须先审核通过才能答复。"))
    if not answer.strip():
        raise ActionError(_("答复内容不能为空。"))
    question.answer, question.answered_by = answer.strip(), guest
    question.published_at = question.published_at or now or timezone.now()
    question.save(update_fields=["answer", "answered_by", "published_at"])
    return question


# ---------------------------------------------------------------------------------------------
# Deadlines: reminders before, escalation after (periodic job)


def check_deadlines(now=None):
    """Remind units of messages due soon; escalate overdue ones to the unit's leaders and the
    general office. Each message is reminded once and escalated once. Returns counts."""
    now = now or timezone.now()
    reminded = escalated = errors_escalated = 0
    open_messages = Message.objects.filter(state__in=OPEN_STATES).select_related("unit")
    for message in open_messages.filter(reminded_at__isnull=True):
        left = remaining_working_days(message.deadline, now)
        _reply, _ext, remind_days = deadline_rule(message.kind)
        if 0 <= left <= remind_days:
            with transaction.atomic():
                Message.objects.filter(pk=message.pk).update(reminded_at=now)
                _event(message, None, "remind", from_state=message.state,
                       note=_("距答复期限 %(days)s 个工作日") % {"days": left}, now=now)
            notify.notify_officials(notify.officials_of(message.unit), _("留言即将到期"),
                                    f"{message.tracking_number} {message.title}，期限 {message.deadline}")
            reminded += 1
    for message in open_messages.filter(escalated_at__isnull=True):
        if message.is_overdue(now):
            with transaction.atomic():
                Message.objects.filter(pk=message.pk).update(escalated_at=now)
                _event(message, None, "escalate", from_state=message.state,
                       note=_("已超过答复期限 %(deadline)s") % {"deadline": message.deadline},
                       now=now)
            users = list(notify.officials_of(message.unit, leaders_only=True))
            users += list(notify.general_office())
            notify.notify_officials(users, _("留言超期督办"),
                                    f"{message.tracking_number} {message.title}，期限 {message.deadline}")
            escalated += 1
    for report in ErrorReport.objects.filter(state=ErrorReport.State.OPEN,
                                             escalated_at__isnull=True).select_related("site"):
        if report.is_overdue(now):
            ErrorReport.objects.filter(pk=report.pk).update(escalated_at=now)
            users = list(notify.officials_of(report.site, leaders_only=True))
            users += list(notify.general_office())
            notify.notify_officials(users, _("网民纠错超期"),
                                    f"{report.site} {report.page_url}，期限 {report.deadline}")
            errors_escalated += 1
    return {"reminded": reminded, "escalated": escalated, "errors_escalated": errors_escalated}
