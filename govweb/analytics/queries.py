"""Dashboard reads (统计查询) over the store: each returns a list of dicts.

Every query exists in two forms: over the daily pre-aggregates (what the dashboards use) and
over the raw access records (the benchmark's "without pre-aggregates", and a cross-check).
"""

import datetime as dt

from . import store

RAW_VIEWS = """
    CREATE OR REPLACE TEMP VIEW raw_views AS
    SELECT a.day, a.ts, a.site, a.path, a.status, a.bytes, a.visitor, a.ua, a.ref, a.q,
           coalesce(pi.page_id, pp.page_id) AS page_id,
           coalesce(pi.column_id, pp.column_id) AS column_id,
           (a.status < 400 AND coalesce(a.ua, '') <> 'bot') AS is_view
    FROM raw_access a
    LEFT JOIN dim_pages pi ON pi.page_id = a.page
    LEFT JOIN dim_pages pp ON a.page IS NULL AND pp.site_id = a.site AND pp.path = a.path
"""

QUERIES = {
    "sites": (
        """SELECT site, sum(pv) AS pv, sum(uv) AS uv, sum(hits) AS hits, sum(errors) AS errors
           FROM agg_site WHERE {where} GROUP BY site ORDER BY pv DESC""",
        """SELECT site, sum(pv) AS pv, sum(uv) AS uv, sum(hits) AS hits, sum(errors) AS errors
           FROM (SELECT day, site, count(*) FILTER (WHERE is_view) AS pv,
                        count(DISTINCT visitor) FILTER (WHERE is_view) AS uv, count(*) AS hits,
                        count(*) FILTER (WHERE status >= 400) AS errors
                 FROM raw_views WHERE {where} GROUP BY day, site)
           GROUP BY site ORDER BY pv DESC""",
    ),
    "trend": (
        """SELECT day, sum(pv) AS pv, sum(uv) AS uv FROM agg_site WHERE {where}
           GROUP BY day ORDER BY day""",
        """SELECT day, sum(pv) AS pv, sum(uv) AS uv FROM (
               SELECT day, site, count(*) AS pv, count(DISTINCT visitor) AS uv
               FROM raw_views WHERE {where} AND is_view GROUP BY day, site)
           GROUP BY day ORDER BY day""",
    ),
    "pages": (
        """SELECT site, page_id, path, sum(pv) AS pv, sum(uv) AS uv FROM agg_page
           WHERE {where} GROUP BY site, page_id, path ORDER BY pv DESC, path LIMIT {limit}""",
        """SELECT site, page_id, path, sum(pv) AS pv, sum(uv) AS uv FROM (
               SELECT day, site, page_id, path, count(*) AS pv, count(DISTINCT visitor) AS uv
               FROM raw_views WHERE {where} AND is_view GROUP BY day, site, page_id, path)
           GROUP BY site, page_id, path ORDER BY pv DESC, path LIMIT {limit}""",
    ),
    "columns": (
        """SELECT site, column_id, sum(pv) AS pv, sum(uv) AS uv FROM agg_column
           WHERE {where} GROUP BY site, column_id ORDER BY pv DESC""",
        """SELECT site, column_id, sum(pv) AS pv, sum(uv) AS uv FROM (
               SELECT day, site, column_id, count(*) AS pv, count(DISTINCT visitor) AS uv
               FROM raw_views WHERE {where} AND is_view AND column_id IS NOT NULL
               GROUP BY day, site, column_id)
           GROUP BY site, column_id ORDER BY pv DESC""",
    ),
    "referrers": (
        """SELECT ref, sum(pv) AS pv FROM agg_referrer WHERE {where}
           GROUP BY ref ORDER BY pv DESC, ref LIMIT {limit}""",
        """SELECT coalesce(ref, '') AS ref, count(*) AS pv FROM raw_views
           WHERE {where} AND is_view GROUP BY 1 ORDER BY pv DESC, ref LIMIT {limit}""",
    ),
    "devices": (
        """SELECT ua, sum(pv) AS pv, sum(uv) AS uv FROM agg_device WHERE {where}
           GROUP BY ua ORDER BY pv DESC""",
        """SELECT ua, count(*) AS pv, NULL AS uv FROM raw_views
           WHERE {where} AND (is_view OR ua = 'bot') GROUP BY ua ORDER BY pv DESC""",
    ),
    "hours": (
        """SELECT hour, sum(pv) AS pv FROM agg_hour WHERE {where} GROUP BY hour ORDER BY hour""",
        """SELECT CAST(hour(ts) AS INTEGER) AS hour, count(*) AS pv FROM raw_views
           WHERE {where} AND is_view GROUP BY 1 ORDER BY 1""",
    ),
    "searches": (
        """SELECT q, sum(searches) AS searches, sum(zero) AS zero, sum(clicks) AS clicks
           FROM agg_search WHERE {where} GROUP BY q ORDER BY searches DESC, q LIMIT {limit}""",
        """SELECT lower(trim(q)) AS q, count(*) AS searches, NULL AS zero, NULL AS clicks
           FROM raw_views WHERE {where} AND is_view AND q IS NOT NULL
           GROUP BY 1 ORDER BY searches DESC, q LIMIT {limit}""",
    ),
    "zero_results": (
        """SELECT q, sum(zero) AS zero, sum(searches) AS searches FROM agg_search
           WHERE {where} AND zero > 0 GROUP BY q ORDER BY zero DESC, q LIMIT {limit}""",
        None,
    ),
}


def where_clause(start, end, site_ids=None):
    """Period (inclusive dates) and site filter; site ids are integers, inlined safely."""
    clause = f"day BETWEEN DATE '{start.isoformat()}' AND DATE '{end.isoformat()}'"
    if site_ids is not None:
        ids = ", ".join(str(int(s)) for s in site_ids) or "NULL"
        clause += f" AND site IN ({ids})"
    return clause


def run(con, name, start, end, site_ids=None, raw=False, limit=20):
    """One dashboard query by name."""
    aggregated, raw_sql = QUERIES[name]
    sql = raw_sql if raw else aggregated
    if sql is None:
        return []
    if raw:
        con.execute(RAW_VIEWS)
    return store.rows(con, sql.format(where=where_clause(start, end, site_ids), limit=int(limit)))


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
            SELECT p.page_id, d.title, d.url, sum(p.pv) AS pv FROM agg_page p
            JOIN dim_pages d ON d.page_id = p.page_id AND NOT d.is_column
            WHERE {where_clause(start, today, [site_id])} AND p.column_id IS NOT NULL
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
                SELECT CASE WHEN a = {pid} THEN b ELSE a END AS other, n FROM agg_coview
                WHERE {where_clause(start, today, [site_id])} AND (a = {pid} OR b = {pid})) c
            JOIN dim_pages d ON d.page_id = c.other
            GROUP BY other, d.title, d.url ORDER BY n DESC, other LIMIT {int(limit)}""")
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
