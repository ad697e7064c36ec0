"""Bulk import and page speed of the unified information library.

    .venv/bin/python benchmarks/library_import.py [N] [--keep DIR]
    .venv/bin/python benchmarks/library_import.py --pages-only DIR     # time the pages again

Builds a fresh demo cluster in a temporary data dir (SQLite, or DATABASE_URL if set), writes N
synthetic but realistic items (articles, notices, policy documents with full metadata) spread
over all nine sites as JSON Lines, imports them in-process with the same Importer as
`govweb import` (pages published as an editor's would be: revision, log entry, index
numbers), imports the same file again (everything unchanged), then times requests in-process
(Django test client, page cache off): a column listing (page 1 and page 500), a policy page
and the disclosure catalogue filtered by topic. Prints items/s (wall and CPU time), database
size and p50/p95 server time per page (wall and CPU).

Wall-clock figures depend on what else the machine runs; CPU time of this process does not
(much): both are printed, with the load average.

A 1M run is the same command with 1000000: about 10 minutes of import on a quiet 2-CPU
machine (≈2,900 items/s of CPU time measured at 100k), ~4 GB of SQLite database (Wagtail
revisions are half of it), ~0.5 GB for the JSON Lines file, under 1 GB of memory.
Indexing of the new pages (Wagtail reference index, admin search) is queued for the worker
and is not part of the import time.
"""

import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks._harness import ROOT, django_env, prepare_demo  # noqa: E402

SITES = {  # domain: (news column, issuer, document-number prefix)
    "www.guiyang.gov.cn": ("zwyw", "贵阳市人民政府办公厅", "筑府办发"),
    "www.yunyan.gov.cn": ("gzdt", "云岩区人民政府办公室", "云府办发"),
    "www.nanming.gov.cn": ("gzdt", "南明区人民政府办公室", "南府办发"),
    "www.guanshanhu.gov.cn": ("gzdt", "观山湖区人民政府办公室", "观府办发"),
    "www.gygaoxin.gov.cn": ("gzdt", "贵阳高新区党政办公室", "筑高新管发"),
    "fgw.guiyang.gov.cn": ("gzdt", "贵阳市发展和改革委员会", "筑发改"),
    "jyj.guiyang.gov.cn": ("jydt", "贵阳市教育局", "筑教发"),
    "rsj.guiyang.gov.cn": ("gzdt", "贵阳市人力资源和社会保障局", "筑人社发"),
    "dsj.guiyang.gov.cn": ("gzdt", "贵阳市大数据发展管理局", "筑数局发"),
}
SUBJECTS = ["城镇老旧小区改造", "冬季安全生产", "义务教育招生", "就业创业服务", "数字政府建设",
            "营商环境优化", "生活垃圾分类", "防汛抗旱", "食品安全", "乡村振兴", "医疗保障",
            "养老服务", "公共数据开放", "背街小巷整治", "交通秩序整治", "农民工工资支付"]
TOPICS = ["0103", "0101", "0202", "0902", "1002", "1401", "1402", "0804", "0604", "1601"]
GENRES = ["通知", "意见", "办法", "方案", "规定", "公告"]


def synthetic(n, seed=20261124):
    """N records: 12% notices of the portal (a deep listing), 10% policies, the rest news."""
    rng = random.Random(seed)
    domains = list(SITES)
    for i in range(n):
        domain = domains[i % len(domains)]
        news, issuer, prefix = SITES[domain]
        subject = SUBJECTS[rng.randrange(len(SUBJECTS))]
        day = 1 + rng.randrange(28)
        month = 1 + rng.randrange(10)
        record = {
            "external_id": f"BENCH-{i:07d}", "site": domain, "column": news,
            "title": f"{issuer[:-3] if issuer.endswith('办公厅') else issuer}扎实推进{subject}工作（第{i}期）",
            "pub_date": f"2026-{month:02d}-{day:02d} {8 + rng.randrange(10):02d}:{rng.randrange(60):02d}",
            "source": issuer, "author": f"{issuer}办公室",
            "summary": f"通报{subject}工作进展情况。",
            "body": f"<p>近日，{issuer}召开专题会议，研究部署{subject}工作。</p>"
                    f"<p>会议要求，各责任单位要压实责任、细化措施，确保各项任务按期完成。</p>",
        }
        roll = i % 100
        if roll < 12:
            record.update(site="www.guiyang.gov.cn", column="tzgg",
                          title=f"贵阳市人民政府办公厅关于做好{subject}工作的通知（第{i}号）")
        elif roll < 22:
            record.update(type="policy", column="zcwj", issuing_body=issuer,
                          document_number=f"{prefix}〔2026〕{i % 9000 + 1}号",
                          written_on=f"2026-{month:02d}-{max(day - 1, 1):02d}",
                          topic=TOPICS[rng.randrange(len(TOPICS))],
                          genre=GENRES[rng.randrange(len(GENRES))], audience="社会公众",
                          title=f"{issuer}关于印发{subject}实施办法的通知（{i}）")
        yield record


def timed(client, path, host, runs):
    for _ in range(3):
        response = client.get(path, HTTP_HOST=host)
        assert response.status_code == 200, (path, response.status_code)
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        client.get(path, HTTP_HOST=host)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)

    def p(samples, q):
        samples = sorted(samples)
        return statistics.median(samples) if q == 0.5 else samples[max(int(len(samples) * q) - 1, 0)]

    return p(wall, 0.5), p(wall, 0.95), p(cpu, 0.5), p(cpu, 0.95)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 100_000
    keep = sys.argv[sys.argv.index("--keep") + 1] if "--keep" in sys.argv else None
    pages_only = sys.argv[sys.argv.index("--pages-only") + 1] if "--pages-only" in sys.argv else None
    data_dir = Path(pages_only or keep or tempfile.mkdtemp(prefix="govweb-bench-lib-"))
    print(f"data dir: {data_dir}  (N = {n:,})", flush=True)
    if not pages_only:
        t0 = time.perf_counter()
        prepare_demo(data_dir)
        print(f"demo cluster prepared in {time.perf_counter() - t0:.1f} s", flush=True)
    os.environ.update(django_env(data_dir, "public", GOVWEB_PAGE_CACHE="0"))
    os.chdir(ROOT)
    import django

    django.setup()
    from django.conf import settings

    from govweb.library.importing import Importer, read_records

    if pages_only:
        time_pages(data_dir)
        return
    path = data_dir / "items.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for record in synthetic(n):
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    load = os.getloadavg()[0]
    start, start_cpu = time.perf_counter(), time.process_time()
    with path.open(encoding="utf-8") as fh:
        result = Importer().run(read_records(fh, "jsonl"))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    with path.open(encoding="utf-8") as fh:
        start2, start2_cpu = time.perf_counter(), time.process_time()
        again = Importer().run(read_records(fh, "jsonl"))
        elapsed2, cpu2 = time.perf_counter() - start2, time.process_time() - start2_cpu

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = sum(Path(str(db["NAME"]) + s).stat().st_size for s in ("", "-wal") if Path(str(db["NAME"]) + s).exists())
    else:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            size = cursor.fetchone()[0]

    print()
    print(f"{'import: created/failed':<28} {result.created:>10,} / {result.failed}")
    print(f"{'import: seconds':<28} {elapsed:>10.1f}")
    print(f"{'import: items/s (wall)':<28} {result.created / elapsed:>10,.0f}")
    print(f"{'import: items/s (CPU time)':<28} {result.created / cpu:>10,.0f}   "
          f"(load average at start {load:.1f} on {os.cpu_count()} CPUs)")
    print(f"{'re-import: unchanged, s':<28} {again.unchanged:>10,}  {elapsed2:.1f} s wall, {cpu2:.1f} s CPU "
          f"({again.unchanged / elapsed2:,.0f}/s wall)")
    print(f"{'database size':<28} {size / 1024 / 1024:>10.1f} MB")
    print(f"{'queued for the worker':<28} {queued_index_tasks():>10,} indexing tasks")
    time_pages(data_dir)


def queued_index_tasks():
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another task backend (RQ): nothing to count here
        return 0
    return DBTaskResult.objects.filter(task_path__endswith="index_imported_pages").count()


def time_pages(data_dir):
    from django.conf import settings
    from django.test import Client

    from govweb.library.models import ExternalItem, LibraryItemPage, PolicyDocumentPage

    db = settings.DATABASES["default"]
    print(f"{'database':<28} {db['ENGINE'].rsplit('.', 1)[-1]}, "
          f"{LibraryItemPage.objects.count():,} items in the library")
    client = Client()
    portal = "www-guiyang.localhost:8000"
    policy = PolicyDocumentPage.objects.filter(
        pk__in=ExternalItem.objects.filter(external_id="BENCH-0000012").values("page_id")).first() \
        or PolicyDocumentPage.objects.live().last()
    policy_path = policy.url_path.replace("/portal/", "/", 1)
    host_for_policy = portal
    if not policy.url_path.startswith("/portal/"):
        from govweb.library.models import site_profile_for_path

        profile = site_profile_for_path(policy.path)
        host_for_policy = f"{profile.served_host}:8000"
        policy_path = "/" + policy.url_path.split("/", 2)[2]
    runs = 60
    pages = [
        ("column listing, page 1", "/tzgg/", portal),
        ("column listing, page 500", "/tzgg/?page=500", portal),
        ("policy page", policy_path, host_for_policy),
        ("catalogue, topic 01 filter", "/xxgk/gkml/?topic=01", portal),
        ("catalogue, topic 1002 p.10", "/xxgk/gkml/?topic=1002&page=10", portal),
    ]
    print()
    print(f"{'page (server time, ms)':<30} {'p50':>8} {'p95':>8} {'CPU p50':>8} {'CPU p95':>8}")
    for label, url, host in pages:
        p50, p95, c50, c95 = timed(client, url, host, runs)
        print(f"{label:<30} {p50:>8.1f} {p95:>8.1f} {c50:>8.1f} {c95:>8.1f}")


if __name__ == "__main__":
    main()
