"""Sustained message submissions over HTTP, then a count check that nothing acknowledged is lost.

    .venv/bin/python benchmarks/interaction.py [--seconds 60] [--connections 32] [--workers 4]
                                               [--db sqlite|postgres|both]

For each database: the demo cluster is loaded into a fresh data dir (PostgreSQL: a fresh
database `govweb_bench_interaction` on 127.0.0.1), the public role runs under gunicorn with the
rate limits and the captcha switched off (GOVWEB_INTERACTION_RATELIMIT=0,
GOVWEB_INTERACTION_CAPTCHA=0), and wrk POSTs complete message forms (each with its own
idempotency token) on 127.0.0.1. Every 200 receipt is recorded (token + tracking number); after
the run each one is looked up in the database. Prints submissions/s, p50/p95/p99 latency, and
acknowledged / found / missing / duplicated.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402

PG_URL = "postgres://postgres@127.0.0.1:5432/govweb_bench_interaction"
PORT = 18600
HOST = f"www-yunyan.localhost:{PORT}"

LUA = r"""
local counter = 0
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
function init(args)
  math.randomseed(id * 7919)
  out = io.open("__OUT__/acks-" .. id .. ".txt", "w")
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Cookie"] = "__COOKIE__"
end
function request()
  counter = counter + 1
  local token = string.format("%04x%012x%08x%08x", id, counter,
                              math.random(0, 0x7fffffff), math.random(0, 0x7fffffff))
  local body = string.gsub("__BODY__", "TOKENX", token)
  return wrk.format(nil, "/hudong/liuyan/xie/", nil, body)
end
function response(status, headers, body)
  if status == 200 then
    local number = body:match('class="tracking%-number">(%d+)<')
    local token = body:match("BENCH(%x+)")
    if number and token then
      out:write(token, " ", number, "\n")
      out:flush()
    end
  end
end
function done(summary, latency, requests)
  io.write(string.format("LAT %.3f %.3f %.3f\n", latency:percentile(50) / 1000,
                         latency:percentile(95) / 1000, latency:percentile(99) / 1000))
  io.write(string.format("ERR %d %d %d %d %d\n", summary.errors.connect, summary.errors.read,
                         summary.errors.write, summary.errors.status, summary.errors.timeout))
end
"""


def prepare(kind):
    data_dir = Path(tempfile.mkdtemp(prefix=f"govweb-bench-interaction-{kind}-"))
    extra = {}
    if kind == "postgres":
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists",
                        "govweb_bench_interaction"], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres",
                        "govweb_bench_interaction"], check=True)
        extra["DATABASE_URL"] = PG_URL
    else:
        os.environ.pop("DATABASE_URL", None)
    env = h.django_env(data_dir, **extra)
    for args in (["migrate", "-v0"], ["collectstatic", "--no-input", "-v0"], ["load_demo"]):
        subprocess.run([h.PYTHON, "-m", "django", *args], env=env, check=True, cwd=h.ROOT,
                       capture_output=True)
    return data_dir, extra


def form_and_cookie():
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(urllib.request.Request(f"http://127.0.0.1:{PORT}/hudong/liuyan/xie/",
                                              headers={"Host": HOST})).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    fields = {
        "csrfmiddlewaretoken": csrf, "token": "TOKENX", "kind": "complaint", "unit": "",
        "title": "压测留言BENCHTOKENX", "name": "压测用户", "phone": "13800000000",
        "content": "这是一条用于吞吐量测试的留言内容，检验提交后不丢失、不重复。",
        "may_publish": "on",
    }
    return urllib.parse.urlencode(fields), cookie


def count_check(extra, data_dir, out_dir):
    acks = {}
    duplicated_acks = 0
    for path in Path(out_dir).glob("acks-*.txt"):
        for line in path.read_text().splitlines():
            token, number = line.split()
            if token in acks:
                duplicated_acks += 1
            acks[token] = number
    code = (
        "import json,sys\n"
        "from govweb.interaction.models import Message\n"
        "rows = Message.objects.filter(title__startswith='压测留言').values_list("
        "'pk','idempotency_token','received_at')\n"
        "print(json.dumps([[pk, t] for pk, t, _r in rows]))\n"
    )
    env = h.django_env(data_dir, **extra)
    output = subprocess.run([h.PYTHON, "-m", "django", "shell", "-c", code], env=env,
                            cwd=h.ROOT, check=True, capture_output=True, text=True).stdout
    import json

    stored = json.loads(output.strip().splitlines()[-1])
    by_token = {}
    for pk, token in stored:
        by_token.setdefault(token, []).append(pk)
    found = missing = mismatched = 0
    for token, number in acks.items():
        pks = by_token.get(token)
        if not pks:
            missing += 1
        elif int(number[8:-1]) != pks[0]:
            mismatched += 1
        else:
            found += 1
    duplicated = sum(len(p) - 1 for p in by_token.values()) + duplicated_acks
    return {"acked": len(acks), "found": found, "missing": missing + mismatched,
            "duplicated": duplicated, "stored": len(stored)}


def run(kind, seconds, connections, workers):
    data_dir, extra = prepare(kind)
    server = h.start_gunicorn(data_dir, PORT, workers=workers, GOVWEB_PUBLIC_PORT=PORT,
                              GOVWEB_INTERACTION_RATELIMIT=0, GOVWEB_INTERACTION_CAPTCHA=0,
                              **extra)
    out_dir = tempfile.mkdtemp(prefix="govweb-bench-acks-")
    try:
        h.wait_for(f"http://127.0.0.1:{PORT}/hudong/", HOST)
        body, cookie = form_and_cookie()
        script = Path(out_dir) / "submit.lua"
        script.write_text(LUA.replace("__OUT__", out_dir).replace("__COOKIE__", cookie)
                          .replace("__BODY__", body))
        started = time.monotonic()
        result = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
             "-s", str(script), "-H", f"Host: {HOST}", f"http://127.0.0.1:{PORT}/"],
            capture_output=True, text=True, check=True).stdout
        elapsed = time.monotonic() - started
    finally:
        h.stop(server)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", result).group(1))
    p50, p95, p99 = (float(x) for x in re.search(r"LAT (\S+) (\S+) (\S+)", result).groups())
    errors = re.search(r"ERR (.*)", result).group(1)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", result)
    check = count_check(extra, data_dir, out_dir)
    shutil.rmtree(out_dir, ignore_errors=True)
    return {"db": kind, "rps": rps, "acked_per_s": check["acked"] / elapsed, "p50": p50,
            "p95": p95, "p99": p99, "errors": errors,
            "non2xx": int(non2xx.group(1)) if non2xx else 0, **check}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    rows = [run(kind, args.seconds, args.connections, args.workers) for kind in kinds]
    print(f"\nmessage submissions, {args.seconds}s, concurrency {args.connections}, "
          f"gunicorn sync workers ×{args.workers}, {os.cpu_count()} CPUs, demo cluster loaded")
    print(f"{'db':8} {'req/s':>8} {'acked/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
          f"{'acked':>7} {'in db':>7} {'missing':>7} {'dup':>5} {'non2xx':>6}  socket errors "
          f"(connect read write status timeout)")
    for r in rows:
        print(f"{r['db']:8} {r['rps']:8.1f} {r['acked_per_s']:8.1f} {r['p50']:8.1f} "
              f"{r['p95']:8.1f} {r['p99']:8.1f} {r['acked']:7d} {r['found']:7d} "
              f"{r['missing']:7d} {r['duplicated']:5d} {r['non2xx']:6d}  {r['errors']}")
        share = 100.0 * r["found"] / r["acked"] if r["acked"] else 0.0
        print(f"{'':8} acknowledged submissions found in the database: {share:.2f}% "
              f"(rows stored by the run: {r['stored']})")


if __name__ == "__main__":
    main()
