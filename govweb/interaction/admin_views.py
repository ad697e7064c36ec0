"""The handling desk (办理平台) in the admin: one queue per unit, enforced on the server.

Officials see and act only on their units' items (403 otherwise); the general office
(superusers) triages the "not sure" queue and sees the whole cluster.
"""

import io

from django.contrib import messages as flash
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from govweb.cluster.models import SiteProfile

from . import actions, guard, notify, permissions, queries
from .models import (
    ConsultationComment,
    ErrorReport,
    Interview,
    InterviewQuestion,
    Message,
    MessageState,
    RejectReason,
    ReplyTemplate,
)


def _official(request):
    if not permissions.is_official(request.user):
        raise PermissionDenied
    return request.user


def _render(request, template, context):
    context.setdefault("header_icon", "mail")
    return TemplateResponse(request, template, context)


def desk_index(request):
    user = _official(request)
    now = timezone.now()
    visible = permissions.visible_messages(user, Message.objects.all())
    state = request.GET.get("state", "open")
    overdue = request.GET.get("overdue") == "1"
    unit_id = request.GET.get("unit", "")
    if unit_id == "none":
        visible = visible.filter(unit__isnull=True)
    elif unit_id.isdigit():
        visible = visible.filter(unit_id=unit_id)
    items = queries.queue(visible, state=None if state == "all" else state, overdue=overdue,
                          now=now)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    counts = {s: permissions.visible_messages(user, Message.objects.filter(state=s)).count()
              for s in MessageState.values}
    return _render(request, "interaction/desk/index.html", {
        "page_title": _("留言办理"), "items_page": page, "state": state, "overdue": overdue,
        "states": MessageState.choices, "counts": counts, "now": now,
        "units": permissions.units_of(user), "unit_id": unit_id,
        "is_office": permissions.is_general_office(user),
    })


def _visible_message(request, pk):
    message = get_object_or_404(Message.objects.select_related("unit", "site"), pk=pk)
    if not permissions.can_handle_message(request.user, message):
        raise PermissionDenied
    return message


def desk_message(request, pk):
    user = _official(request)
    message = _visible_message(request, pk)
    if request.method == "POST":
        try:
            message = _apply_action(request, user, message)
        except actions.ActionError as error:
            flash.error(request, error.messages[0])
        else:
            flash.success(request, _("操作已完成。"))
        if permissions.can_handle_message(user, Message.objects.get(pk=message.pk)):
            return redirect("interaction_desk_message", pk=message.pk)
        return redirect("interaction_desk")
    now = timezone.now()
    officials = notify.officials_of(message.unit) if message.unit else []
    templates = ReplyTemplate.objects.filter(unit__in=[None, message.unit_id]) \
        if message.unit_id else ReplyTemplate.objects.filter(unit__isnull=True)
    return _render(request, "interaction/desk/message.html", {
        "page_title": f"{message.tracking_number} {message.title}", "message": message,
        "events": message.events.select_related("actor", "from_unit", "to_unit"),
        "officials": officials, "units": SiteProfile.objects.order_by("pk"),
        "reasons": RejectReason.choices, "templates": templates, "now": now,
        "overdue": message.is_overdue(now),
        "is_office": permissions.is_general_office(user),
        "is_leader": permissions.is_leader_of(user, message.unit),
    })


def _apply_action(request, user, message):
    post = request.POST
    action = post.get("action", "")
    note = post.get("note", "").strip()
    if action == "accept":
        unit = None
        if post.get("unit"):
            if not permissions.is_general_office(user):
                raise PermissionDenied
            unit = get_object_or_404(SiteProfile, pk=post["unit"])
        return actions.do_accept_message(message, user, unit=unit, note=note)
    if action == "reject":
        return actions.do_reject_message(message, user, reason=post.get("reason", ""),
                                         note=note)
    if action == "assign":
        official = get_user_model().objects.filter(pk=post.get("official") or 0).first()
        if official is None or not permissions.can_handle_unit(official, message.unit):
            raise actions.ActionError(_("请选择本单位的承办人。"))
        return actions.do_assign_message(message, user, official=official, note=note)
    if action == "transfer":
        unit = get_object_or_404(SiteProfile, pk=post.get("unit") or 0)
        return actions.do_transfer_message(message, user, to_unit=unit, reason=note)
    if action == "extend":
        return actions.do_extend_deadline(message, user, reason=note)
    if action == "reply":
        return actions.do_submit_reply(message, user, text=post.get("text", ""))
    if action in ("sign_off", "return"):
        if not permissions.is_leader_of(user, message.unit):
            raise actions.ActionError(_("只有本单位审核人（领导）可以签发或退回答复。"))
        if action == "sign_off":
            return actions.do_sign_off_reply(message, user)
        return actions.do_return_reply(message, user, note=note)
    if action == "close":
        return actions.do_close_message(message, user, note=note)
    if action == "note":
        actions.do_add_note(message, user, note=note)
        return message
    if action == "release_hold":
        if not permissions.is_general_office(user):
            raise PermissionDenied
        return actions.do_release_hold(message, user)
    raise actions.ActionError(_("未知操作。"))


# ---------------------------------------------------------------------------------------------
# Statistics


def desk_stats(request):
    user = _official(request)
    now = timezone.now()
    units = list(permissions.units_of(user).order_by("pk"))
    visible = permissions.visible_messages(user, Message.objects.all())
    year = request.GET.get("year", "")
    if year.isdigit():
        visible = visible.filter(received_at__year=int(year))
    rows = queries.statistics_by_unit(visible, units, now)
    total = queries.statistics(visible, now)
    reports = ErrorReport.objects.filter(site__in=units)
    error_rows = [(u, queries.error_report_statistics(reports.filter(site=u), now))
                  for u in units]
    if request.GET.get("format") == "xlsx":
        return _xlsx(rows, total, error_rows)
    return _render(request, "interaction/desk/stats.html", {
        "page_title": _("互动交流统计"), "rows": rows, "total": total,
        "error_rows": error_rows, "year": year,
    })


def _xlsx(rows, total, error_rows):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "留言办理"
    sheet.append(["单位", "收到留言", "办理中", "已办结", "不予受理", "已答复",
                  "平均答复用时（工作日）", "超期", "满意度（平均分）", "评价数"])
    for unit, s in [*rows, (None, total)]:
        sheet.append([unit.organisation if unit else "合计", s["received"], s["open"],
                      s["closed"], s["rejected"], s["replied"], s["avg_days"], s["overdue"],
                      round(s["rating"], 2) if s["rating"] else None, s["rated"]])
    errors = book.create_sheet("网民纠错")
    errors.append(["网站", "收到纠错", "已答复", "按期答复", "超期未答复"])
    for unit, s in error_rows:
        errors.append([unit.organisation, s["received"], s["answered"], s["answered_in_time"],
                       s["overdue"]])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="interaction-statistics.xlsx"'
    return response


# ---------------------------------------------------------------------------------------------
# Error reports, interviews, consultations


def desk_errors(request):
    user = _official(request)
    now = timezone.now()
    units = permissions.units_of(user)
    if request.method == "POST":
        report = get_object_or_404(ErrorReport, pk=request.POST.get("report") or 0)
        if not permissions.can_handle_unit(user, report.site):
            raise PermissionDenied
        try:
            actions.do_answer_error_report(report, user, reply=request.POST.get("reply", ""))
            flash.success(request, _("纠错已答复。"))
        except actions.ActionError as error:
            flash.error(request, error.messages[0])
        return redirect("interaction_desk_errors")
    reports = ErrorReport.objects.filter(site__in=units).select_related("site")
    if request.GET.get("state", "open") == "open":
        reports = reports.filter(state=ErrorReport.State.OPEN)
    return _render(request, "interaction/desk/errors.html", {
        "page_title": _("网民纠错"), "reports": reports.order_by("deadline", "pk")[:200],
        "now": now, "state": request.GET.get("state", "open"),
    })


def desk_interviews(request):
    user = _official(request)
    interviews = Interview.objects.filter(site__in=permissions.units_of(user))
    return _render(request, "interaction/desk/interviews.html", {
        "page_title": _("在线访谈管理"), "interviews": interviews.select_related("site"),
        "now": timezone.now()})


def desk_interview(request, pk):
    user = _official(request)
    interview = get_object_or_404(Interview, pk=pk)
    if not permissions.can_handle_unit(user, interview.site):
        raise PermissionDenied
    if request.method == "POST":
        question = get_object_or_404(InterviewQuestion, pk=request.POST.get("question") or 0,
                                     interview=interview)
        try:
            action = request.POST.get("action")
            if action in ("approve", "reject"):
                actions.do_moderate_question(question, user, approve=action == "approve")
            elif action == "answer":
                if question.state == InterviewQuestion.State.PENDING:
                    actions.do_moderate_question(question, user, approve=True)
                actions.do_answer_question(question, user, answer=request.POST.get("answer", ""),
                                           guest=request.POST.get("guest", ""))
            flash.success(request, _("操作已完成。"))
        except actions.ActionError as error:
            flash.error(request, error.messages[0])
        return redirect("interaction_desk_interview", pk=pk)
    return _render(request, "interaction/desk/interview.html", {
        "page_title": interview.title, "interview": interview,
        "questions": interview.questions.order_by("state", "submitted_at")})


def desk_consultation(request, pk):
    from .models import Consultation

    user = _official(request)
    consultation = get_object_or_404(Consultation, pk=pk)
    if not permissions.can_handle_unit(user, consultation.site):
        raise PermissionDenied
    if request.method == "POST":
        try:
            action = request.POST.get("action")
            if action == "publish_feedback":
                actions.do_publish_feedback(consultation, user,
                                            report=guard.safe_html(request.POST.get("report", "")))
            else:
                comment = get_object_or_404(ConsultationComment, consultation=consultation,
                                            pk=request.POST.get("comment") or 0)
                if action in ("approve", "reject"):
                    actions.do_moderate_comment(comment, user, approve=action == "approve")
                elif action in ("adopt", "not_adopt"):
                    actions.do_mark_adoption(comment, user, adopted=action == "adopt",
                                             note=request.POST.get("note", ""))
            flash.success(request, _("操作已完成。"))
        except actions.ActionError as error:
            flash.error(request, error.messages[0])
        return redirect("interaction_desk_consultation", pk=pk)
    return _render(request, "interaction/desk/consultation.html", {
        "page_title": consultation.title, "consultation": consultation,
        "comments": consultation.comments.all(), "now": timezone.now()})


def desk_consultations(request):
    from .models import Consultation

    user = _official(request)
    return _render(request, "interaction/desk/consultations.html", {
        "page_title": _("意见征集管理"), "now": timezone.now(),
        "consultations": Consultation.objects.filter(
            site__in=permissions.units_of(user)).select_related("site")})
