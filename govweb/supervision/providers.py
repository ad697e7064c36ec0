"""What supervision reads from the other apps (数据接口), in one place.

Each function takes a SiteProfile (and `now`) and returns plain data, or None when the app or
model it needs is not installed — the rule using it is then skipped (recorded on the run), never
crashes. The shapes are the documented interface another implementation has to provide:

  overdue_messages(site, now)      [{"id", "title", "received_at", "url"}] open, valid messages
  overdue_error_reports(site, now) [{"id", "page_url", "deadline": date, "received_at"}]
                                   open reports whose deadline (2 working days) has passed
  reprint_states(site, now, since) [{"id", "title", "state": on_time|late|missing|pending,
                                     "deadline", "done_at", "remaining": timedelta|None}]
  incomplete_services(site, n)     [{"code", "name", "missing": [labels]}] live items missing ≥ n
  visits(site, start, end)         {"pv", "uv"}
  interaction_year(site, start, end) / services_year(site, year)   annual-report figures
"""

import logging
from datetime import timedelta

from django.apps import apps
from django.utils import timezone

logger = logging.getLogger("govweb.supervision")


def _model(label):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def overdue_messages(site, now, older_than_days):
    Message = _model("interaction.Message")
    if Message is None:
        return None
    from django.db.models import Q

    from govweb.interaction.models import OPEN_STATES

    cutoff = now - timedelta(days=older_than_days)
    mine = Q(unit=site) | Q(unit__isnull=True, site=site)
    rows = (Message.objects.filter(mine, state__in=OPEN_STATES, received_at__lte=cutoff)
            .order_by("received_at").values("id", "title", "received_at"))
    return list(rows)


def overdue_error_reports(site, now):
    ErrorReport = _model("interaction.ErrorReport")
    if ErrorReport is None:
        return None
    today = timezone.localdate(now)
    return list(ErrorReport.objects.filter(site=site, state=ErrorReport.State.OPEN, deadline__lt=today)
                .order_by("deadline", "pk").values("id", "page_url", "deadline", "received_at", "kind"))


def error_reports_due(site, now):
    """Every open report with its deadline (for threshold tests and the dashboard)."""
    ErrorReport = _model("interaction.ErrorReport")
    if ErrorReport is None:
        return None
    return list(ErrorReport.objects.filter(site=site, state=ErrorReport.State.OPEN)
                .values("id", "page_url", "deadline", "received_at", "kind"))


def reprint_states(site, now, since):
    Task = _model("reprint.ReprintTask")
    if Task is None:
        return None
    from govweb.reprint.queries import LATE, MISSING, PENDING, task_state

    tasks = (Task.objects.filter(site=site, directive__deadline__gte=since)
             .select_related("directive").order_by("directive__deadline", "pk"))
    rows = []
    for task in tasks:
        state = task_state(task, now)
        rows.append({"id": task.pk, "title": task.directive.title, "state": state.state,
                     "deadline": task.directive.deadline, "done_at": task.done_at,
                     "remaining": state.remaining if state.state == PENDING else None,
                     "late": state.state == LATE, "missing": state.state == MISSING})
    return rows


def incomplete_services(site, missing_at_least):
    Item = _model("services.ServiceItem")
    if Item is None:
        return None
    from govweb.services.models import KEY_ELEMENT_LABELS

    items = (Item.objects.filter(department=site, live=True, missing_count__gte=missing_at_least)
             .order_by("code").values("code", "name", "missing_elements"))
    return [{"code": i["code"], "name": i["name"],
             "missing": [str(KEY_ELEMENT_LABELS.get(k, k)) for k in i["missing_elements"]]}
            for i in items]


def visits(site, start, end):
    """Unique visitors and page views from the analytics store (None without analytics)."""
    if not apps.is_installed("govweb.analytics"):
        return None
    try:
        from govweb.analytics.queries import site_visits

        return site_visits(start, end, [site.site_id]).get(site.site_id, {"pv": 0, "uv": 0})
    except Exception:  # the analytics store may be missing on this node
        logger.exception("analytics visits unavailable")
        return None


def interaction_year(site, start, end):
    Message = _model("interaction.Message")
    if Message is None:
        return None
    from govweb.interaction import queries as iq
    from govweb.interaction.models import ErrorReport, Interview, InterviewQuestion, Survey

    messages = Message.objects.filter(unit=site, received_at__gte=start, received_at__lt=end)
    stats = iq.statistics(messages, now=end)
    published = messages.filter(state__in=iq.PUBLIC_STATES, may_publish=True, held=False).count()
    surveys = Survey.objects.filter(site=site, opens_at__gte=start, opens_at__lt=end)
    interviews = Interview.objects.filter(site=site, starts_at__gte=start, starts_at__lt=end)
    questions = InterviewQuestion.objects.filter(interview__in=interviews)
    reports = ErrorReport.objects.filter(site=site, received_at__gte=start, received_at__lt=end)
    errors = iq.error_report_statistics(reports, now=end)
    FAQ = _model("interaction.FAQ")
    return {
        "messages_received": stats["received"], "messages_closed": stats["closed"],
        "messages_avg_days": stats["avg_days"], "messages_published": published,
        "surveys_held": surveys.count(),
        "survey_opinions": sum(s.responses.count() for s in surveys),
        "surveys_results_published": surveys.filter(closes_at__lt=end).count(),
        "interviews_held": interviews.count(), "interview_questions": questions.count(),
        "interview_answered": questions.exclude(answer="").count(),
        "smart_qa": bool(FAQ and FAQ.objects.filter(unit=site, live=True).exists()),
        "error_reports_received": errors["received"], "error_reports_answered": errors["answered"],
        "error_reports_in_time": errors["answered_in_time"],
    }


def services_year(site, year):
    Item = _model("services.ServiceItem")
    if Item is None:
        return None
    from govweb.services.queries import service_statistics

    rows, _totals = service_statistics(year, units=[site])
    row = rows[0] if rows else {}
    return {
        "service_catalogue": Item.objects.filter(department=site, live=True).exists(),
        "service_items": row.get("live", 0), "service_fully_online": row.get("fully_online", 0),
        "applications_total": row.get("applications", 0),
        "applications_natural": row.get("applications_natural", 0),
        "applications_legal": row.get("applications_legal", 0),
    }
