"""The public front's speed (issue 4): cached, behind nginx, uncached, and nginx-static.

    .venv/bin/python benchmarks/front.py [--items 100000] [--seconds 10] [--connections 64]
                                         [--data-dir DIR] [--granian]

Builds a demo cluster (or reuses --data-dir) holding --items synthetic library items — the
generator of benchmarks/library_import.py, loaded with the Importer of `govweb import`; a data
dir that already holds them is not imported again — then, for the portal home, a column listing
(the portal's notices: 12 % of all items) and a policy page, runs `wrk -t2 -cN -dS` on
127.0.0.1 against:
  * embedded cached: the public role exactly as `govweb serve` runs it (govweb/cli.py: gunicorn,
    2 gthread workers), with the in-process page cache (file cache + L1);
  * nginx front cached: the production topology (docs/deploy/nginx-cache.conf) — the edge mirror
    (govweb-edge-maps.conf, govweb-edge-mirror.conf, GOVWEB_EDGE_MIRROR_DIR on tmpfs) in front of
    nginx's proxy cache (govweb-page-cache.conf), all included as they are;
  * nginx proxy cache only: the same without the mirror (every hit a proxy-cache hit);
  * uncached: the same server with GOVWEB_PAGE_CACHE=0;
  * nginx static: nginx serving the same bytes from a file (the ceiling);
  * with --granian (if granian is importable): the embedded cached figures under granian;
and times the uncached page one request at a time (server time p50/p95 over a keep-alive
connection). Every wrk row also gives the server's CPU per request (its processes' user+system
time / requests), which a busy machine inflates far less than requests/s. Prints the ratios and
the targets: nginx front ≥ 0.8 × nginx static; embedded cached ≥ 3,000 req/s; uncached p95 ≤ 50 ms.
"""

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402

PORTAL = "www-guiyang.localhost"
CACHE_INCLUDE = h.ROOT / "docs" / "deploy" / "govweb-page-cache.conf"
MIRROR_INCLUDE = h.ROOT / "docs" / "deploy" / "govweb-edge-mirror.conf"
MAPS_INCLUDE = h.ROOT / "docs" / "deploy" / "govweb-edge-maps.conf"
TARGET_FRONT_RATIO = 0.8
TARGET_EMBEDDED_RPS = 3000
TARGET_UNCACHED_P95_MS = 50


# --- data -------------------------------------------------------------------------------------

def prepare(data_dir, items):
    """Demo cluster + `items` synthetic library items; returns what the child process found."""
    h.prepare_demo(data_dir)
    env = h.django_env(data_dir, "public", GOVWEB_PAGE_CACHE="0")
    out = subprocess.run([h.PYTHON, __file__, "--_prepare", str(data_dir), str(items)], env=env,
                         cwd=h.ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _prepare_in_django(items):
    """(child process) Import the missing synthetic items, then name the pages to measure."""
    import django

    django.setup()
    from library_import import synthetic
    from wagtail.models import Page, Site

    from govweb.library.importing import Importer
    from govweb.library.models import ColumnPage, ExternalItem, LibraryItemPage, PolicyDocumentPage

    have = ExternalItem.objects.filter(external_id__startswith="BENCH-").count()
    started = time.perf_counter()
    if have < items:
        records = ((i, r) for i, r in enumerate(synthetic(items), start=1) if i > have)
        result = Importer().run(records)
        print(f"imported {result.created:,} items ({result.failed} failed) in "
              f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
    site = Site.objects.get(hostname=PORTAL)
    root = site.root_page
    column = (ColumnPage.objects.child_of(root).live().filter(slug="tzgg").first()
              or ColumnPage.objects.child_of(root).live().first())
    policy = PolicyDocumentPage.objects.descendant_of(root).live().order_by("-pk").first()
    print(json.dumps({
        "items": LibraryItemPage.objects.count(),
        "pages": Page.objects.count(),
        "paths": {"portal home": "/", "column listing": column.relative_url(site),
                  "policy page": policy.relative_url(site)},
    }))


def _publish_in_django():
    """(child process) An editor's publication: retitle the measured policy page, publish it
    (signals purge the page cache as in the admin) and print when it was committed."""
    import django

    django.setup()
    from wagtail.models import Site

    from govweb.library.models import PolicyDocumentPage

    root = Site.objects.get(hostname=PORTAL).root_page
    page = PolicyDocumentPage.objects.descendant_of(root).live().order_by("-pk").first()
    page.title = f"{page.title.split('（更新')[0]}（更新 {time.time():.0f}）"
    page.save_revision().publish()
    print(json.dumps({"title": page.title, "published_at": time.time()}), flush=True)
    for thread in threading.enumerate():  # the refresh calls to the fronts (GOVWEB_PURGE_URLS)
        if thread.name == "govweb-purge":
            thread.join(timeout=10)


def publish_delay(port, path, data_dir, purge_urls="", timeout=15):
    """Seconds from an editor's publish (committed in another process) until the new title is
    served through the nginx front. A client polls the page 10 times a second from before the
    publish on, so nginx holds a copy it keeps revalidating: the worst case for freshness."""
    polls, stop = [], threading.Event()

    def poll():
        while not stop.is_set():
            polls.append((time.time(), fetch(port, path)[2]))
            time.sleep(0.1)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    child = subprocess.Popen([h.PYTHON, __file__, "--_publish", str(data_dir)], cwd=h.ROOT,
                             env=h.django_env(data_dir, "admin", GOVWEB_PURGE_URLS=purge_urls),
                             stdout=subprocess.PIPE, text=True)
    done = json.loads(child.stdout.readline())  # printed once committed
    title = done["title"].encode()
    deadline = time.time() + timeout
    seen = None
    while seen is None and time.time() < deadline:
        seen = next((at - done["published_at"] for at, body in list(polls)
                     if at >= done["published_at"] and title in body), None)
        time.sleep(0.05)
    stop.set()
    poller.join()
    child.communicate(timeout=60)  # the child waits for its refresh calls to the fronts
    return seen


# --- measuring --------------------------------------------------------------------------------

def fetch(port, path, host=PORTAL, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Host": f"{host}:{port}", **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def one_at_a_time(port, path, server, n=100):
    """Server time of `n` sequential requests on one keep-alive connection: p50, p95 (ms) and
    the server's CPU per request (ms)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Host": f"{PORTAL}:{port}"}
    for _ in range(5):  # warm every worker's per-process state
        connection.request("GET", path, headers=headers)
        connection.getresponse().read()
    pids = h.process_tree(server.pid)
    cpu_before = h.cpu_seconds(pids)
    times = []
    for _ in range(n):
        start = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        times.append((time.perf_counter() - start) * 1000)
        assert response.status == 200 and response.getheader("X-Cache") is None, response.status
    cpu = (h.cpu_seconds(pids) - cpu_before) / n * 1000
    connection.close()
    times.sort()
    return statistics.median(times), times[max(int(len(times) * 0.95) - 1, 0)], cpu


def start_front(upstream_port, port, refresh_port, mirror_dir=None):
    """nginx in front of the app with the documented configuration, included as it is: the edge
    mirror (when `mirror_dir`, the app's GOVWEB_EDGE_MIRROR_DIR, is given) before the page cache,
    and the internal listener the app's refresh calls go to (docs/deploy/nginx-cache.conf)."""
    if mirror_dir:
        maps = f"include {MAPS_INCLUDE};"
        public = f"""root {mirror_dir};
    location / {{ include {MIRROR_INCLUDE}; }}
    location @govweb {{ include {CACHE_INCLUDE}; }}"""
    else:  # as govweb-page-cache.conf says for a front without the mirror
        maps = "map $uri $govweb_mirror_ok { default 0; }"
        public = f"location / {{ include {CACHE_INCLUDE}; }}"
    return h.start_nginx(f"""
  proxy_cache_path {{work}}/cache levels=1:2 keys_zone=govweb:32m max_size=1g inactive=10m
                   use_temp_path=off;
  upstream govweb_public {{ server 127.0.0.1:{upstream_port}; keepalive 64; }}
  map $http_x_govweb_refresh $govweb_refresh {{ "1" 1; default 0; }}
  {maps}
  server {{
    listen 127.0.0.1:{port};
    set $govweb_proto $scheme;
    {public}
  }}
  server {{
    listen 127.0.0.1:{refresh_port};
    set $govweb_proto $scheme;
    location / {{ include {CACHE_INCLUDE}; }}
  }}
""", name="nginx-front")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000,
                        help="synthetic library items (default 100,000; smaller for quick runs)")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--data-dir", default=None, help="reuse a prepared data dir")
    parser.add_argument("--granian", action="store_true",
                        help="also measure the embedded cache under granian (if installed)")
    parser.add_argument("--_prepare", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--_publish", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._prepare:
        _prepare_in_django(int(args._prepare[1]))
        return
    if args._publish:
        _publish_in_django()
        return

    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="govweb-bench-front-"))
    print(f"data dir {data_dir}: preparing {args.items:,} items …", flush=True)
    found = prepare(data_dir, args.items)
    application = subprocess.run(
        [h.PYTHON, "-c", "import govweb.wsgi as w; print(type(w.application).__name__)"],
        env=h.django_env(data_dir), cwd=h.ROOT, capture_output=True, text=True).stdout.strip()
    load_start = os.getloadavg()[0]
    cached_port, uncached_port, granian_port = 18100, 18101, 18102
    front_port, refresh_port, static_port = 18180, 18181, 18080
    proxy_port, proxy_refresh_port = 18182, 18183
    # The mirror lives on tmpfs, as docs/deploy recommends (/run/govweb-mirror there).
    shm = Path("/dev/shm")
    mirror_dir = tempfile.mkdtemp(prefix="govweb-bench-mirror-", dir=shm if shm.is_dir() else None)
    cached = h.start_gunicorn(data_dir, cached_port, workers=2, GOVWEB_PUBLIC_PORT=cached_port,
                              GOVWEB_EDGE_MIRROR_DIR=mirror_dir)
    uncached = h.start_gunicorn(data_dir, uncached_port, workers=2, GOVWEB_PAGE_CACHE=0,
                                GOVWEB_PUBLIC_PORT=uncached_port)
    granian = None
    if args.granian:
        if h.granian_available():
            granian = h.start_granian(data_dir, granian_port, workers=2, GOVWEB_PUBLIC_PORT=granian_port)
        else:
            print("granian is not installed: its row is left out", flush=True)
    front = proxy_front = static = None
    rows = []
    try:
        for port in (cached_port, uncached_port) + ((granian_port,) if granian else ()):
            h.wait_for(f"http://127.0.0.1:{port}/", f"{PORTAL}:{port}", timeout=180)
        front = start_front(cached_port, front_port, refresh_port, mirror_dir=mirror_dir)
        proxy_front = start_front(cached_port, proxy_port, proxy_refresh_port)
        for label, path in found["paths"].items():
            def run(port, server, path=path):
                return h.wrk(f"http://127.0.0.1:{port}{path}", f"{PORTAL}:{port}",
                             connections=args.connections, seconds=args.seconds, server=server)

            for port in (cached_port, front_port, proxy_port) + ((granian_port,) if granian else ()):
                for _ in range(3):  # fill the page cache (and every worker's L1)
                    status, headers, body = fetch(port, path)
                    assert status == 200, (port, path, status)
            front_state = fetch(front_port, path)[1].get("X-Front-Cache")
            if static:
                h.stop(static)
            static = h.start_nginx_static(body, static_port)
            result = {"embedded cached (gunicorn)": run(cached_port, cached)}
            if granian:
                result["embedded cached (granian)"] = run(granian_port, granian)
            result["nginx front cached"] = run(front_port, front)
            result["nginx proxy cache only"] = run(proxy_port, proxy_front)
            result["uncached (gunicorn)"] = run(uncached_port, uncached)
            result["nginx static file"] = run(static_port, static)
            serial = one_at_a_time(uncached_port, path, uncached)
            rows.append((label, path, len(body), front_state, result, serial))
        policy = found["paths"]["policy page"]
        refresh = f"http://127.0.0.1:{refresh_port}"
        delays = {"expiry only": [publish_delay(front_port, policy, data_dir) for _ in range(3)],
                  "with GOVWEB_PURGE_URLS refresh": [
                      publish_delay(front_port, policy, data_dir, purge_urls=refresh) for _ in range(3)]}
    finally:
        h.stop(cached, uncached, granian, front, proxy_front, static)
        shutil.rmtree(mirror_dir, ignore_errors=True)
    load_end = os.getloadavg()[0]

    print(f"\nlibrary: {found['items']:,} items, {found['pages']:,} pages; "
          f"wrk -t2 -c{args.connections} -d{args.seconds}s on 127.0.0.1; gunicorn as `govweb serve` "
          f"(2 workers × threads); load average {load_start:.1f} → {load_end:.1f} on {os.cpu_count()} CPUs")
    print(f"govweb.wsgi:application is a {application or '?'}"
          f"{'' if application == 'FrontDoor' else ' (the page-cache front door is not installed)'}\n")
    print(f"{'page':<16}{'server':<28}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'CPU µs/req':>12}{'non-2xx':>9}")
    for label, path, size, front_state, result, _serial in rows:
        for name, r in result.items():
            cpu = f"{r['cpu_us']:.0f}" if r["cpu_us"] is not None else "-"
            print(f"{label:<16}{name:<28}{r['rps']:>9.0f}{r['p50'] or 0:>9.2f}{r['p99'] or 0:>9.2f}"
                  f"{cpu:>12}{r['non2xx']:>9}")
        print(f"{'':<16}({path}, {size:,} bytes; nginx front before the run: X-Front-Cache {front_state})")

    def verdict(ok):
        return "met" if ok else "MISSED"

    print(f"\n{'page':<16}{'front/static':>13}{'(CPU)':>7}{'embedded req/s':>16}"
          f"{'uncached p50/p95 ms':>21}{'CPU ms':>8}   targets: front ≥ {TARGET_FRONT_RATIO}, "
          f"embedded ≥ {TARGET_EMBEDDED_RPS:,}, p95 ≤ {TARGET_UNCACHED_P95_MS}")
    for label, _path, _size, _state, result, serial in rows:
        static_r, front_r = result["nginx static file"], result["nginx front cached"]
        embedded = result["embedded cached (gunicorn)"]["rps"]
        ratio = front_r["rps"] / static_r["rps"]
        cpu_ratio = (static_r["cpu_us"] / front_r["cpu_us"]) if front_r["cpu_us"] else 0
        print(f"{label:<16}{ratio:>13.2f}{cpu_ratio:>7.2f}{embedded:>16,.0f}"
              f"{serial[0]:>12.1f} /{serial[1]:>6.1f}{serial[2]:>8.1f}   "
              f"{verdict(ratio >= TARGET_FRONT_RATIO)}, {verdict(embedded >= TARGET_EMBEDDED_RPS)}, "
              f"{verdict(serial[1] <= TARGET_UNCACHED_P95_MS)}")
    print("\npublish (committed in another process) → new title served through the nginx front, "
          "polled 10×/s; target ≤ 2 s:")
    for name, runs in delays.items():
        seen = ", ".join(f"{d:.2f} s" if d is not None else "not within 15 s" for d in runs)
        ok = all(d is not None and d <= 2 for d in runs)
        print(f"  {name:<32}{seen:<30} {verdict(ok)}")
    print("\n(CPU) = nginx-static CPU per request / nginx-front CPU per request: the same ratio "
          "measured in CPU time, less sensitive to a busy machine.")


if __name__ == "__main__":
    main()
