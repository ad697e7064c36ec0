"""Dekad (旬) and month sums of the daily aggregates: long periods read few files and give the
same numbers as the log itself; late lines and interrupted runs refresh the sums."""

import datetime as dt
import json
from collections import Counter

import pytest
from django.utils import timezone

from govweb.analytics import conf, generator, queries, store
from govweb.analytics.actions import do_ingest_logs
from govweb.analytics.demo import _pages
from govweb.cluster.models import SiteProfile

START = dt.date(2025, 3, 25)
END = dt.date(2025, 5, 5)
APRIL = (dt.date(2025, 4, 1), dt.date(2025, 4, 30))


@pytest.fixture
def long_log(store_dir):
    profiles = {p.site.root_page.slug: p for p in SiteProfile.objects.select_related("site__root_page")}
    days = (END - START).days + 1
    generator.generate(conf.access_log_dir(), 4000, START, days, pages=_pages(profiles),
                       seed=0.3, threads=1, visitors=20)
    do_ingest_logs(settle_seconds=0)
    records = []
    for path in sorted(conf.access_log_dir().glob("*.jsonl")):
        records += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return records


def _views(records, start=START, end=END):
    return [r for r in records if r["status"] < 400 and r["ua"] != "bot"
            and start.isoformat() <= r["ts"][:10] <= end.isoformat()]


def _names(files):
    return [f"{f.parent.name}" for f in files]


def test_a_long_period_reads_month_and_dekad_sums(long_log):
    # 25–31 March by day, April by its month, 1–5 May by day (its dekad is not whole).
    names = _names(queries.aggregate_files("page", START, END))
    assert names == ([f"day=2025-03-{d}" for d in range(25, 32)] + ["month=2025-04"]
                     + [f"day=2025-05-0{d}" for d in range(1, 6)])
    # 11–25 April: the middle dekad, then days.
    names = _names(queries.aggregate_files("page", dt.date(2025, 4, 11), dt.date(2025, 4, 25)))
    assert names == ["dekad=2025-04-11"] + [f"day=2025-04-{d}" for d in range(21, 26)]
    # The daily trend never reads sums.
    assert len(queries.aggregate_files("site", START, END, by_day=True)) == 42


def test_numbers_over_sums_equal_direct_counts(long_log):
    views = _views(long_log)
    data = queries.dashboard(START, END, limit=1000)
    assert {r["site"]: r["pv"] for r in data["sites"]} == Counter(r["site"] for r in views)
    assert data["totals"]["uv"] == len({(r["ts"][:10], r["site"], r["visitor"]) for r in views})
    assert {(r["site"], r["path"]): r["pv"] for r in data["pages"]} == Counter(
        (r["site"], r["path"]) for r in views)
    assert {r["hour"]: r["pv"] for r in data["hours"]} == Counter(int(r["ts"][11:13]) for r in views)
    assert {r["ref"]: r["pv"] for r in data["referrers"]} == Counter(r["ref"] or "" for r in views)
    assert {r["q"]: r["searches"] for r in data["searches"]} == Counter(r["q"] for r in views if r["q"])
    april = queries.dashboard(*APRIL, limit=1000)
    assert april["totals"]["pv"] == len(_views(long_log, *APRIL))

    con = store.connect()
    for name in ("sites", "pages", "columns", "referrers", "hours", "devices"):
        aggregated = queries.run(con, name, START, END, limit=1000)
        raw = queries.run(con, name, START, END, raw=True, limit=1000)
        pick = (lambda row: (row["ua"], row["pv"])) if name == "devices" else (
            lambda row: json.dumps(row, sort_keys=True, default=str))
        assert sorted(map(pick, aggregated)) == sorted(map(pick, raw)), name


def test_late_lines_for_an_ended_month_refresh_its_sums(long_log):
    portal = SiteProfile.objects.get(site__root_page__slug="portal").site_id
    before = queries.site_visits(*APRIL, [portal])[portal]["pv"]
    late = "".join(json.dumps({"ts": f"2025-04-15T09:0{i}:00.000", "site": portal, "path": "/",
                               "page": None, "status": 200, "bytes": 1, "ms": 1.0,
                               "visitor": f"late{i:012d}", "ua": "desktop", "ref": None,
                               "q": None}) + "\n" for i in range(3))
    (conf.access_log_dir() / "late.jsonl").write_text(late, encoding="utf-8")
    do_ingest_logs(settle_seconds=0)
    assert queries.site_visits(*APRIL, [portal])[portal]["pv"] == before + 3
    dekad = (dt.date(2025, 4, 11), dt.date(2025, 4, 20))
    assert _names(queries.aggregate_files("site", *dekad)) == ["dekad=2025-04-11"]
    assert queries.site_visits(*dekad, [portal])[portal]["pv"] == len(
        [r for r in _views(long_log, *dekad) if r["site"] == portal]) + 3


def test_a_missing_or_stale_sum_is_rebuilt_by_the_next_run(long_log):
    month = store.agg_period_file("site", "month", APRIL[0])
    expected = queries.site_visits(*APRIL)
    month.unlink()
    assert "month=2025-04" not in _names(queries.aggregate_files("site", *APRIL))
    assert queries.site_visits(*APRIL) == expected  # read from the days meanwhile
    do_ingest_logs(settle_seconds=0)  # nothing new to read, but the sum comes back
    assert month.exists()
    assert queries.site_visits(*APRIL) == expected


def test_dekads_follow_the_calendar():
    bounds = store.period_bounds
    assert bounds("dekad", dt.date(2025, 1, 10)) == (dt.date(2025, 1, 1), dt.date(2025, 1, 10))
    assert bounds("dekad", dt.date(2025, 1, 11)) == (dt.date(2025, 1, 11), dt.date(2025, 1, 20))
    assert bounds("dekad", dt.date(2025, 2, 21)) == (dt.date(2025, 2, 21), dt.date(2025, 2, 28))
    assert bounds("dekad", dt.date(2024, 2, 29)) == (dt.date(2024, 2, 21), dt.date(2024, 2, 29))
    assert bounds("dekad", dt.date(2025, 12, 31)) == (dt.date(2025, 12, 21), dt.date(2025, 12, 31))
    assert bounds("month", dt.date(2025, 12, 31)) == (dt.date(2025, 12, 1), dt.date(2025, 12, 31))


def test_periods_not_over_have_no_sum(store_dir):
    today = timezone.localdate()
    profiles = {p.site.root_page.slug: p for p in SiteProfile.objects.select_related("site__root_page")}
    generator.generate(conf.access_log_dir(), 300, today - dt.timedelta(days=2), 3,
                       pages=_pages(profiles), seed=0.5, threads=1, visitors=10)
    do_ingest_logs(settle_seconds=0)
    for level in store.PERIODS:
        assert not store.agg_period_file("site", level, store.period_bounds(level, today)[0]).exists()
    names = _names(queries.aggregate_files("site", store.month_start(today), today))
    assert names and all(name.startswith("day=") for name in names)
    assert queries.site_visits(today - dt.timedelta(days=2), today)
