"""The public front's speed: cached (embedded, and nginx in front) vs uncached vs nginx-static.

    .venv/bin/python benchmarks/front.py [--seconds 10] [--connections 64] [--data-dir DIR]

For the portal home, a column listing and a policy page: requests/s and p50/p99 under
`wrk -t2 -c64` on 127.0.0.1, for
  * embedded default: gunicorn ×2 with the in-process page cache (file cache + L1);
  * production topology: nginx proxy_cache (1 s, revalidated) in front of that gunicorn;
  * uncached: the same gunicorn with GOVWEB_PAGE_CACHE=0;
  * nginx serving the same bytes from a file (the ceiling);
plus the uncached server time p50/p95 measured one request at a time. Prints the ratios.
"""

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402

HOST = "www-guiyang.localhost"


def fetch(port, path, host=HOST):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": f"{host}:{port}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def find_paths(port):
    """Portal home, first column listing and first policy page, found by crawling the portal."""
    found, queue, seen = {"home": "/"}, ["/"], set()
    while queue and len(seen) < 80 and not {"columnpage", "policydocumentpage"} <= set(found):
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        html = fetch(port, path).decode()
        kind = re.search(r'data-page-type="([^"]+)"', html)
        if kind and kind.group(1) not in found:
            found[kind.group(1)] = path
        queue += [p for p in re.findall(r'href="(/[^"#?]*)"', html)
                  if not p.startswith(("/static/", "/feeds/", "/a11y/", "/en/", "/search/", "/documents/"))]
    return {"portal home": found["home"], "column listing": found.get("columnpage"),
            "policy page": found.get("policydocumentpage") or found.get("articlepage")}


def start_nginx_cache(upstream_port, port):
    """nginx with proxy_cache in front of the app, as in docs/deploy/nginx-cache.conf."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    work = Path(tempfile.mkdtemp(prefix="govweb-nginx-cache-"))
    (work / "cache").mkdir()
    (work / "nginx.conf").write_text(f"""
user root;
worker_processes 2;
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  proxy_cache_path {work}/cache levels=1:2 keys_zone=govweb:32m max_size=1g inactive=10m use_temp_path=off;
  upstream govweb_public {{ server 127.0.0.1:{upstream_port}; keepalive 64; }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_cache govweb;
      proxy_cache_key "$scheme$host$request_uri$cookie_govweb_a11y";
      proxy_cache_revalidate on;
      proxy_cache_lock on;
      proxy_cache_use_stale updating error timeout;
      proxy_cache_background_update on;
      proxy_set_header Host $http_host;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass http://govweb_public;
    }}
  }}
}}
""")
    process = subprocess.Popen([nginx, "-c", str(work / "nginx.conf"), "-g", "daemon off;"])
    time.sleep(0.5)
    return process


def start_nginx_static(body, port):
    """nginx serving the bytes from a file (like _harness.start_nginx_static, but its workers
    can read the private temporary directory: `user root`)."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    work = Path(tempfile.mkdtemp(prefix="govweb-nginx-static-"))
    (work / "www").mkdir()
    (work / "www" / "index.html").write_bytes(body)
    (work / "nginx.conf").write_text(f"""
user root;
worker_processes 2;
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  default_type text/html;
  server {{ listen 127.0.0.1:{port}; root {work}/www; location / {{ try_files /index.html =404; }} }}
}}
""")
    process = subprocess.Popen([nginx, "-c", str(work / "nginx.conf"), "-g", "daemon off;"])
    time.sleep(0.5)
    return process


def item_count(data_dir):
    code = ("from wagtail.models import Page; from govweb.base.feeds import dated_bases; "
            "print(sum(b.objects.count() for b in dated_bases()), Page.objects.count())")
    out = subprocess.run([h.PYTHON, "-m", "django", "shell", "-c", code], env=h.django_env(data_dir),
                         cwd=h.ROOT, capture_output=True, text=True, check=True).stdout.split()
    return int(out[-2]), int(out[-1])


def one_at_a_time(port, path, n=60):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fetch(port, path)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--data-dir", default=None, help="reuse a prepared data dir")
    args = parser.parse_args()

    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="govweb-bench-front-"))
    h.prepare_demo(data_dir)
    items, pages = item_count(data_dir)
    cached_port, uncached_port, front_port, static_port = 18100, 18101, 18180, 18080
    cached = h.start_gunicorn(data_dir, cached_port, workers=2, GOVWEB_PUBLIC_PORT=cached_port)
    uncached = h.start_gunicorn(data_dir, uncached_port, workers=2, GOVWEB_PAGE_CACHE=0,
                                GOVWEB_PUBLIC_PORT=uncached_port)
    front = static = None
    rows = []
    try:
        h.wait_for(f"http://127.0.0.1:{cached_port}/", f"{HOST}:{cached_port}", timeout=180)
        h.wait_for(f"http://127.0.0.1:{uncached_port}/", f"{HOST}:{uncached_port}", timeout=180)
        front = start_nginx_cache(cached_port, front_port)
        paths = find_paths(cached_port)
        for label, path in paths.items():
            body = fetch(cached_port, path)
            if static:
                h.stop(static)
            static = start_nginx_static(body, static_port)

            def run(port, label=label, path=path):
                return h.wrk(f"http://127.0.0.1:{port}{path}", f"{HOST}:{cached_port}",
                             connections=args.connections, seconds=args.seconds)

            fetch(cached_port, path)  # warm the cache
            result = {
                "embedded cached": run(cached_port),
                "nginx front cached": run(front_port),
                "uncached": h.wrk(f"http://127.0.0.1:{uncached_port}{path}",
                                  f"{HOST}:{uncached_port}", connections=args.connections,
                                  seconds=args.seconds),
                "nginx static": run(static_port),
            }
            serial = one_at_a_time(uncached_port, path)
            rows.append((label, path, len(body), result, serial))
    finally:
        h.stop(cached, uncached, front, static)

    print(f"\nlibrary: {items:,} dated items, {pages:,} pages in all; "
          f"wrk -t2 -c{args.connections} -d{args.seconds}s on 127.0.0.1, gunicorn ×2 workers\n")
    print(f"{'page':<16}{'server':<22}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'non2xx':>8}")
    for label, _path, size, result, _serial in rows:
        for name, r in result.items():
            print(f"{label:<16}{name:<22}{r['rps']:>10.0f}{r['p50'] or 0:>9.2f}{r['p99'] or 0:>9.2f}{r['non2xx']:>8}")
        print(f"{'':<16}({size:,} bytes)")
    print(f"\n{'page':<16}{'front/static':>13}{'embedded/static':>16}{'uncached p50 ms':>17}{'uncached p95 ms':>17}")
    for label, _path, _size, result, serial in rows:
        static_rps = result["nginx static"]["rps"]
        print(f"{label:<16}{result['nginx front cached']['rps'] / static_rps:>13.2f}"
              f"{result['embedded cached']['rps'] / static_rps:>16.2f}{serial[0]:>17.1f}{serial[1]:>17.1f}")
    print("\ntargets: front/static >= 0.80; embedded cached >= 3000 req/s; uncached p95 <= 50 ms")


if __name__ == "__main__":
    main()
