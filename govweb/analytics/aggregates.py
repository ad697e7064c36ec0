"""Pre-aggregates (日汇总/旬汇总/月汇总): per site, page, column, hour, device, referrer, search
query and "read together" page pairs, rebuilt for every day that received new records, then
summed per dekad (旬) and per month once those have ended.

Dashboards read these small tables, never the raw records: a period costs one file per whole
month, one per whole dekad of the rest and one per remaining day, whatever the traffic. A page
view is a request with status < 400 from a non-bot; unique visitors are counted per day (the
visitor hash rotates daily), so a period's "unique visitors" is the sum of its daily unique
visitors (visitor-days) and every count is additive — which is what makes the sums exact.
"""

import datetime as dt
import os

from . import store

DAYS_PER_PASS = 31
# Raw Parquet read per aggregation pass (~6M records at ~21 bytes each): bounds memory.
PASS_BYTES = 128 * 2**20
MARKER = ".aggregating"

# A page is keyed by its id; `path` is kept only for requests that matched no page (its
# sub-routes count to the page).
AGGREGATES = {
    "site": """
        SELECT day, site, count(*) FILTER (WHERE is_view) AS pv,
               count(DISTINCT vh) FILTER (WHERE is_view) AS uv,
               count(*) AS hits, count(*) FILTER (WHERE status >= 400) AS errors,
               count(*) FILTER (WHERE ua = 'bot') AS bots, sum(bytes) AS bytes,
               sum(ms) AS ms_sum
        FROM day_access GROUP BY day, site""",
    # Visitors counted in two steps (group by visitor, then count the groups): measured 35%
    # cheaper than count(DISTINCT …) on the many small groups of pages.
    "page": """
        SELECT day, site, page_id, column_id, path, sum(n) AS pv, count(*) AS uv FROM (
            SELECT day, site, page_id, column_id, path, vh, count(*) AS n
            FROM day_access WHERE is_view GROUP BY ALL)
        GROUP BY day, site, page_id, column_id, path""",
    "column": """
        SELECT day, site, column_id, count(*) AS pv, count(DISTINCT vh) AS uv
        FROM day_access WHERE is_view AND column_id IS NOT NULL GROUP BY day, site, column_id""",
    "hour": """
        SELECT day, site, hour, count(*) AS pv
        FROM day_access WHERE is_view GROUP BY day, site, hour""",
    "device": """
        SELECT day, site, ua, count(*) AS pv, count(DISTINCT vh) AS uv
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
            SELECT DISTINCT day, site, vh, page_id FROM day_access
            WHERE is_view AND page_id IS NOT NULL AND column_id IS NOT NULL AND column_id <> page_id
        ), readers AS (
            SELECT day, site, vh FROM vp GROUP BY ALL HAVING count(*) BETWEEN 2 AND 30
        ), vr AS (SELECT vp.* FROM vp JOIN readers USING (day, site, vh))
        SELECT x.day, x.site, x.page_id AS a, y.page_id AS b, count(*) AS n
        FROM vr x JOIN vr y ON x.day = y.day AND x.site = y.site AND x.vh = y.vh
                           AND x.page_id < y.page_id
        GROUP BY ALL""",
}


def _typed(kind, sql, day=True):
    """Cast to the schema's types, so every daily and summed file of a kind reads alike."""
    casts = []
    for part in store.EMPTY_SCHEMAS[f"agg_{kind}"].split(","):
        name, type_ = part.split()
        if name != "day" or day:
            casts.append(f"CAST({name} AS {type_}) AS {name}")
    return f"SELECT {', '.join(casts)} FROM ({sql})"


def _passes(days):
    """Groups of consecutive work: at most DAYS_PER_PASS days and about PASS_BYTES of records."""
    found = store.partitions(store.raw_dir("access"))
    group, size = [], 0
    for day in days:
        day_size = sum(f.stat().st_size for f in found[day].glob("part-*.parquet")) if day in found else 0
        if group and (len(group) >= DAYS_PER_PASS or size + day_size > PASS_BYTES):
            yield group
            group, size = [], 0
        group.append(day)
        size += day_size
    if group:
        yield group


def aggregate_days(days, con=None, today=None):
    """Rebuild every pre-aggregate for the given dates, then the sums of their ended periods
    (and of any other period whose sum is missing or stale)."""
    con = con or store.connect()
    days = sorted(set(days))
    if not days:
        return
    marker = store.root() / MARKER
    if marker.exists():  # an interrupted run left files under temporary names
        _sweep()
    marker.touch()
    for group in _passes(days):
        _aggregate_pass(con, group)
    compact_periods(con, days, today=today)
    marker.unlink()


def _sweep():
    for kind in store.AGG_KINDS:
        for leftover in store.agg_dir(kind).glob("*=*/.new-*"):
            leftover.unlink()


def _aggregate_pass(con, days):
    access = store.raw_files("access", days)
    if access:
        # Only what the aggregates need, as narrow as possible (copying strings is most of the
        # cost): the visitor hash as a 64-bit integer (a collision among one site's visitors of
        # a day is vanishingly unlikely), the hour, and the path only when no page matched.
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE day_access AS
            SELECT a.day, CAST(hour(a.ts) AS INTEGER) AS hour, a.site, a.status, a.bytes, a.ms,
                   hash(a.visitor) AS vh, a.ua, a.ref, a.q,
                   coalesce(pi.page_id, pp.page_id) AS page_id,
                   coalesce(pi.column_id, pp.column_id) AS column_id,
                   CASE WHEN pi.page_id IS NULL AND pp.page_id IS NULL THEN a.path END AS path,
                   (a.status < 400 AND coalesce(a.ua, '') <> 'bot') AS is_view
            FROM read_parquet({store.file_list(access)}, hive_partitioning = true,
                              union_by_name = true) a
            LEFT JOIN dim_pages pi ON pi.page_id = a.page
            -- by path only when the record has no page id (a CASE key: far cheaper than a filter)
            LEFT JOIN dim_pages pp ON pp.site_id = a.site
                                  AND pp.path = CASE WHEN a.page IS NULL THEN a.path END
        """)
    else:
        con.execute("CREATE OR REPLACE TEMP TABLE day_access (day DATE, hour INTEGER, site INTEGER, "
                    "status SMALLINT, bytes BIGINT, ms FLOAT, vh UBIGINT, ua VARCHAR, ref VARCHAR, "
                    "q VARCHAR, page_id INTEGER, column_id INTEGER, path VARCHAR, is_view BOOLEAN)")
    search = store.raw_files("search", days)
    if search:
        con.execute(f"""CREATE OR REPLACE TEMP TABLE day_search AS SELECT * FROM read_parquet(
            {store.file_list(search)}, hive_partitioning = true, union_by_name = true)""")
    else:
        con.execute(f"CREATE OR REPLACE TEMP TABLE day_search ({store.EMPTY_SCHEMAS['raw_search']})")
    token = store.token()
    for kind, sql in AGGREGATES.items():
        # Written beside the live file under a temporary name, then renamed over it: a
        # dashboard reading at the same moment sees the old day or the new one, never half.
        _rows, written = store.copy_partitioned(con, _typed(kind, sql), store.agg_dir(kind),
                                                f".new-{token}")
        for day in days:
            target = store.agg_day_file(kind, day)
            files = written.get(day)
            if not files:
                target.unlink(missing_ok=True)  # nothing of this kind that day any more
                continue
            if len(files) > 1:
                store.write_single(con, f"SELECT * FROM read_parquet({store.file_list(files)})",
                                   files[0].with_name(f".new-{token}.parquet"))
                for extra in files:
                    extra.unlink()
                files = [files[0].with_name(f".new-{token}.parquet")]
            os.replace(files[0], target)
    con.execute("DROP TABLE day_access")
    con.execute("DROP TABLE day_search")


def compact_periods(con, days=(), today=None):
    """Sum the daily files of each ended dekad and month into agg/<kind>/<level>=…/data.parquet.

    Periods containing `days` are rebuilt outright (those days were just re-aggregated); every
    other ended period only when its sum is missing or older than one of its days (an
    interrupted run). Periods not yet over are left to their daily files."""
    today = today or dt.date.today()
    forced = {(level, store.period_bounds(level, d)[0]) for d in days for level in store.PERIODS}
    for kind in store.AGG_KINDS:
        by_period = {}
        for day, directory in store.partitions(store.agg_dir(kind)).items():
            daily = directory / store.AGG_FILE
            if daily.exists():
                for level in store.PERIODS:
                    key = (level, store.period_bounds(level, day)[0])
                    by_period.setdefault(key, []).append(daily)
        keys, counts = store.agg_columns(kind)
        sums = ", ".join(f"sum({c}) AS {c}" for c in counts)
        for (level, first), files in sorted(by_period.items()):
            if store.period_bounds(level, first)[1] >= today:
                continue
            target = store.agg_period_file(kind, level, first)
            if (level, first) not in forced and target.exists():
                built = target.stat().st_mtime_ns
                if all(f.stat().st_mtime_ns <= built for f in files):
                    continue
            store.write_single(con, _typed(kind, f"""
                SELECT {', '.join(keys)}, {sums}
                FROM read_parquet({store.file_list(sorted(files))}, hive_partitioning = false)
                GROUP BY ALL""", day=False) + " ORDER BY ALL", target)
