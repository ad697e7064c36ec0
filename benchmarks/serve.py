"""Baseline: the public role under gunicorn (2 workers) versus nginx serving the same bytes.

    .venv/bin/python benchmarks/serve.py [--seconds 10] [--connections 32]

Prints requests/s and p50/p99 latency of a site home page for each, and the ratio.
Only 127.0.0.1 is targeted.
"""

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--data-dir", default=None, help="reuse a prepared data dir")
    args = parser.parse_args()

    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="govweb-bench-"))
    h.prepare_demo(data_dir)
    host = "www-guiyang.localhost:18000"
    app = h.start_gunicorn(data_dir, 18000, workers=2, GOVWEB_PUBLIC_PORT=18000)
    nginx = None
    try:
        html = h.wait_for("http://127.0.0.1:18000/", host)
        nginx = h.start_nginx_static(html, 18080)
        h.wait_for("http://127.0.0.1:18080/", host)
        rows = [
            ("govweb public (gunicorn ×2, page cache on)", h.wrk("http://127.0.0.1:18000/", host,
                                                          connections=args.connections,
                                                          seconds=args.seconds)),
            ("nginx static file, same bytes", h.wrk("http://127.0.0.1:18080/", host,
                                                    connections=args.connections,
                                                    seconds=args.seconds)),
        ]
    finally:
        h.stop(app, nginx)

    print(f"\nportal home page, {len(html):,} bytes, wrk -t2 -c{args.connections} -d{args.seconds}s\n")
    print(f"{'server':<42}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>9}")
    for name, r in rows:
        print(f"{name:<42}{r['rps']:>10.0f}{r['p50']:>10.2f}{r['p99']:>10.2f}{r['non2xx']:>9}")
    print(f"\nratio govweb / nginx-static: {rows[0][1]['rps'] / rows[1][1]['rps']:.4f}")


if __name__ == "__main__":
    main()
