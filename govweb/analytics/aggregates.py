"""Daily pre-aggregates (日汇总): per site, page, column, hour, device, referrer, search query
and "read together" page pairs, rebuilt for every day that received new records.

Dashboards read these small tables, so their cost grows with the number of days in the period,
not with the number of requests. A page view is a request with status < 400 from a non-bot;
unique visitors are counted per day (the visitor hash rotates daily), so a period's "unique
visitors" is the sum of its daily unique visitors (visitor-days).
"""

import shutil

from . import store

DAYS_PER_PASS = 31

AGGREGATES = {
    "site": """
        SELECT day, site, count(*) FILTER (WHERE is_view) AS pv,
               count(DISTINCT visitor) FILTER (WHERE is_view) AS uv,
               count(*) AS hits, count(*) FILTER (WHERE status >= 400) AS errors,
               count(*) FILTER (WHERE ua = 'bot') AS bots, sum(bytes) AS bytes,
               sum(ms) AS ms_sum
        FROM day_access GROUP BY day, site""",
    "page": """
        SELECT day, site, page_id, column_id, path, count(*) AS pv, count(DISTINCT visitor) AS uv
        FROM day_access WHERE is_view GROUP BY day, site, page_id, column_id, path""",
    "column": """
        SELECT day, site, column_id, count(*) AS pv, count(DISTINCT visitor) AS uv
        FROM day_access WHERE is_view AND column_id IS NOT NULL GROUP BY day, site, column_id""",
    "hour": """
        SELECT day, site, CAST(hour(ts) AS INTEGER) AS hour, count(*) AS pv
        FROM day_access WHERE is_view GROUP BY day, site, hour""",
    "device": """
        SELECT day, site, ua, count(*) AS pv, count(DISTINCT visitor) AS uv
        FROM day_access WHERE is_view OR ua = 'bot' GROUP BY day, site, ua""",
    "referrer": """
        SELECT day, site, coalesce(ref, '') AS ref, count(*) AS pv
        FROM day_access WHERE is_view GROUP BY day, site, ref""",
    "search": """
        SELECT day, site, q, sum(searches) AS searches, sum(zero) AS zero, sum(clicks) AS clicks
        FROM (
            SELECT day, site, lower(trim(q)) AS q, count(*) AS searches,
                   count(*) FILTER (WHERE results = 0) AS zero,
                   count(*) FILTER (WHERE clicked IS NOT NULL AND clicked <> '') AS clicks
            FROM day_search WHERE q IS NOT NULL AND trim(q) <> '' GROUP BY ALL
            UNION ALL
            -- Queries seen only in the access log (days without search-app events).
            SELECT day, site, lower(trim(q)) AS q, count(*) AS searches, NULL AS zero, NULL AS clicks
            FROM day_access
            WHERE q IS NOT NULL AND is_view AND day NOT IN (SELECT DISTINCT day FROM day_search)
            GROUP BY ALL
        ) GROUP BY day, site, q""",
    "coview": """
        WITH vp AS (
            SELECT DISTINCT day, site, visitor, page_id FROM day_access
            WHERE is_view AND page_id IS NOT NULL AND column_id IS NOT NULL AND column_id <> page_id
        ), readers AS (
            SELECT day, site, visitor FROM vp GROUP BY ALL HAVING count(*) BETWEEN 2 AND 30
        ), vr AS (SELECT vp.* FROM vp JOIN readers USING (day, site, visitor))
        SELECT x.day, x.site, x.page_id AS a, y.page_id AS b, count(*) AS n
        FROM vr x JOIN vr y ON x.day = y.day AND x.site = y.site AND x.visitor = y.visitor
                           AND x.page_id < y.page_id
        GROUP BY ALL""",
}


def _globs(kind, days):
    found = store.partitions(store.raw_dir(kind))
    return [f"{found[d]}/*.parquet" for d in days if d in found and any(found[d].glob("*.parquet"))]


def aggregate_days(days, con=None):
    """Rebuild every pre-aggregate for the given dates."""
    con = con or store.connect()
    days = sorted(set(days))
    for start in range(0, len(days), DAYS_PER_PASS):
        _aggregate_pass(con, days[start:start + DAYS_PER_PASS])


def _read(kind, days):
    files = _globs(kind, days)
    if not files:
        return None
    listing = ", ".join(f"'{f}'" for f in files)
    return f"read_parquet([{listing}], hive_partitioning = true, union_by_name = true)"


def _aggregate_pass(con, days):
    access = _read("access", days)
    if access:
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE day_access AS
            SELECT a.day, a.ts, a.site, a.path, a.status, a.bytes, a.ms, a.visitor, a.ua, a.ref, a.q,
                   coalesce(pi.page_id, pp.page_id) AS page_id,
                   coalesce(pi.column_id, pp.column_id) AS column_id,
                   (a.status < 400 AND coalesce(a.ua, '') <> 'bot') AS is_view
            FROM {access} a
            LEFT JOIN dim_pages pi ON pi.page_id = a.page
            LEFT JOIN dim_pages pp ON a.page IS NULL AND pp.site_id = a.site AND pp.path = a.path
        """)
    else:
        con.execute(f"CREATE OR REPLACE TEMP TABLE day_access ({store.EMPTY_SCHEMAS['raw_access']}, "
                    "page_id INTEGER, column_id INTEGER, is_view BOOLEAN)")
    search = _read("search", days)
    if search:
        con.execute(f"CREATE OR REPLACE TEMP TABLE day_search AS SELECT * FROM {search}")
    else:
        con.execute(f"CREATE OR REPLACE TEMP TABLE day_search ({store.EMPTY_SCHEMAS['raw_search']})")
    for kind, sql in AGGREGATES.items():
        staged = store.staging_dir()
        con.execute(f"COPY ({sql}) TO '{staged}' "
                    "(FORMAT parquet, PARTITION_BY (day), COMPRESSION zstd, OVERWRITE_OR_IGNORE)")
        written = set(store.place_partitioned(staged, store.agg_dir(kind), "data"))
        existing = store.partitions(store.agg_dir(kind))
        for day in days:
            if day.isoformat() not in written and day in existing:
                shutil.rmtree(existing[day], ignore_errors=True)
    con.execute("DROP TABLE day_access")
    con.execute("DROP TABLE day_search")
