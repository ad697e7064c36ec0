"""Dashboard reads (统计查询) over the store: each returns a list of dicts.

Every query exists in two forms: over the pre-aggregates (what the dashboards use) and over the
raw access records (the benchmark's "without pre-aggregates", and a cross-check). The
pre-aggregated form reads, for a period, one file per whole month, per whole dekad (旬) of the
rest and per remaining day (`source`), so its cost does not grow with the traffic.
"""

import datetime as dt
from typing import NamedTuple

from . import store

# The raw records as the aggregates see them (see aggregates.py: a page is keyed by its id,
# the path kept only when no page matched).
RAW_VIEWS = """
    CREATE OR REPLACE TEMP VIEW raw_views AS
    SELECT a.day, a.ts, a.site, a.status, a.bytes, a.visitor, a.ua, a.ref, a.q,
           coalesce(pi.page_id, pp.page_id) AS page_id,
           coalesce(pi.column_id, pp.column_id) AS column_id,
           CASE WHEN pi.page_id IS NULL AND pp.page_id IS NULL THEN a.path END AS path,
           (a.status < 400 AND coalesce(a.ua, '') <> 'bot') AS is_view
    FROM raw_access a
    LEFT JOIN dim_pages pi ON pi.page_id = a.page
    LEFT JOIN dim_pages pp ON pp.site_id = a.site
                          AND pp.path = CASE WHEN a.page IS NULL THEN a.path END
"""


class Query(NamedTuple):
    kind: str  # the aggregate it reads
    aggregated: str  # over {source} (the period's aggregate rows) WHERE {sites}
    raw: str | None  # over raw_views WHERE {where} (period and sites)
    by_day: bool = False  # needs daily rows (no dekad or month sums)


QUERIES = {
    "sites": Query(
        "site",
        """SELECT site, sum(pv) AS pv, sum(uv) AS uv, sum(hits) AS hits, sum(errors) AS errors
           FROM {source} WHERE {sites} GROUP BY site ORDER BY pv DESC""",
        """SELECT site, sum(pv) AS pv, sum(uv) AS uv, sum(hits) AS hits, sum(errors) AS errors
           FROM (SELECT day, site, count(*) FILTER (WHERE is_view) AS pv,
                        count(DISTINCT visitor) FILTER (WHERE is_view) AS uv, count(*) AS hits,
                        count(*) FILTER (WHERE status >= 400) AS errors
                 FROM raw_views WHERE {where} GROUP BY day, site)
           GROUP BY site ORDER BY pv DESC""",
    ),
    "trend": Query(
        "site",
        """SELECT day, sum(pv) AS pv, sum(uv) AS uv FROM {source} WHERE {sites}
           GROUP BY day ORDER BY day""",
        """SELECT day, sum(pv) AS pv, sum(uv) AS uv FROM (
               SELECT day, site, count(*) AS pv, count(DISTINCT visitor) AS uv
               FROM raw_views WHERE {where} AND is_view GROUP BY day, site)
           GROUP BY day ORDER BY day""",
        by_day=True,
    ),
    "pages": Query(
        "page",
        """SELECT site, page_id, path, sum(pv) AS pv, sum(uv) AS uv FROM {source}
           WHERE {sites} GROUP BY site, page_id, path
           ORDER BY pv DESC, site, page_id, path LIMIT {limit}""",
        """SELECT site, page_id, path, sum(pv) AS pv, sum(uv) AS uv FROM (
               SELECT day, site, page_id, path, count(*) AS pv, count(DISTINCT visitor) AS uv
               FROM raw_views WHERE {where} AND is_view GROUP BY day, site, page_id, path)
           GROUP BY site, page_id, path ORDER BY pv DESC, site, page_id, path LIMIT {limit}""",
    ),
    "columns": Query(
        "column",
        """SELECT site, column_id, sum(pv) AS pv, sum(uv) AS uv FROM {source}
           WHERE {sites} GROUP BY site, column_id ORDER BY pv DESC""",
        """SELECT site, column_id, sum(pv) AS pv, sum(uv) AS uv FROM (
               SELECT day, site, column_id, count(*) AS pv, count(DISTINCT visitor) AS uv
               FROM raw_views WHERE {where} AND is_view AND column_id IS NOT NULL
               GROUP BY day, site, column_id)
           GROUP BY site, column_id ORDER BY pv DESC""",
    ),
    "referrers": Query(
        "referrer",
        """SELECT ref, sum(pv) AS pv FROM {source} WHERE {sites}
           GROUP BY ref ORDER BY pv DESC, ref LIMIT {limit}""",
        """SELECT coalesce(ref, '') AS ref, count(*) AS pv FROM raw_views
           WHERE {where} AND is_view GROUP BY 1 ORDER BY pv DESC, ref LIMIT {limit}""",
    ),
    "devices": Query(
        "device",
        """SELECT ua, sum(pv) AS pv, sum(uv) AS uv FROM {source} WHERE {sites}
           GROUP BY ua ORDER BY pv DESC""",
        """SELECT ua, count(*) AS pv, NULL AS uv FROM raw_views
           WHERE {where} AND (is_view OR ua = 'bot') GROUP BY ua ORDER BY pv DESC""",
    ),
    "hours": Query(
        "hour",
        """SELECT hour, sum(pv) AS pv FROM {source} WHERE {sites} GROUP BY hour ORDER BY hour""",
        """SELECT CAST(hour(ts) AS INTEGER) AS hour, count(*) AS pv FROM raw_views
           WHERE {where} AND is_view GROUP BY 1 ORDER BY 1""",
    ),
    "searches": Query(
        "search",
        """SELECT q, sum(searches) AS searches, sum(zero) AS zero, sum(clicks) AS clicks
           FROM {source} WHERE {sites} GROUP BY q ORDER BY searches DESC, q LIMIT {limit}""",
        """SELECT lower(trim(q)) AS q, count(*) AS searches, NULL AS zero, NULL AS clicks
           FROM raw_views WHERE {where} AND is_view AND q IS NOT NULL
           GROUP BY 1 ORDER BY searches DESC, q LIMIT {limit}""",
    ),
    "zero_results": Query(
        "search",
        """SELECT q, sum(zero) AS zero, sum(searches) AS searches FROM {source}
           WHERE {sites} AND zero > 0 GROUP BY q ORDER BY zero DESC, q LIMIT {limit}""",
        None,
    ),
}


def aggregate_files(kind, start, end, by_day=False):
    """The files holding one aggregate for the dates start..end: each whole month inside the
    period by its sum, then each whole dekad (旬) of the rest, every other day by its daily
    file (also wherever a sum is missing: periods not yet over have none)."""
    files, day = [], start
    while day <= end:
        for level in () if by_day else store.PERIODS:
            first, last = store.period_bounds(level, day)
            summed = store.agg_period_file(kind, level, first)
            if first == day and last <= end and summed.exists():
                files.append(summed)
                day = last + dt.timedelta(days=1)
                break
        else:
            daily = store.agg_day_file(kind, day)
            if daily.exists():
                files.append(daily)
            day += dt.timedelta(days=1)
    return files


def source(kind, start, end, by_day=False):
    """A FROM-item with the rows of one aggregate over a period (a `day` column if by_day)."""
    files = aggregate_files(kind, start, end, by_day)
    return store.read_files(files, f"agg_{kind}", hive=by_day)


def sites_clause(site_ids=None):
    """Site filter; site ids are integers, inlined safely."""
    if site_ids is None:
        return "true"
    return f"site IN ({', '.join(str(int(s)) for s in site_ids) or 'NULL'})"


def where_clause(start, end, site_ids=None):
    """Period (inclusive dates) and site filter over raw rows."""
    clause = f"day BETWEEN DATE '{start.isoformat()}' AND DATE '{end.isoformat()}'"
    if site_ids is not None:
        clause += f" AND {sites_clause(site_ids)}"
    return clause


def run(con, name, start, end, site_ids=None, raw=False, limit=20):
    """One dashboard query by name."""
    query = QUERIES[name]
    if raw:
        if query.raw is None:
            return []
        store.raw_views(con)
        con.execute(RAW_VIEWS)
        sql = query.raw.format(where=where_clause(start, end, site_ids), limit=int(limit))
    else:
        sql = query.aggregated.format(source=source(query.kind, start, end, query.by_day),
                                      sites=sites_clause(site_ids), limit=int(limit))
    return store.rows(con, sql)


def dashboard(start, end, site_ids=None, limit=20):
    """Everything the dashboard shows for a period and a set of sites (None = all)."""
    con = store.connect()
    try:
        data = {name: run(con, name, start, end, site_ids, limit=limit) for name in QUERIES}
        names = _titles(con, data)
    finally:
        con.close()
    for row in data["pages"]:
        info = names["pages"].get(row["page_id"]) or {}
        row["path"] = row["path"] or info.get("url") or ""  # a page's own address
        row["title"] = info.get("title") or row["path"]
    for row in data["columns"]:
        row["title"] = (names["pages"].get(row["column_id"]) or {}).get("title") or "—"
    site_names = names["sites"]
    for key in ("sites", "pages", "columns"):
        for row in data[key]:
            row["site_name"] = site_names.get(row["site"], str(row["site"]))
    totals = {"pv": sum(r["pv"] or 0 for r in data["sites"]),
              "uv": sum(r["uv"] or 0 for r in data["sites"]),
              "errors": sum(r["errors"] or 0 for r in data["sites"])}
    data["totals"] = totals
    return data


def _titles(con, data):
    ids = {r["page_id"] for r in data["pages"] if r["page_id"]} | {
        r["column_id"] for r in data["columns"] if r["column_id"]}
    pages = {}
    if ids:
        listing = ", ".join(str(int(i)) for i in ids)
        for row in store.rows(con, f"SELECT page_id, title, url FROM dim_pages WHERE page_id IN ({listing})"):
            pages[row["page_id"]] = row
    sites = {r["site_id"]: r["name"] for r in store.rows(con, "SELECT site_id, name FROM dim_sites")}
    return {"pages": pages, "sites": sites}


def column_views(start, end, site_ids=None):
    """{column page id: (pv, uv)} over a period."""
    con = store.connect()
    try:
        return {r["column_id"]: (r["pv"], r["uv"])
                for r in run(con, "columns", start, end, site_ids)}
    finally:
        con.close()


def site_visits(start, end, site_ids=None):
    """{site id: {"pv", "uv"}} — also what the annual report (R14) reads."""
    con = store.connect()
    try:
        return {r["site"]: {"pv": int(r["pv"] or 0), "uv": int(r["uv"] or 0)}
                for r in run(con, "sites", start, end, site_ids)}
    finally:
        con.close()


def popular_pages(site_id, today, days=7, limit=8):
    """Most read pages (not columns) of a site over the last `days` days, from the aggregates."""
    con = store.connect()
    try:
        start = today - dt.timedelta(days=days)
        return store.rows(con, f"""
            SELECT p.page_id, d.title, d.url, sum(p.pv) AS pv FROM {source("page", start, today)} p
            JOIN dim_pages d ON d.page_id = p.page_id AND NOT d.is_column
            WHERE p.{sites_clause([site_id])} AND p.column_id IS NOT NULL
            GROUP BY p.page_id, d.title, d.url ORDER BY pv DESC, p.page_id LIMIT {int(limit)}""")
    finally:
        con.close()


def related_pages(site_id, page_id, today, days=30, limit=6):
    """Pages read together with page_id by the same visitors on the same days."""
    con = store.connect()
    try:
        start = today - dt.timedelta(days=days)
        pid = int(page_id)
        return store.rows(con, f"""
            SELECT other AS page_id, d.title, d.url, sum(n) AS n FROM (
                SELECT CASE WHEN a = {pid} THEN b ELSE a END AS other, n
                FROM {source("coview", start, today)}
                WHERE {sites_clause([site_id])} AND (a = {pid} OR b = {pid})) c
            JOIN dim_pages d ON d.page_id = c.other
            GROUP BY other, d.title, d.url ORDER BY n DESC, other LIMIT {int(limit)}""")
    finally:
        con.close()


def related_reading_lists(today, days=30, limit=6):
    """related_pages for every page at once: (site, page_id, [related ids best first])."""
    con = store.connect()
    try:
        start = today - dt.timedelta(days=days)
        return con.execute(f"""
            WITH pairs AS (
                SELECT site, a AS page, b AS other, n FROM {source("coview", start, today)}
                UNION ALL SELECT site, b, a, n FROM {source("coview", start, today)}
            ), sums AS (
                SELECT site, page, other, sum(n) AS n FROM pairs
                WHERE other IN (SELECT page_id FROM dim_pages) GROUP BY ALL
            ), ranked AS (
                SELECT *, row_number() OVER (PARTITION BY site, page ORDER BY n DESC, other) AS r
                FROM sums)
            SELECT site, page, list(other ORDER BY r) FROM ranked WHERE r <= {int(limit)}
            GROUP BY site, page""").fetchall()
    finally:
        con.close()


def column_statistics(profiles, start, end, now):
    """栏目统计 (R9.2): per column, items published in the period against its update
    expectation, views, reposts/pushes to other sites; plus the services' usage per site."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Count, Max, Q
    from wagtail.models import Page

    from govweb.library.models import ColumnKind, ColumnPage

    from . import providers

    column_type = ContentType.objects.get_for_model(ColumnPage).pk
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=now.tzinfo)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=now.tzinfo)
    views = column_views(start, end, [p.site_id for p in profiles])
    period_days = (end - start).days + 1
    result = []
    for profile in profiles:
        reposts = providers.collect("reposts", profile, lo, hi) or {}
        columns = ColumnPage.objects.descendant_of(profile.site.root_page).live().order_by("path")
        for column in columns:
            items = Page.objects.child_of(column).live().exclude(content_type_id=column_type)
            stats = items.aggregate(
                published=Count("pk", filter=Q(first_published_at__gte=lo, first_published_at__lt=hi)),
                last=Max("first_published_at"),
            )
            expected_days = column.expected_update_days
            expected = (max(1, period_days // expected_days)
                        if expected_days and column.kind != ColumnKind.LINK else 0)
            last = stats["last"]
            on_time = (column.kind == ColumnKind.LINK or (
                last is not None and (now - last) <= dt.timedelta(days=expected_days)))
            pv, uv = views.get(column.pk, (0, 0))
            result.append({
                "site": profile.organisation, "site_id": profile.site_id, "column_id": column.pk,
                "column": column.title, "kind": column.get_kind_display(),
                "expected_days": expected_days, "published": stats["published"],
                "expected": expected, "last_update": last, "on_time": on_time,
                "pv": int(pv or 0), "uv": int(uv or 0), "reposts": int(reposts.get(column.pk, 0)),
            })
    return result


def service_usage(profiles, start, end, now):
    from . import providers

    lo = dt.datetime.combine(start, dt.time.min, tzinfo=now.tzinfo)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=now.tzinfo)
    rows = []
    for profile in profiles:
        for row in providers.collect("service_usage", profile, lo, hi) or []:
            rows.append({"site": profile.organisation, **row})
    return rows
