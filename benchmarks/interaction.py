"""Sustained message submissions over HTTP, then a count check that nothing acknowledged is lost.

    .venv/bin/python benchmarks/interaction.py [--seconds 60] [--connections 32]
                                               [--workers 2] [--threads 4]
                                               [--db sqlite|postgres|both] [--receipt]

For each database: the demo cluster is loaded into a fresh data dir (PostgreSQL: a fresh
database `govweb_bench_interaction` on 127.0.0.1), the public role runs under gunicorn as
`govweb serve --role public` runs it (gthread workers, no gunicorn access log: the role writes
its own), with `--workers` processes × `--threads` threads, the rate limits and the captcha off
(GOVWEB_INTERACTION_RATELIMIT=0, GOVWEB_INTERACTION_CAPTCHA=0), and wrk POSTs complete message
forms (CSRF token included, each with its own idempotency token) on 127.0.0.1, after a 3 s
warm-up that is not counted.

A submission is acknowledged when the server answers 303 to its receipt page: the message is
committed by then and the tracking number is in the Location. Every acknowledged number is
recorded; after the run each one is looked up in the database. Printed: submissions/s
(acknowledged), p50/p95/p99 latency, acknowledged / found / missing / duplicated, and the
server's CPU time per submission (user+system of the gunicorn processes and, on PostgreSQL,
of the database's backends, from /proc: on a shared machine this is the figure that depends
least on the other load).

With --receipt each acknowledgement is followed, on the same wrk thread, by the GET of the
receipt page a browser makes after the redirect (with its receipt cookie); the receipts shown
are counted as well, and the CPU figure then covers both requests.
"""

import argparse
import json
import os
import re
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402

from govweb.cli import PUBLIC_THREADS, _gunicorn_cmd  # noqa: E402

PG_URL = "postgres://postgres@127.0.0.1:5432/govweb_bench_interaction"
PORT = 18600
HOST = f"www-yunyan.localhost:{PORT}"

LUA = r"""
local counter = 0
local threads = {}
local receipts = {}   -- receipt pages to fetch next (--receipt), with their cookie
local follow = __FOLLOW__
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
function init(args)
  math.randomseed(id * 7919)
  acks = io.open("__OUT__/acks-" .. id .. ".txt", "w")
  shown = io.open("__OUT__/receipts-" .. id .. ".txt", "w")
end
function request()
  local receipt = table.remove(receipts)
  if receipt then
    return wrk.format("GET", receipt.path, {["Cookie"] = "__COOKIE__; " .. receipt.cookie}, nil)
  end
  counter = counter + 1
  local token = string.format("__RUN__%04x%012x%08x", id, counter, math.random(0, 0x7fffffff))
  local body = string.gsub("__BODY__", "TOKENX", token)
  return wrk.format("POST", "/hudong/liuyan/xie/", {
    ["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = "__COOKIE__"}, body)
end
function response(status, headers, body)
  if status == 303 then
    local path = headers["Location"] or ""
    local number = path:match("/hudong/liuyan/huizhi/(%d+)/$")
    if number then
      acks:write(number, "\n")
      acks:flush()
      if follow then
        local cookie = (headers["Set-Cookie"] or ""):match("^(gw_receipt=[^;]*)")
        if cookie then table.insert(receipts, {path = path, cookie = cookie}) end
      end
    end
  elseif status == 200 then
    local number = body:match('class="tracking%-number">(%d+)<')
    if number then
      shown:write(number, "\n")
      shown:flush()
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


def start_server(data_dir, workers, threads, extra):
    """The public role on loopback exactly as `govweb serve --role public` runs it
    (govweb/cli.py: gthread workers with keep-alive, no gunicorn access log — the role writes
    its own), with the given process and thread counts."""
    cmd = _gunicorn_cmd("public", "127.0.0.1", PORT, workers, threads=threads,
                        extra=["--log-level", "warning"])
    env = h.django_env(data_dir, GOVWEB_PUBLIC_PORT=PORT, GOVWEB_INTERACTION_RATELIMIT=0,
                       GOVWEB_INTERACTION_CAPTCHA=0, **extra)
    return subprocess.Popen(cmd, env=env, cwd=h.ROOT)


def cpu_seconds(root_pid):
    """User+system CPU seconds (Linux /proc) of a process and its children."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            pid, rest = (proc / "stat").read_text().split(" ", 1)
        except OSError:
            continue
        fields = rest.rsplit(")", 1)[1].split()
        if int(pid) == root_pid or int(fields[1]) == root_pid:  # fields[1]: parent pid
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def backend_cpu(database):
    """{(pid, start time): CPU seconds} of the PostgreSQL backends serving one database
    (their process title names it)."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            title = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if not title.startswith("postgres:") or f" {database} " not in title:
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[(proc.name, fields[19])] = (int(fields[11]) + int(fields[12])) / tick
    return found


class BackendSampler:
    """CPU of one database's backends over a run, sampled every second: Django closes a
    connection older than CONN_MAX_AGE (60 s) during a run, and an exited backend can no
    longer be read — its last sample counts (at most a second of its CPU is missed)."""

    def __init__(self, database):
        self.database = database
        self.before = backend_cpu(database)
        self.last = dict(self.before)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self):
        while not self._stop.wait(1.0):
            self.last.update(backend_cpu(self.database))

    def stop(self):
        """CPU seconds the backends spent since the start."""
        self._stop.set()
        self._thread.join()
        self.last.update(backend_cpu(self.database))
        return sum(cpu - self.before.get(key, 0.0) for key, cpu in self.last.items())


def form_and_cookie():
    """GET the form as a browser would: CSRF and visitor cookies, a unit chosen from the list."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(urllib.request.Request(f"http://127.0.0.1:{PORT}/hudong/liuyan/xie/",
                                              headers={"Host": HOST})).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    units = re.findall(r'<option value="(\d+)"', html)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    fields = {
        "csrfmiddlewaretoken": csrf, "token": "TOKENX", "kind": "complaint",
        "unit": units[0] if units else "",
        "title": "压测留言BENCHTOKENX", "name": "压测用户", "phone": "13800000000",
        "content": "这是一条用于吞吐量测试的留言内容，检验提交后不丢失、不重复。",
        "may_publish": "on",
    }
    return urllib.parse.urlencode(fields), cookie


def _numbers(out_dir, prefix):
    numbers = []
    for path in Path(out_dir).glob(f"{prefix}-*.txt"):
        numbers += path.read_text().split()
    return numbers


def count_check(extra, data_dir, out_dir, run_id):
    """Every acknowledged tracking number must name a stored row of this run (same number:
    date of receipt + id + check digit), no number twice, no token stored twice."""
    acked = _numbers(out_dir, "acks")
    code = (
        "import json\n"
        "from govweb.interaction.models import Message\n"
        "rows = Message.objects.filter(title__startswith='压测留言').only("
        "'pk', 'received_at', 'idempotency_token', 'title')\n"
        "print(json.dumps([[m.tracking_number, m.idempotency_token, m.title] for m in rows]))\n"
    )
    env = h.django_env(data_dir, **extra)
    output = subprocess.run([h.PYTHON, "-m", "django", "shell", "-c", code], env=env,
                            cwd=h.ROOT, check=True, capture_output=True, text=True).stdout
    stored = json.loads(output.strip().splitlines()[-1])
    # Only rows created by this run's tokens count: an old row returned again is not found.
    by_number = {number: token for number, token, _title in stored if token.startswith(run_id)}
    tokens = [token for _number, token, _title in stored]
    # The title carries the token the client sent: a row holding another request's data
    # would show here.
    mismatched = sum(1 for _n, token, title in stored
                     if token.startswith(run_id) and title != f"压测留言BENCH{token}")
    found = sum(1 for number in set(acked) if number in by_number)
    duplicated = (len(acked) - len(set(acked))) + (len(tokens) - len(set(tokens)))
    return {"acked": len(acked), "found": found, "missing": len(set(acked)) - found,
            "duplicated": duplicated, "mismatched": mismatched, "stored": len(by_number),
            "receipts": len(set(_numbers(out_dir, "receipts")) & set(acked))}


def run(kind, seconds, connections, workers, threads, receipt):
    data_dir, extra = prepare(kind)
    server = start_server(data_dir, workers, threads, extra)
    out_dir = tempfile.mkdtemp(prefix="govweb-bench-acks-")
    try:
        h.wait_for(f"http://127.0.0.1:{PORT}/hudong/", HOST)
        body, cookie = form_and_cookie()
        script = Path(out_dir) / "submit.lua"
        lua = (LUA.replace("__COOKIE__", cookie).replace("__BODY__", body)
               .replace("__FOLLOW__", "true" if receipt else "false"))
        # Warm-up (not counted): every worker process and thread imports and connects first.
        warm_dir = tempfile.mkdtemp(prefix="govweb-bench-warm-")
        warm = Path(warm_dir) / "warm.lua"
        warm.write_text(lua.replace("__OUT__", warm_dir)
                        .replace("__RUN__", secrets.token_hex(4)))
        subprocess.run(["wrk", "-t2", f"-c{connections}", "-d3s", "-s", str(warm),
                        "-H", f"Host: {HOST}", f"http://127.0.0.1:{PORT}/"],
                       capture_output=True, check=True)
        shutil.rmtree(warm_dir, ignore_errors=True)
        run_id = secrets.token_hex(4)  # every token of the measured run starts with it
        script.write_text(lua.replace("__OUT__", out_dir).replace("__RUN__", run_id))
        database = PG_URL.rsplit("/", 1)[1] if kind == "postgres" else None
        cpu_before = cpu_seconds(server.pid)
        backends = BackendSampler(database) if database else None
        wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        result = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
             "-s", str(script), "-H", f"Host: {HOST}", f"http://127.0.0.1:{PORT}/"],
            capture_output=True, text=True, check=True).stdout
        elapsed = time.monotonic() - started
        wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = cpu_seconds(server.pid) - cpu_before
        db_cpu = backends.stop() if backends else 0.0
        wrk_cpu = (wrk_after.ru_utime + wrk_after.ru_stime
                   - wrk_before.ru_utime - wrk_before.ru_stime)
    finally:
        h.stop(server)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", result).group(1))
    p50, p95, p99 = (float(x) for x in re.search(r"LAT (\S+) (\S+) (\S+)", result).groups())
    errors = re.search(r"ERR (.*)", result).group(1)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", result)
    check = count_check(extra, data_dir, out_dir, run_id)
    shutil.rmtree(out_dir, ignore_errors=True)
    shutil.rmtree(data_dir, ignore_errors=True)
    return {"db": kind, "rps": rps, "acked_per_s": check["acked"] / elapsed, "p50": p50,
            "p95": p95, "p99": p99, "errors": errors,
            "cpu_ms": 1000.0 * cpu / max(check["acked"], 1),
            "db_cpu_ms": 1000.0 * db_cpu / max(check["acked"], 1),
            "wrk_cpu_ms": 1000.0 * wrk_cpu / max(check["acked"], 1),
            "non2xx": int(non2xx.group(1)) if non2xx else 0, **check}


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=32)
    # The defaults of `govweb serve --role public` on a 2-core node (one process per core).
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=PUBLIC_THREADS,
                        help="threads per process")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--receipt", action="store_true",
                        help="also GET the receipt page after every acknowledgement")
    args = parser.parse_args()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    rows = [run(kind, args.seconds, args.connections, args.workers, args.threads, args.receipt)
            for kind in kinds]
    load = os.getloadavg()
    print(f"\nmessage submissions, {args.seconds}s, concurrency {args.connections}, gunicorn "
          f"{args.workers} workers × {args.threads} threads, {os.cpu_count()} CPUs, demo "
          f"cluster loaded; {'POST → 303 → receipt page GET' if args.receipt else 'POST → 303'}"
          f"; load average at the end {load[0]:.1f}")
    print(f"{'db':8} {'req/s':>8} {'subm/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
          f"{'CPU ms':>7} {'acked':>7} {'in db':>7} {'missing':>7} {'dup':>5} {'non2xx':>6}"
          f"  socket errors (connect read write status timeout)")
    for r in rows:
        print(f"{r['db']:8} {r['rps']:8.1f} {r['acked_per_s']:8.1f} {r['p50']:8.1f} "
              f"{r['p95']:8.1f} {r['p99']:8.1f} {r['cpu_ms']:7.1f} {r['acked']:7d} "
              f"{r['found']:7d} {r['missing']:7d} {r['duplicated']:5d} {r['non2xx']:6d}  "
              f"{r['errors']}")
        share = 100.0 * r["found"] / r["acked"] if r["acked"] else 0.0
        print(f"{'':8} CPU per submission: gunicorn {r['cpu_ms']:.2f} ms, "
              + (f"PostgreSQL backends {r['db_cpu_ms']:.2f} ms, " if r["db"] == "postgres"
                 else "")
              + f"wrk {r['wrk_cpu_ms']:.2f} ms")
        print(f"{'':8} acknowledged submissions found in the database: {share:.2f}% "
              f"(rows stored by the run: {r['stored']}, rows with another request's data: "
              f"{r['mismatched']}"
              + (f", receipt pages shown: {r['receipts']}" if args.receipt else "") + ")")
    print("subm/s: acknowledged submissions (303 with the tracking number) per second; "
          "CPU ms: gunicorn user+system CPU per acknowledged submission")


if __name__ == "__main__":
    main()
