"""Analytics benchmark: 6 months of realistic logs for 80 sites → ingest, storage, queries.

    .venv/bin/python benchmarks/analytics.py                 # 10M lines (default)
    .venv/bin/python benchmarks/analytics.py --lines 100000000   # the 100M documented size

Generates the JSONL access logs (and search events) with DuckDB, ingests them with the same
code as the scheduler (file offsets, Parquet partitions, daily pre-aggregates), then times each
dashboard query over the whole period with and without the pre-aggregates.
"""

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=182)
    parser.add_argument("--sites", type=int, default=80)
    parser.add_argument("--keep", action="store_true", help="keep the data dir")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="govweb-bench-analytics-"))
    os.environ.update(GOVWEB_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="govweb.settings.test",
                      GOVWEB_ROLE="worker")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from govweb.analytics import conf, generator, queries, store
    from govweb.analytics.aggregates import aggregate_days
    from govweb.analytics.ingest import Ingestor

    end = dt.date.today() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=args.days - 1)
    clock = time.perf_counter()
    generator.generate(conf.access_log_dir(), args.lines, start, args.days, sites=args.sites,
                       search_dir=conf.search_log_dir())
    generated = time.perf_counter() - clock
    log_bytes = store.size_bytes(conf.data_dir() / "logs")

    # The synthetic sites' page dimension (ids as the generator makes them: 40 columns a site).
    dim = store.connect()
    store.write_single(dim, f"""
        SELECT CAST(s * 100000 + p AS INTEGER) AS page_id, CAST(s AS INTEGER) AS site_id,
               CAST(CASE WHEN p < 2 THEN NULL WHEN p < 40 THEN s * 100000 + p
                         ELSE s * 100000 + p % 40 END AS INTEGER) AS column_id,
               CASE WHEN p < 40 THEN '/col' || p || '/' ELSE '/col' || (p % 40) || '/item' || p || '/' END AS path,
               CASE WHEN p < 40 THEN '栏目' || p ELSE '信息' || p END AS title,
               CASE WHEN p < 40 THEN '/col' || p || '/' ELSE '/col' || (p % 40) || '/item' || p || '/' END AS url,
               p < 40 AS is_column
        FROM range(1, {args.sites + 1}) a(s), range(1, 2000) b(p)""", store.dim_dir() / "pages.parquet")
    dim.close()

    # Ingest (parse + partitioned Parquet) and aggregation timed separately.
    ingestor = Ingestor(settle_seconds=0)
    clock = time.perf_counter()
    for kind, path in ingestor.candidates():
        ingestor.ingest_file(kind, path)
    ingest_seconds = time.perf_counter() - clock
    clock = time.perf_counter()
    aggregate_days(sorted(ingestor.days), con=ingestor.con)
    aggregate_seconds = time.perf_counter() - clock
    lines = ingestor.totals["lines"]

    raw_bytes = store.size_bytes(store.root() / "raw")
    agg_bytes = store.size_bytes(store.root() / "agg")
    con = store.connect()
    print(f"\nanalytics benchmark: {args.lines:,} access lines, {args.sites} sites, "
          f"{args.days} days, {os.cpu_count()} CPUs, duckdb {__import__('duckdb').__version__}")
    print(f"{'generate logs':<42}{generated:>10.1f} s   JSONL {log_bytes / 2**20:,.0f} MiB")
    print(f"{'ingest (parse → Parquet partitions)':<42}{ingest_seconds:>10.1f} s   "
          f"{lines / ingest_seconds:,.0f} lines/s ({lines:,} lines incl. search events)")
    print(f"{'daily pre-aggregates (' + str(len(ingestor.days)) + ' days)':<42}{aggregate_seconds:>10.1f} s")
    print(f"{'storage: raw Parquet':<42}{raw_bytes / 2**20:>10.1f} MiB "
          f"({raw_bytes / max(args.lines, 1):.1f} bytes/line)")
    print(f"{'storage: pre-aggregates':<42}{agg_bytes / 2**20:>10.1f} MiB")
    print(f"\n{'dashboard query (whole period)':<28}{'pre-agg ms':>12}{'raw ms':>12}{'one site pre-agg':>18}")
    for name, (_agg, raw_sql) in queries.QUERIES.items():
        timings = []
        for raw, sites in ((False, None), (True, None), (False, [1])):
            if raw and raw_sql is None:
                timings.append(None)
                continue
            best = None
            for _ in range(2):
                clock = time.perf_counter()
                queries.run(con, name, start, end, sites, raw=raw)
                elapsed = (time.perf_counter() - clock) * 1000
                best = elapsed if best is None else min(best, elapsed)
            timings.append(best)
        cells = "".join(f"{t:>12.0f}" if t is not None else f"{'—':>12}" for t in timings[:2])
        print(f"{name:<28}{cells}{timings[2]:>18.0f}")
    clock = time.perf_counter()
    queries.dashboard(start, end)
    print(f"{'full dashboard (all queries + titles)':<40}{(time.perf_counter() - clock) * 1000:>8.0f} ms")
    if args.keep:
        print(f"data kept in {data_dir}")
    else:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
