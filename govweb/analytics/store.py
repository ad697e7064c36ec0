"""The analytics store: date-partitioned Parquet files read and written with DuckDB.

Layout under DATA_DIR/analytics/ (hive style, one directory per day = one partition):
  raw/access/day=YYYY-MM-DD/part-*.parquet    access records (app log and nginx)
  raw/search/day=YYYY-MM-DD/part-*.parquet    search events
  agg/<kind>/day=YYYY-MM-DD/data.parquet      daily pre-aggregates (site, page, column, ...)
  agg/<kind>/dekad=YYYY-MM-DD/data.parquet    the same summed over an ended dekad (旬)
  agg/<kind>/month=YYYY-MM/data.parquet       … and over an ended month
  dim/pages.parquet, dim/sites.parquet        page → site/column/title, refreshed at each run
  archive/...                                 partitions past the retention period

Readers name the files they read (never a bare glob), so a file being written beside them under
a temporary name is never seen. This module and queries.py are the whole query layer: moving
to ClickHouse or to Parquet on object storage read by DuckDB/Trino means reimplementing these
readers, not the callers.
"""

import datetime as dt
import fcntl
import os
import uuid
from contextlib import contextmanager
from pathlib import Path

import duckdb

from . import conf

RAW_KINDS = ("access", "search")
AGG_KINDS = ("site", "page", "column", "hour", "device", "referrer", "search", "coview")
AGG_FILE = "data.parquet"


def root():
    return conf.store_dir()


def raw_dir(kind):
    return root() / "raw" / kind


def agg_dir(kind):
    return root() / "agg" / kind


def dim_dir():
    return root() / "dim"


def archive_dir():
    return root() / "archive"


def partition_dir(base, day):
    return Path(base) / f"day={day.isoformat()}"


# Ended periods whose daily aggregates are also kept summed, longest first: a dashboard period
# reads one file per whole month, one per whole dekad (旬: days 1–10, 11–20, 21–end) of the
# rest, and daily files only for the few days left at its edges.
PERIODS = ("month", "dekad")


def period_bounds(level, day):
    """(first, last) date of the month or dekad containing day."""
    if level == "month":
        return month_start(day), month_end(day)
    first = day.replace(day=min(21, 1 + (day.day - 1) // 10 * 10))
    last = month_end(day) if first.day == 21 else first + dt.timedelta(days=9)
    return first, last


def period_dir(base, level, first):
    name = f"{first:%Y-%m}" if level == "month" else first.isoformat()
    return Path(base) / f"{level}={name}"


def partitions(base):
    """{date: directory} of the day partitions under base."""
    found = {}
    base = Path(base)
    if base.exists():
        for child in base.iterdir():
            if child.is_dir() and child.name.startswith("day="):
                try:
                    found[dt.date.fromisoformat(child.name[4:])] = child
                except ValueError:
                    continue
    return found


def month_start(day):
    return day.replace(day=1)


def month_end(day):
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def raw_files(kind, days=None):
    """The Parquet files of raw partitions (all days, or the given dates)."""
    found = partitions(raw_dir(kind))
    wanted = sorted(found) if days is None else sorted(d for d in set(days) if d in found)
    return [str(f) for d in wanted for f in sorted(found[d].glob("part-*.parquet"))]


def agg_day_file(kind, day):
    return partition_dir(agg_dir(kind), day) / AGG_FILE


def agg_period_file(kind, level, first):
    return period_dir(agg_dir(kind), level, first) / AGG_FILE


EMPTY_SCHEMAS = {
    "raw_access": "ts TIMESTAMP, site INTEGER, path VARCHAR, page INTEGER, status SMALLINT, "
              "bytes BIGINT, ms FLOAT, visitor VARCHAR, ua VARCHAR, ref VARCHAR, q VARCHAR, "
              "source VARCHAR, day DATE",
    "raw_search": "ts TIMESTAMP, site INTEGER, q VARCHAR, results INTEGER, clicked VARCHAR, "
              "visitor VARCHAR, day DATE",
    "agg_site": "day DATE, site INTEGER, pv BIGINT, uv BIGINT, hits BIGINT, errors BIGINT, "
            "bots BIGINT, bytes BIGINT, ms_sum DOUBLE",
    "agg_page": "day DATE, site INTEGER, page_id INTEGER, column_id INTEGER, path VARCHAR, "
            "pv BIGINT, uv BIGINT",
    "agg_column": "day DATE, site INTEGER, column_id INTEGER, pv BIGINT, uv BIGINT",
    "agg_hour": "day DATE, site INTEGER, hour INTEGER, pv BIGINT",
    "agg_device": "day DATE, site INTEGER, ua VARCHAR, pv BIGINT, uv BIGINT",
    "agg_referrer": "day DATE, site INTEGER, ref VARCHAR, pv BIGINT",
    "agg_search": "day DATE, site INTEGER, q VARCHAR, searches BIGINT, zero BIGINT, clicks BIGINT",
    "agg_coview": "day DATE, site INTEGER, a INTEGER, b INTEGER, n BIGINT",
    "pages": "page_id INTEGER, site_id INTEGER, column_id INTEGER, path VARCHAR, title VARCHAR, "
             "url VARCHAR, is_column BOOLEAN",
    "sites": "site_id INTEGER, name VARCHAR, host VARCHAR, domain VARCHAR",
}

# Every aggregate's counts are additive (unique visitors are visitor-days), so a dekad's or a
# month's rows are the daily rows summed per key.
COUNTS = {"pv", "uv", "hits", "errors", "bots", "bytes", "ms_sum", "searches", "zero", "clicks", "n"}


def agg_columns(kind):
    """(key columns, count columns) of an aggregate, without the day."""
    names = [part.strip().split()[0] for part in EMPTY_SCHEMAS[f"agg_{kind}"].split(",")]
    names.remove("day")
    return [n for n in names if n not in COUNTS], [n for n in names if n in COUNTS]


def empty_relation(schema_key, drop=()):
    """A zero-row SELECT with the columns of a schema (for periods without files)."""
    columns = []
    for part in EMPTY_SCHEMAS[schema_key].split(","):
        name, kind = part.split()
        if name not in drop:
            columns.append(f"CAST(NULL AS {kind}) AS {name}")
    return f"(SELECT {', '.join(columns)} LIMIT 0)"


def file_list(files):
    return "[" + ", ".join("'" + str(f).replace("'", "''") + "'" for f in files) + "]"


def read_files(files, schema_key, hive=False):
    """A FROM-item over exactly these Parquet files (an empty one when there are none)."""
    if not files:
        return empty_relation(schema_key, drop=() if hive else ("day",))
    return f"read_parquet({file_list(files)}, hive_partitioning = {str(bool(hive)).lower()})"


def connect(threads=None):
    """An in-memory DuckDB with the views dim_pages and dim_sites. Cheap to open: it lists no
    partition; readers name their files (queries.source, raw_views)."""
    con = duckdb.connect(":memory:")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    for dim in ("pages", "sites"):
        path = dim_dir() / f"{dim}.parquet"
        if path.exists():
            con.execute(f"CREATE OR REPLACE VIEW dim_{dim} AS SELECT * FROM read_parquet('{path}')")
        else:
            con.execute(f"CREATE OR REPLACE TABLE dim_{dim} ({EMPTY_SCHEMAS[dim]})")
    return con


def raw_views(con):
    """Views raw_access and raw_search over every raw partition (a full scan: the benchmark's
    "without pre-aggregates" and cross-checks; dashboards read the aggregates)."""
    for kind in RAW_KINDS:
        files = raw_files(kind)
        source = read_files(files, f"raw_{kind}", hive=True)
        if files:
            source = source[:-1] + ", union_by_name = true)"
        con.execute(f"CREATE OR REPLACE TEMP VIEW raw_{kind} AS SELECT * FROM {source}")


def rows(con, sql, params=None):
    """Run a query; a list of dicts."""
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@contextmanager
def writer_lock():
    """One writer at a time (scheduler, command, demo) across processes."""
    root().mkdir(parents=True, exist_ok=True)
    with open(root() / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def temp_dir():
    path = root() / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


def token():
    """A unique, sortable name part for one write."""
    return f"{dt.datetime.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}"


def copy_partitioned(con, sql, base, pattern, params=None, level=None):
    """COPY a query with a `day` column into base/day=…/<pattern>-<i>.parquet in one pass.

    Returns (rows, {date: [files written]}). No staging directory: files are written where they stay
    (raw parts, whose names the ingestion journal can undo) or beside their final name
    (aggregates, renamed into place by the caller)."""
    Path(base).mkdir(parents=True, exist_ok=True)
    result = con.execute(
        f"COPY ({sql}) TO '{base}' (FORMAT parquet, PARTITION_BY (day), COMPRESSION zstd, "
        f"{'' if level is None else f'COMPRESSION_LEVEL {int(level)}, '}"
        f"OVERWRITE_OR_IGNORE, FILENAME_PATTERN '{pattern}-{{i}}', RETURN_FILES)", params or [],
    ).fetchall()
    count, files = result[0][0], result[0][1] or []
    written = {}
    for name in files:
        path = Path(name)
        written.setdefault(dt.date.fromisoformat(path.parent.name[4:]), []).append(path)
    return int(count), written


def write_single(con, sql, target, params=None):
    """COPY a query to one Parquet file, written beside and renamed in place."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    con.execute(f"COPY ({sql}) TO '{temp}' (FORMAT parquet, COMPRESSION zstd)", params or [])
    os.replace(temp, target)


def size_bytes(path=None):
    total = 0
    for dirpath, _dirs, files in os.walk(path or root()):
        for name in files:
            total += os.path.getsize(os.path.join(dirpath, name))
    return total
