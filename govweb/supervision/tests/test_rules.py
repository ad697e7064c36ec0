"""Each rule exactly at, just below and just above its thresholds, with a fixed clock."""

import datetime as dt

import pytest
from django.test import override_settings

from govweb.supervision.models import ReachabilitySample, Severity
from govweb.supervision.rules import (
    ColumnUpdate,
    Context,
    EmptyColumns,
    ErrorReports,
    ForbiddenExpressions,
    HomeReachability,
    HomeUpdate,
    InteractionReplies,
    PublicationTime,
    Reprint,
    ServiceGuides,
)

from .conftest import T, add_column, add_item

MINUTE, DAY = dt.timedelta(minutes=1), dt.timedelta(days=1)
pytestmark = pytest.mark.django_db


def severities(rule, site, now, key=None):
    drafts = rule.check(site, Context(now))
    return sorted(d.severity for d in drafts if key is None or d.key == key)


# --- home page update: warn at 10 days, veto at 14 -----------------------------------------------

@pytest.mark.parametrize("age, expected", [
    (10 * DAY - MINUTE, []), (10 * DAY, ["warning"]), (10 * DAY + MINUTE, ["warning"]),
    (14 * DAY - MINUTE, ["warning"]), (14 * DAY, ["veto"]), (14 * DAY + MINUTE, ["veto"]),
])
def test_home_update_thresholds(bare_site, age, expected):
    add_item(add_column(bare_site, "news"), T)
    assert severities(HomeUpdate(), bare_site, T + age) == expected


def test_home_update_ignores_columns_not_shown_on_home(bare_site):
    add_item(add_column(bare_site, "news"), T - 20 * DAY)
    add_item(add_column(bare_site, "hidden", show_on_home=False), T)
    assert severities(HomeUpdate(), bare_site, T) == ["veto"]


@override_settings(GOVWEB_SUPERVISION={"home_update": {"warn_days": 3, "veto_days": 5}})
def test_home_update_thresholds_come_from_settings(bare_site):
    add_item(add_column(bare_site, "news"), T)
    assert severities(HomeUpdate(), bare_site, T + 3 * DAY) == ["warning"]
    assert severities(HomeUpdate(), bare_site, T + 5 * DAY) == ["veto"]


# --- column update: news window 14 days, warned 3 days before ------------------------------------

@pytest.mark.parametrize("age, expected", [
    (11 * DAY - MINUTE, []), (11 * DAY, ["warning"]), (14 * DAY - MINUTE, ["warning"]),
    (14 * DAY, ["problem"]), (14 * DAY + MINUTE, ["problem"]),
])
def test_news_column_window(bare_site, age, expected):
    column = add_column(bare_site, "news")
    add_item(column, T)
    assert severities(ColumnUpdate(), bare_site, T + age, key=f"column:{column.pk}") == expected


@pytest.mark.parametrize("age, expected", [(183 * DAY - MINUTE, ["warning"]), (183 * DAY, ["problem"])])
def test_notice_column_window_is_six_months(bare_site, age, expected):
    column = add_column(bare_site, "notice", kind="notice")
    add_item(column, T)
    assert severities(ColumnUpdate(), bare_site, T + age, key=f"column:{column.pk}") == expected


@pytest.mark.parametrize("stale, expected", [(2, []), (3, ["warning"]), (4, ["warning"]), (5, ["veto"]), (6, ["veto"])])
def test_stale_column_count(bare_site, stale, expected):
    for i in range(stale):
        add_item(add_column(bare_site, f"c{i}"), T - 15 * DAY)
    add_item(add_column(bare_site, "fresh"), T)
    assert severities(ColumnUpdate(), bare_site, T, key="count") == expected


def test_finished_topic_and_link_columns_are_not_stale(bare_site):
    topic = add_column(bare_site, "topic", kind="topic", topic_starts_on=dt.date(2025, 1, 1),
                       topic_ends_on=dt.date(2025, 3, 1))
    add_item(topic, T - 400 * DAY)
    add_column(bare_site, "link", kind="link", link_url="https://www.gov.cn/")
    assert ColumnUpdate().check(bare_site, Context(T)) == []


# --- empty columns: each a problem, 3 warn, 5 veto -------------------------------------------------

@pytest.mark.parametrize("empty, expected", [(2, []), (3, ["warning"]), (4, ["warning"]), (5, ["veto"])])
def test_empty_column_count(bare_site, empty, expected):
    for i in range(empty):
        add_column(bare_site, f"e{i}")
    add_item(add_column(bare_site, "full"), T)
    drafts = EmptyColumns().check(bare_site, Context(T))
    assert [d.severity for d in drafts if d.key.startswith("column:")] == ["problem"] * empty
    assert sorted(d.severity for d in drafts if d.key == "count") == expected


def test_column_with_sub_columns_is_not_empty(bare_site):
    parent = add_column(bare_site, "parent", kind="disclosure")
    child = parent.add_child(instance=type(parent)(title="子栏目", slug="child", kind="news"))
    add_item(child, T)
    assert EmptyColumns().check(bare_site, Context(T)) == []


# --- publication time: none, or later than now + 60 minutes ----------------------------------------

@pytest.mark.parametrize("ahead, expected", [(59 * MINUTE, []), (60 * MINUTE, []), (61 * MINUTE, ["problem"])])
def test_future_publication_time(bare_site, ahead, expected):
    add_item(add_column(bare_site, "news"), T + ahead)
    assert severities(PublicationTime(), bare_site, T) == expected


# --- home page reachability over 7 days: warn above 3%, veto at 5% ---------------------------------

@pytest.mark.parametrize("failed, total, expected", [
    (3, 100, []), (4, 100, ["warning"]), (5, 100, ["veto"]), (6, 100, ["veto"]), (5, 19, []),
])
def test_reachability_share(bare_site, failed, total, expected):
    ReachabilitySample.objects.bulk_create([
        ReachabilitySample(site=bare_site, at=T - dt.timedelta(hours=i + 1), ok=i >= failed, seconds=1.0)
        for i in range(total)])
    assert severities(HomeReachability(), bare_site, T) == expected


def test_reachability_window_is_seven_days(bare_site):
    ReachabilitySample.objects.bulk_create(
        [ReachabilitySample(site=bare_site, at=T - 8 * DAY, ok=False) for _ in range(30)]
        + [ReachabilitySample(site=bare_site, at=T - DAY, ok=True) for _ in range(30)])
    assert severities(HomeReachability(), bare_site, T) == []


# --- messages unanswered: warn from 60 days, veto at 90 --------------------------------------------

def _message(site, received, n):
    from govweb.interaction.actions import do_submit_message

    message, _ = do_submit_message(site=site, unit=site, kind="consultation", title=f"咨询{n}",
                                   content="请问办理流程是什么？", name="王某", token=f"sv-msg-{n:027d}", now=received)
    return message


@pytest.mark.parametrize("age, expected", [
    (60 * DAY - MINUTE, []), (60 * DAY, ["warning"]), (90 * DAY - MINUTE, ["warning"]),
    (90 * DAY, ["veto"]), (90 * DAY + MINUTE, ["veto"]),
])
def test_unanswered_message_age(bare_site, age, expected):
    _message(bare_site, T - age, int(age.total_seconds()))
    assert severities(InteractionReplies(), bare_site, T) == expected


def test_answered_message_is_not_flagged(bare_site):
    from govweb.interaction.models import MessageState

    message = _message(bare_site, T - 100 * DAY, 1)
    type(message).objects.filter(pk=message.pk).update(state=MessageState.CLOSED)
    assert severities(InteractionReplies(), bare_site, T) == []


# --- error reports: answered by their deadline (2 working days) -----------------------------------

@pytest.mark.parametrize("days_after_deadline, expected", [(-1, []), (0, []), (1, ["problem"])])
def test_error_report_deadline(bare_site, days_after_deadline, expected):
    from govweb.interaction.actions import do_submit_error_report

    report, _ = do_submit_error_report(site=bare_site, page_url="http://www-ceshi.localhost:8000/", kind="typo",
                                       description="错别字", token=f"sv-err-{days_after_deadline + 5:026d}", now=T)
    on = dt.datetime.combine(report.deadline + dt.timedelta(days=days_after_deadline), dt.time(17, 0),
                             tzinfo=T.tzinfo)
    assert severities(ErrorReports(), bare_site, on) == expected


# --- service guides: ≥ 4 of 8 key elements missing; 1 such item warns, 5 veto ---------------------

def _service(site, n, missing):
    from govweb.services.models import ServiceItem

    filled = {"legal_basis": "《条例》", "conditions": "本市户籍", "place": "政务服务中心", "hours": "工作日", "phone": "0851-1"}
    keys = list(filled)[: 5 - (missing - 2)] if missing >= 2 else list(filled)
    # materials and steps are always missing here (2), the rest from the text fields
    return ServiceItem.objects.create(code=f"SV{site.pk:04d}{n:08d}", name=f"事项{n}", department=site, live=True,
                                      **{k: filled[k] for k in keys})


@pytest.mark.parametrize("missing, expected", [(3, []), (4, ["warning", "warning"]), (5, ["warning", "warning"])])
def test_service_guide_missing_elements(bare_site, missing, expected):
    item = _service(bare_site, 1, missing)
    assert item.missing_count == missing
    assert severities(ServiceGuides(), bare_site, T) == expected


@pytest.mark.parametrize("items, expected", [(4, "warning"), (5, "veto"), (6, "veto")])
def test_service_guide_item_count(bare_site, items, expected):
    for n in range(items):
        _service(bare_site, n, 4)
    assert severities(ServiceGuides(), bare_site, T, key="count") == [expected]


# --- forbidden expressions -------------------------------------------------------------------------

def test_forbidden_expression_found_with_excerpt(bare_site):
    column = add_column(bare_site, "news")
    page = add_item(column, T, title="县人民政付召开常务会议", html="<p>会议传达学习了有关文件精神。</p>")
    add_item(column, T, title="正常信息", html="<p>依据国家市场监督管理总局文件。</p>")
    drafts = ForbiddenExpressions().check(bare_site, Context(T))
    assert [(d.key, d.severity) for d in drafts] == [(f"page:{page.pk}:人民政付", Severity.PROBLEM)]
    assert "应为“人民政府”" in drafts[0].summary and "人民政付" in drafts[0].excerpt


def test_inactive_expression_is_ignored(bare_site):
    from govweb.supervision.models import ForbiddenExpression

    ForbiddenExpression.objects.filter(text="人民政付").update(active=False)
    add_item(add_column(bare_site, "news"), T, title="县人民政付召开常务会议")
    assert ForbiddenExpressions().check(bare_site, Context(T)) == []


# --- reprint: 12-hour deadline, warned 2 hours before ---------------------------------------------

def _task(site, deadline, done_at=None):
    from govweb.reprint.models import ReprintDirective, ReprintTask

    directive = ReprintDirective.objects.create(title="国务院关于重要政策的通知", source_name="中国政府网",
                                                issued_at=deadline - dt.timedelta(hours=12), deadline=deadline)
    return ReprintTask.objects.create(directive=directive, site=site, status="done" if done_at else "pending",
                                      done_at=done_at)


@pytest.mark.parametrize("done_offset, expected", [(-MINUTE, []), (dt.timedelta(0), []), (MINUTE, ["problem"])])
def test_reprint_done_late(bare_site, done_offset, expected):
    _task(bare_site, T - DAY, done_at=T - DAY + done_offset)
    assert severities(Reprint(), bare_site, T) == expected


@pytest.mark.parametrize("now_offset, expected", [
    (-2 * 60 * MINUTE - MINUTE, []), (-2 * 60 * MINUTE, ["warning"]), (dt.timedelta(0), ["warning"]),
    (MINUTE, ["problem"]),
])
def test_reprint_pending_and_missing(bare_site, now_offset, expected):
    _task(bare_site, T)
    assert severities(Reprint(), bare_site, T + now_offset) == expected


def test_reprint_lookback(bare_site):
    _task(bare_site, T - 31 * DAY)
    assert severities(Reprint(), bare_site, T) == []
