"""The analytics store: date-partitioned Parquet files read and written with DuckDB.

Layout under DATA_DIR/analytics/ (hive style, one directory per day = one partition):
  raw/access/day=YYYY-MM-DD/*.parquet   access records (app log and nginx)
  raw/search/day=YYYY-MM-DD/*.parquet   search events
  agg/<kind>/day=YYYY-MM-DD/data.parquet daily pre-aggregates (site, page, column, ...)
  dim/pages.parquet, dim/sites.parquet  page → site/column/title, refreshed at each run
  archive/...                            partitions past the retention period

This module and queries.py are the whole query layer: moving to ClickHouse or to Parquet on
object storage read by DuckDB/Trino means reimplementing `connect()`'s views, not the callers.
"""

import fcntl
import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

import duckdb

from . import conf

RAW_KINDS = ("access", "search")
AGG_KINDS = ("site", "page", "column", "hour", "device", "referrer", "search", "coview")


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


def partitions(base):
    """{date: directory} of the day partitions under base."""
    import datetime as dt

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


def _has_parquet(base):
    return any(Path(base).glob("day=*/*.parquet"))


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


def _view(con, name, base, schema_key):
    if _has_parquet(base):
        con.execute(
            f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM read_parquet("
            f"'{base}/day=*/*.parquet', hive_partitioning = true, union_by_name = true)"
        )
    else:
        con.execute(f"CREATE OR REPLACE TABLE {name} ({EMPTY_SCHEMAS[schema_key]})")


def connect(threads=None):
    """An in-memory DuckDB with views over the store: raw_access, raw_search, agg_<kind>,
    dim_pages, dim_sites. Cheap to open; Parquet files are immutable once renamed in place."""
    con = duckdb.connect(":memory:")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    for kind in RAW_KINDS:
        _view(con, f"raw_{kind}", raw_dir(kind), f"raw_{kind}")
    for kind in AGG_KINDS:
        _view(con, f"agg_{kind}", agg_dir(kind), f"agg_{kind}")
    for dim in ("pages", "sites"):
        path = dim_dir() / f"{dim}.parquet"
        if path.exists():
            con.execute(f"CREATE OR REPLACE VIEW dim_{dim} AS SELECT * FROM read_parquet('{path}')")
        else:
            con.execute(f"CREATE OR REPLACE TABLE dim_{dim} ({EMPTY_SCHEMAS[dim]})")
    return con


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


def staging_dir():
    path = root() / "tmp" / uuid.uuid4().hex
    path.mkdir(parents=True, exist_ok=True)
    return path


def place_partitioned(staged, base, name):
    """Move DuckDB's PARTITION_BY (day) output into base/day=…/name, atomically per file.

    Deterministic names make a repeated write of the same chunk replace, not duplicate."""
    moved = []
    for day_dir in sorted(Path(staged).glob("day=*")):
        files = sorted(day_dir.glob("*.parquet"))
        target_dir = Path(base) / day_dir.name
        target_dir.mkdir(parents=True, exist_ok=True)
        for index, source in enumerate(files):
            suffix = "" if index == 0 else f"-{index}"
            os.replace(source, target_dir / f"{name}{suffix}.parquet")
        moved.append(day_dir.name[4:])
    shutil.rmtree(staged, ignore_errors=True)
    return moved


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
