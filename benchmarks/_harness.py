"""Shared helpers for the benchmarks: a prepared data dir, servers on loopback, wrk runs."""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def django_env(data_dir, role="public", **extra):
    env = dict(os.environ)
    env.update(GOVWEB_DATA_DIR=str(data_dir), GOVWEB_ROLE=role,
               DJANGO_SETTINGS_MODULE="govweb.settings.base", **{k: str(v) for k, v in extra.items()})
    return env


def prepare_demo(data_dir):
    """Migrate, collect static files and load the demo cluster into data_dir (once)."""
    data_dir = Path(data_dir)
    if (data_dir / "govweb.sqlite3").exists():
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    env = django_env(data_dir)
    for args in (["migrate", "-v0"], ["collectstatic", "--no-input", "-v0"], ["load_demo"]):
        subprocess.run([PYTHON, "-m", "django", *args], env=env, check=True, cwd=ROOT)


def wait_for(url, host, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(url, headers={"Host": host})
            with urllib.request.urlopen(request, timeout=2) as response:
                return response.read()
        except Exception:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


def start_gunicorn(data_dir, port, workers=2, role="public", **extra_env):
    """The role under gunicorn exactly as `govweb serve` runs it (govweb/cli.py)."""
    from govweb.cli import _gunicorn_cmd

    cmd = _gunicorn_cmd(role, "127.0.0.1", port, workers, extra=["--log-level", "warning"])
    return subprocess.Popen(cmd, env=django_env(data_dir, role, **extra_env), cwd=ROOT)


def granian_available():
    return importlib.util.find_spec("granian") is not None


def start_granian(data_dir, port, workers=2, role="public", **extra_env):
    """The same application under granian (not a project dependency: only if installed)."""
    cmd = [PYTHON, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
           "--workers", str(workers), "--blocking-threads", "1", "--log-level", "warning",
           "govweb.wsgi:application"]
    return subprocess.Popen(cmd, env=django_env(data_dir, role, **extra_env), cwd=ROOT)


NGINX_HTTP = """
  access_log off;
  sendfile on;
  tcp_nopush on;
  open_file_cache max=1000 inactive=30s;
"""


def start_nginx(http_block, name="nginx"):
    """nginx (2 workers, loopback only) with the given `http {}` body; returns the process.

    Both the static ceiling and the cache front use the same NGINX_HTTP settings, so that the
    comparison is between serving a file and serving a cached page, nothing else."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise RuntimeError("nginx is not installed (apt-get install nginx-light)")
    work = Path(tempfile.mkdtemp(prefix=f"govweb-{name}-"))
    # Workers run as root so that they can read the private temp folder (loopback-only bench).
    user = "user root;" if os.geteuid() == 0 else ""
    conf = work / "nginx.conf"
    conf.write_text(f"""
{user}
worker_processes 2;
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 1024; }}
http {{
{NGINX_HTTP}
{http_block.replace("{work}", str(work))}
}}
""")
    process = subprocess.Popen([nginx, "-c", str(conf), "-g", "daemon off;"])
    process.work_dirs = [work]  # removed by stop()
    time.sleep(0.5)
    if process.poll() is not None:
        raise RuntimeError(f"nginx did not start: {(work / 'error.log').read_text()[-2000:]}")
    return process


def start_nginx_static(html_bytes, port):
    """nginx serving the given bytes as a static file, the ceiling we compare against."""
    work = Path(tempfile.mkdtemp(prefix="govweb-nginx-www-"))
    (work / "index.html").write_bytes(html_bytes)
    process = start_nginx(f"""
  default_type text/html;
  server {{
    listen 127.0.0.1:{port};
    root {work};
    location / {{ try_files /index.html =404; }}
  }}
""", name="nginx-static")
    process.work_dirs.append(work)
    return process


def wrk(url, host, threads=2, connections=32, seconds=10, server=None):
    """Run wrk against a loopback URL: requests/s, p50/p99 in ms, and — given the server's
    Popen — the CPU the server's processes spent per request (µs), which a busy machine
    inflates far less than it does wall-clock figures."""
    assert url.startswith("http://127.0.0.1"), "load tests only target loopback"
    pids = process_tree(server.pid) if server else set()
    cpu_before = cpu_seconds(pids)
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
         "-H", f"Host: {host}", url], capture_output=True, text=True, check=True,
    ).stdout
    cpu_after = cpu_seconds(pids | (process_tree(server.pid) if server else set()))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    lat = {m.group(1): _ms(m.group(2), m.group(3))
           for m in re.finditer(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": lat.get("50"), "p99": lat.get("99"),
            "non2xx": int(errors.group(1)) if errors else 0, "requests": requests,
            "cpu_us": (cpu_after - cpu_before) / requests * 1e6 if server and requests else None}


def _ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def process_tree(pid):
    """pid and all its descendants (server master and workers)."""
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        found.add(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as fh:
                    todo += [int(child) for child in fh.read().split()]
        except OSError:
            pass
    return found


def cpu_seconds(pids):
    """User + system CPU seconds of the given processes so far."""
    ticks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return ticks / os.sysconf("SC_CLK_TCK")


def stop(*processes):
    for process in processes:
        if process and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        for work in getattr(process, "work_dirs", ()) if process else ():
            shutil.rmtree(work, ignore_errors=True)
