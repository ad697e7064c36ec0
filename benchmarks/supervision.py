"""Full daily check (读网) of the demo cluster grown to N pages.

    .venv/bin/python benchmarks/supervision.py [N] [--keep DIR]

Prepares the demo cluster in a temporary data dir (SQLite, or DATABASE_URL if set), grows it
with N synthetic items through the library's bulk importer (the same records as
benchmarks/library_import.py; every 10th body links to its column, every 1,000th to a page that
does not exist, every 100th to an address on a local HTTP server on 127.0.0.1), then
runs every rule over every online site in a fresh process — crawl included — and prints pages
checked per second, total time, the findings and the process's peak memory. External links to
anything but 127.0.0.1 (the footers' national links) are not fetched. Target: 100,000 pages in
≤ 10 minutes on a 2-core machine.
"""

import http.server
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks._harness import PYTHON, ROOT, django_env, prepare_demo  # noqa: E402


class _Quiet(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_HEAD(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD


def records(n, port):
    from benchmarks.library_import import synthetic

    for i, record in enumerate(synthetic(n)):
        extra = ""
        if i % 10 == 0:
            extra += f'<p>详见<a href="/{record["column"]}/">栏目列表</a>。</p>'
        if i % 1000 == 999:
            extra += f'<p>原文见<a href="/gone-{i}/">旧链接</a>。</p>'
        if i % 100 == 50:
            extra += f'<p>参考<a href="http://127.0.0.1:{port}/ref/{i % 50}">外部资料</a>。</p>'
        record["body"] += extra
        yield record


def phase_import(data_dir, n, port):
    os.environ.update(django_env(data_dir, "public", GOVWEB_PAGE_CACHE="0"))
    import django

    django.setup()
    from govweb.library.importing import Importer, read_records

    path = Path(data_dir) / "items.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for record in records(n, port):
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    start = time.perf_counter()
    with path.open(encoding="utf-8") as fh:
        result = Importer().run(read_records(fh, "jsonl"))
    print(json.dumps({"created": result.created, "failed": result.failed,
                      "seconds": time.perf_counter() - start}))


def phase_check(data_dir, port):
    os.environ.update(django_env(data_dir, "worker", GOVWEB_PAGE_CACHE="0", GOVWEB_SUPERVISION=json.dumps(
        {"broken_links": {"only_hosts": ["127.0.0.1"], "delay_seconds": 0.0, "max_external_links": 5000}})))
    import django

    django.setup()
    from django.db.models import Count
    from wagtail.models import Page

    from govweb.supervision.actions import do_run_checks
    from govweb.supervision.models import Finding

    pages = Page.objects.filter(live=True, depth__gte=2).count()
    start, cpu = time.perf_counter(), time.process_time()
    run = do_run_checks(alert=False)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    by_rule = dict(Finding.objects.filter(resolved_at__isnull=True).values_list("rule")
                   .annotate(n=Count("pk")).values_list("rule", "n"))
    print(json.dumps({"pages_live": pages, "pages_checked": run.pages_checked, "links": run.links_checked,
                      "seconds": elapsed, "cpu": cpu, "findings": run.found, "by_rule": by_rule,
                      "errors": run.errors, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def main():
    if "--phase" in sys.argv:
        phase, data_dir = sys.argv[sys.argv.index("--phase") + 1], sys.argv[sys.argv.index("--phase") + 2]
        port = int(sys.argv[sys.argv.index("--port") + 1])
        if phase == "import":
            phase_import(data_dir, int(sys.argv[sys.argv.index("--n") + 1]), port)
        else:
            phase_check(data_dir, port)
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 100_000
    keep = sys.argv[sys.argv.index("--keep") + 1] if "--keep" in sys.argv else None
    data_dir = Path(keep or tempfile.mkdtemp(prefix="govweb-bench-sv-"))
    print(f"data dir: {data_dir}  (N = {n:,}, cores = {os.cpu_count()})", flush=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = str(server.server_address[1])
    t0 = time.perf_counter()
    prepare_demo(data_dir)
    print(f"demo cluster prepared in {time.perf_counter() - t0:.1f} s", flush=True)
    script = str(Path(__file__).resolve())
    env = django_env(data_dir)
    imported = {"created": 0, "seconds": 0.0}
    if not (data_dir / "items.jsonl").exists():
        out = subprocess.run([PYTHON, script, "--phase", "import", str(data_dir), "--n", str(n), "--port", port],
                             env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout
        imported = json.loads(out.strip().splitlines()[-1])
        print(f"imported {imported['created']:,} items in {imported['seconds']:.1f} s", flush=True)
    out = subprocess.run([PYTHON, script, "--phase", "check", str(data_dir), "--port", port],
                         env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    r = json.loads(out.strip().splitlines()[-1])
    server.shutdown()
    rows = [
        ("live pages in the cluster", f"{r['pages_live']:,}"),
        ("pages checked (content pass)", f"{r['pages_checked']:,}"),
        ("links checked", f"{r['links']:,}"),
        ("total time of the daily run", f"{r['seconds']:.1f} s"),
        ("CPU time", f"{r['cpu']:.1f} s"),
        ("pages checked per second", f"{r['pages_checked'] / r['seconds']:,.0f}"),
        ("peak memory (RSS) of the run", f"{r['peak_mb']:.0f} MB"),
        ("findings", f"{r['findings']:,} {r['by_rule']}"),
        ("target (100k ≤ 600 s)", "met" if r["seconds"] * 100_000 / max(r["pages_checked"], 1) <= 600 else "NOT met"),
    ]
    if r["errors"]:
        rows.append(("errors", "; ".join(r["errors"])[:200]))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
