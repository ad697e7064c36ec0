"""Dashboards: numbers equal counts computed directly from a known generated log; per-site
permission checks on the server; XLSX export."""

import datetime as dt
import io
import json
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from govweb.analytics import conf, generator, queries
from govweb.analytics.actions import do_ingest_logs
from govweb.analytics.demo import _pages
from govweb.cluster.models import SiteProfile

START = dt.date(2025, 4, 1)
DAYS = 5
END = START + dt.timedelta(days=DAYS - 1)


@pytest.fixture
def known_log(store_dir):
    profiles = {p.site.root_page.slug: p for p in SiteProfile.objects.select_related("site__root_page")}
    generator.generate(conf.access_log_dir(), 3000, START, DAYS, pages=_pages(profiles),
                       seed=0.7, threads=1, visitors=30)
    do_ingest_logs(settle_seconds=0)
    records = []
    for path in sorted(conf.access_log_dir().glob("*.jsonl")):
        records += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return records


def _views(records):
    return [r for r in records if r["status"] < 400 and r["ua"] != "bot"]


def test_dashboard_numbers_equal_direct_counts(known_log):
    views = _views(known_log)
    data = queries.dashboard(START, END, limit=1000)

    assert data["totals"]["pv"] == len(views)
    per_site = Counter(r["site"] for r in views)
    assert {r["site"]: r["pv"] for r in data["sites"]} == per_site
    daily_uv = {(r["ts"][:10], r["site"], r["visitor"]) for r in views}
    assert data["totals"]["uv"] == len(daily_uv)
    assert {r["site"]: r["errors"] for r in data["sites"]} == {
        s: sum(1 for r in known_log if r["site"] == s and r["status"] >= 400) for s in per_site}
    assert {r["hour"]: r["pv"] for r in data["hours"]} == Counter(int(r["ts"][11:13]) for r in views)
    assert {r["ua"]: r["pv"] for r in data["devices"]} == Counter(
        r["ua"] for r in known_log if (r["status"] < 400 and r["ua"] != "bot") or r["ua"] == "bot")
    assert {r["ref"]: r["pv"] for r in data["referrers"]} == Counter(r["ref"] or "" for r in views)
    assert {(r["site"], r["path"]): r["pv"] for r in data["pages"]} == Counter(
        (r["site"], r["path"]) for r in views)
    assert {r["q"]: r["searches"] for r in data["searches"]} == Counter(
        r["q"] for r in views if r["q"])
    assert [r["day"] for r in data["trend"]] == [START + dt.timedelta(days=i) for i in range(DAYS)]


def test_raw_and_pre_aggregated_queries_agree(known_log):
    from govweb.analytics import store

    con = store.connect()
    for name in ("sites", "trend", "pages", "columns", "referrers", "hours"):
        aggregated = queries.run(con, name, START, END, limit=1000)
        raw = queries.run(con, name, START, END, raw=True, limit=1000)
        key = lambda row: json.dumps(row, sort_keys=True, default=str)  # noqa: E731
        assert sorted(map(key, aggregated)) == sorted(map(key, raw)), name


def test_column_views_follow_the_pages_read(known_log):
    from govweb.library.models import ColumnPage

    views = _views(known_log)
    data = queries.dashboard(START, END, limit=1000)
    column = ColumnPage.objects.get(pk=data["columns"][0]["column_id"])
    children = set(column.get_children().values_list("pk", flat=True)) | {column.pk}
    expected = sum(1 for r in views if r["page"] in children)
    assert data["columns"][0]["pv"] == expected


@pytest.fixture
def user(db):
    return lambda name: get_user_model().objects.get(username=name)


def _get(client, path, **params):
    return client.get(path, params, HTTP_HOST="127.0.0.1:8001")


def test_cluster_administrator_sees_every_site(client, admin_role, known_log, user):
    client.force_login(user("admin"))
    response = _get(client, "/admin/analytics/", start=START, end=END)
    assert response.status_code == 200
    body = response.content.decode()
    for profile in SiteProfile.objects.all():
        assert profile.organisation in body
    assert 'data-chart="line"' in body and "echarts.min.js" in body


def test_site_manager_sees_only_their_site(client, admin_role, known_log, user):
    yunyan = SiteProfile.objects.get(site__root_page__slug="yunyan")
    portal = SiteProfile.objects.get(site__root_page__slug="portal")
    client.force_login(user("yunyan_editor"))
    response = _get(client, "/admin/analytics/", start=START, end=END)
    assert response.status_code == 200
    assert response.context["scope_label"] == yunyan.organisation
    assert {r["site"] for r in response.context["data"]["sites"]} == {yunyan.site_id}
    assert _get(client, "/admin/analytics/", site=portal.site_id).status_code == 403
    assert _get(client, "/admin/analytics/columns/", site=portal.site_id).status_code == 403
    assert _get(client, f"/admin/analytics/evaluation/{portal.site_id}/").status_code == 404
    assert _get(client, "/admin/analytics/ingestion/").status_code == 403


def test_users_without_a_site_are_refused(client, admin_role, db):
    staff = get_user_model().objects.create_user("nobody", password="x" * 12)
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(staff)
    assert _get(client, "/admin/analytics/").status_code == 403


def test_every_table_exports_to_xlsx(client, admin_role, known_log, user):
    client.force_login(user("admin"))
    response = _get(client, "/admin/analytics/", start=START, end=END, export="sites")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("网站", "浏览量", "访客数")
    assert sum(r[1] for r in rows[1:]) == len(_views(known_log))
    for table in ("trend", "pages", "columns", "referrers", "devices", "hours", "searches",
                  "zero_results"):
        assert _get(client, "/admin/analytics/", start=START, end=END,
                    export=table).status_code == 200, table
    columns = _get(client, "/admin/analytics/columns/", start=START, end=END, export="columns")
    assert load_workbook(io.BytesIO(columns.content)).active.max_row > 1
    assert _get(client, "/admin/analytics/evaluation/", export="evaluation").status_code == 200


def test_a_reversed_period_is_refused_with_a_chinese_message(client, admin_role, user):
    client.force_login(user("admin"))
    response = _get(client, "/admin/analytics/", start="2025-04-09", end="2025-04-01")
    assert response.status_code == 200
    assert "开始日期不能晚于结束日期" in response.content.decode()
