"""Site evaluation (网站评估, R9.2): an objective, configurable score per site and day.

Four dimensions, each 0–100, weighted by AnalyticsPolicy (defaults 35/15/25/25):

publication     share of the site's columns updated within their expectation
                (ColumnPage.expected_update_days: news 14 days, notices/policies 183, ...);
                link columns are not counted, an empty column counts as not updated.
interpretation  over important policy documents of the last 365 days: 70 × share with an
                interpretation (or a recorded exemption) + 30 × share whose interpretation
                appeared within `interpretation_window_days` of the policy ("published together").
services        70 × share of service guides with all 8 key elements + 30 × share of good
                ratings (≥4 of 5) over the last 365 days (completeness only if nothing rated).
interaction     over messages received in the last 365 days: 60 × share replied on time
                (by the message's own deadline, else within `reply_limit_working_days`
                working days; unanswered past the limit counts as late) + 20 × speed
                (1 − average working days to reply ÷ (2 × limit), not below 0)
                + 20 × share satisfied among rated replies (counted as 1 if none rated).

A dimension with no data for a site (e.g. a department without services) is left out and the
weights of the others are rescaled: the total is the weighted mean of the dimensions present.
"""

import datetime as dt
import math

from django.utils import timezone

from . import providers

LOOKBACK_DAYS = 365


def _workday(day):
    import chinese_calendar

    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def working_days_between(start, end):
    """Working days after `start` up to and including `end` (dates)."""
    if end <= start:
        return 0
    days, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        days += 1 if _workday(day) else 0
    return days


def add_working_days(start, n):
    day, left = start, n
    while left > 0:
        day += dt.timedelta(days=1)
        if _workday(day):
            left -= 1
    return day


def _local(moment):
    return timezone.localtime(moment).date() if isinstance(moment, dt.datetime) else moment


def publication_score(profile, now):
    from wagtail.models import Page

    from govweb.library.models import ColumnKind, ColumnPage

    root = profile.site.root_page
    columns = list(ColumnPage.objects.descendant_of(root).live().exclude(kind=ColumnKind.LINK))
    from django.contrib.contenttypes.models import ContentType

    column_type = ContentType.objects.get_for_model(ColumnPage).pk
    rows, on_time = [], 0
    for column in columns:
        items = Page.objects.child_of(column).live().exclude(content_type_id=column_type)
        last = items.order_by("-first_published_at").values_list("first_published_at", flat=True).first()
        limit = column.expected_update_days
        ok = last is not None and (now - last) <= dt.timedelta(days=limit)
        on_time += ok
        rows.append({"column": column.title, "column_id": column.pk, "expected_days": limit,
                     "last_update": last.isoformat() if last else None, "on_time": ok})
    if not columns:
        return None, {"columns": []}
    return round(100 * on_time / len(columns), 1), {"columns": rows, "on_time": on_time,
                                                      "total": len(columns)}


def interpretation_score(profile, now, policy):
    start = now - dt.timedelta(days=LOOKBACK_DAYS)
    items = providers.collect("interpretation", profile, start, now)
    if not items:
        return None, {"policies": 0}
    window = dt.timedelta(days=policy.interpretation_window_days)
    covered = together = 0
    for item in items:
        dates = sorted(item.get("interpretations") or [])
        if dates or item.get("exempt"):
            covered += 1
        if item.get("exempt") or (dates and dates[0] - item["published_at"] <= window):
            together += 1
    n = len(items)
    score = 70 * covered / n + 30 * together / n
    return round(score, 1), {"policies": n, "interpreted": covered, "together": together}


def services_score(profile, now):
    start = now - dt.timedelta(days=LOOKBACK_DAYS)
    data = providers.collect("services", profile, start, now)
    if not data or not (data.get("guides") or data.get("ratings")):
        return None, {}
    complete = data["complete"] / data["guides"] if data.get("guides") else 0
    if data.get("ratings"):
        score = 70 * complete + 30 * data["good"] / data["ratings"]
    else:
        score = 100 * complete
    return round(score, 1), dict(data)


def interaction_score(profile, now, policy):
    start = now - dt.timedelta(days=LOOKBACK_DAYS)
    messages = providers.collect("interaction", profile, start, now)
    if not messages:
        return None, {"messages": 0}
    limit = policy.reply_limit_working_days
    today = _local(now)
    counted = on_time = late = 0
    days_taken, rated, satisfied = [], 0, 0
    for m in messages:
        received = _local(m["received_at"])
        deadline = m.get("deadline") or add_working_days(received, limit)
        if m.get("replied_at"):
            replied = _local(m["replied_at"])
            counted += 1
            days_taken.append(working_days_between(received, replied))
            if replied <= deadline:
                on_time += 1
            else:
                late += 1
            if m.get("satisfied") is not None:
                rated += 1
                satisfied += bool(m["satisfied"])
        elif today > deadline:
            counted += 1
            late += 1  # unanswered past its deadline
    if not counted:
        return None, {"messages": len(messages), "pending": len(messages)}
    average = sum(days_taken) / len(days_taken) if days_taken else float(2 * limit)
    speed = max(0.0, 1 - average / (2 * limit)) if limit else 0.0
    satisfaction = satisfied / rated if rated else 1.0
    score = 60 * on_time / counted + 20 * speed + 20 * satisfaction
    return round(score, 1), {"messages": len(messages), "counted": counted, "on_time": on_time,
                             "late": late, "average_working_days": round(average, 2),
                             "rated": rated, "satisfied": satisfied}


def evaluate_site(profile, now, policy):
    """{total, publication, interpretation, services, interaction, breakdown}."""
    parts = {
        "publication": publication_score(profile, now),
        "interpretation": interpretation_score(profile, now, policy),
        "services": services_score(profile, now),
        "interaction": interaction_score(profile, now, policy),
    }
    weights = {"publication": policy.weight_publication,
               "interpretation": policy.weight_interpretation,
               "services": policy.weight_services, "interaction": policy.weight_interaction}
    present = {k: v[0] for k, v in parts.items() if v[0] is not None and weights[k] > 0}
    weight_sum = sum(weights[k] for k in present)
    total = sum(present[k] * weights[k] for k in present) / weight_sum if weight_sum else 0.0
    result = {k: v[0] for k, v in parts.items()}
    result["total"] = round(total, 1) if not math.isnan(total) else 0.0
    result["breakdown"] = {k: v[1] for k, v in parts.items()}
    result["breakdown"]["weights"] = weights
    return result


def save_score(profile, result, now):
    from .models import SiteScore

    score, _ = SiteScore.objects.update_or_create(
        site=profile, day=_local(now),
        defaults={k: result[k] for k in ("total", "publication", "interpretation", "services",
                                         "interaction", "breakdown")},
    )
    return score
