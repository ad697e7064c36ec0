"""Analytics benchmark: 6 months of realistic logs for 80 sites → ingest, storage, queries.

    .venv/bin/python benchmarks/analytics.py                      # 10M lines (default)
    .venv/bin/python benchmarks/analytics.py --lines 100000000    # the 100M documented size

Generates the JSONL access logs (and search events) with DuckDB, then runs one ingestion exactly
as the scheduler does (`Ingestor.run`: file offsets, batched DuckDB parse → Parquet partitions,
daily pre-aggregates, monthly sums) and times each dashboard query over the whole period with
and without the pre-aggregates. CPU seconds are printed beside wall seconds: on a shared
machine the CPU figure is the stable one.

Memory stays bounded at any size (logs are generated a few days at a time; ingestion and
aggregation work in batches). Disk: about 190 bytes of JSONL and 30 of Parquet per line, i.e.
~22 GB for 100M lines (deleted at the end unless --keep). At 100M each raw query scans 100M
rows; `--raw-repeat 0` skips them.
"""

import argparse
import datetime as dt
import multiprocessing
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class Clock:
    """Wall and CPU seconds (CPU summed over DuckDB's threads) of a block."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def best_ms(func, repeat):
    """(wall ms, CPU ms) of the fastest of `repeat` runs."""
    best = None
    for _ in range(repeat):
        with Clock() as clock:
            func()
        if best is None or clock.wall < best[0] / 1000:
            best = (clock.wall * 1000, clock.cpu * 1000)
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=182)
    parser.add_argument("--sites", type=int, default=80)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each pre-aggregated query (best)")
    parser.add_argument("--raw-repeat", type=int, default=1, help="runs of each raw query (0 = skip)")
    parser.add_argument("--dir", help="where to put the data (default: a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the data dir")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="govweb-bench-analytics-", dir=args.dir))
    os.environ.update(GOVWEB_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="govweb.settings.test",
                      GOVWEB_ROLE="worker")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import duckdb

    from govweb.analytics import conf, generator, queries, store
    from govweb.analytics.ingest import Ingestor

    end = dt.date.today() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=args.days - 1)
    # Generated in a child process, so the peak memory printed below is the pipeline's own.
    clock = time.perf_counter()
    child = multiprocessing.get_context("fork").Process(target=generator.generate, args=(
        conf.access_log_dir(), args.lines, start, args.days), kwargs={
        "sites": args.sites, "search_dir": conf.search_log_dir()})
    child.start()
    child.join()
    if child.exitcode:
        sys.exit(f"log generation failed ({child.exitcode})")
    gen_wall = time.perf_counter() - clock
    gen_usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    log_bytes = store.size_bytes(conf.data_dir() / "logs")

    # The synthetic sites' page dimension (ids as the generator makes them: 40 columns a site);
    # the run below keeps it instead of exporting the (empty) page tree.
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

    # One scheduler run: parse → Parquet partitions, then daily aggregates and monthly sums.
    ingestor = Ingestor(settle_seconds=0, dimensions=False)
    with Clock() as total:
        run = ingestor.run()
    seconds = ingestor.seconds
    parse_wall, agg_wall = seconds["parse"], seconds["aggregate"]
    lines = run.lines

    raw_bytes = store.size_bytes(store.root() / "raw")
    agg_bytes = store.size_bytes(store.root() / "agg")
    print(f"\nanalytics benchmark: {args.lines:,} access lines, {args.sites} sites, {args.days} days "
          f"({start} – {end}), {os.cpu_count()} CPUs, duckdb {duckdb.__version__}, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'generate logs (child process)':<44}{gen_wall:>9.1f} s wall "
          f"{gen_usage.ru_utime + gen_usage.ru_stime:>8.1f} s CPU   JSONL {log_bytes / 2**20:,.0f} MiB")
    print(f"{'ingest: parse → Parquet partitions':<44}{parse_wall:>9.1f} s wall "
          f"{seconds['parse_cpu']:>8.1f} s CPU{lines / parse_wall:>12,.0f} lines/s "
          f"({lines:,} lines incl. search events)")
    print(f"{'ingest: daily aggregates + dekad/month sums':<44}{agg_wall:>9.1f} s wall "
          f"{seconds['aggregate_cpu']:>8.1f} s CPU")
    print(f"{'ingest: whole run (Ingestor.run)':<44}{total.wall:>9.1f} s wall {total.cpu:>8.1f} s CPU"
          f"{lines / total.wall:>12,.0f} lines/s   ({lines / total.cpu:,.0f} lines per CPU-second)")
    print(f"{'storage: raw Parquet':<44}{raw_bytes / 2**20:>9.1f} MiB "
          f"({raw_bytes / max(lines, 1):.1f} bytes/line)")
    print(f"{'storage: pre-aggregates (day, dekad, month)':<44}{agg_bytes / 2**20:>9.1f} MiB")
    print(f"{'peak memory of this process':<44}"
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10:>9.0f} MiB")

    con = store.connect()
    print(f"\n{'dashboard query (whole period)':<26}{'pre-agg ms':>11}{'(CPU ms)':>10}{'raw ms':>10}"
          f"{'(CPU ms)':>10}{'one site ms':>13}{'files read':>12}")
    for name, query in queries.QUERIES.items():
        aggregated = best_ms(lambda n=name: queries.run(con, n, start, end), args.repeat)
        one_site = best_ms(lambda n=name: queries.run(con, n, start, end, [1]), args.repeat)
        raw = None
        if query.raw is not None and args.raw_repeat > 0:
            raw = best_ms(lambda n=name: queries.run(con, n, start, end, raw=True), args.raw_repeat)
        files = len(queries.aggregate_files(query.kind, start, end, query.by_day))
        raw_cells = f"{raw[0]:>10.0f}{raw[1]:>10.0f}" if raw else f"{'—':>10}{'':>10}"
        print(f"{name:<26}{aggregated[0]:>11.0f}{aggregated[1]:>10.0f}{raw_cells}"
              f"{one_site[0]:>13.0f}{files:>12}")
    wall, cpu = best_ms(lambda: queries.dashboard(start, end), args.repeat)
    print(f"{'full dashboard (all queries + titles, fresh connection)':<58}{wall:>8.0f} ms "
          f"({cpu:.0f} CPU ms)")
    if args.keep:
        print(f"data kept in {data_dir}")
    else:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
