"""Shared helpers for the benchmarks: a prepared data dir, servers on loopback, wrk runs."""

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
    cmd = [PYTHON, "-m", "gunicorn", "govweb.wsgi:application", "--bind", f"127.0.0.1:{port}",
           "--workers", str(workers), "--access-logfile", "/dev/null", "--log-level", "warning"]
    return subprocess.Popen(cmd, env=django_env(data_dir, role, **extra_env), cwd=ROOT)


def start_nginx_static(html_bytes, port):
    """nginx serving the given bytes as a static file, the ceiling we compare against."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise RuntimeError("nginx is not installed (apt-get install nginx-light)")
    work = Path(tempfile.mkdtemp(prefix="govweb-nginx-"))
    (work / "www").mkdir()
    (work / "www" / "index.html").write_bytes(html_bytes)
    conf = work / "nginx.conf"
    # Workers run as root so that they can read the private temp folder (loopback-only bench).
    user = "user root;" if os.geteuid() == 0 else ""
    conf.write_text(f"""
{user}
worker_processes 2;
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  default_type text/html;
  server {{
    listen 127.0.0.1:{port};
    root {work}/www;
    location / {{ try_files /index.html =404; }}
  }}
}}
""")
    process = subprocess.Popen([nginx, "-c", str(conf), "-g", "daemon off;"])
    time.sleep(0.5)
    return process


def wrk(url, host, threads=2, connections=32, seconds=10):
    """Run wrk against a loopback URL; returns requests/s and p50/p99 latency in ms."""
    assert url.startswith("http://127.0.0.1"), "load tests only target loopback"
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
         "-H", f"Host: {host}", url], capture_output=True, text=True, check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = {m.group(1): _ms(m.group(2), m.group(3))
           for m in re.finditer(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": lat.get("50"), "p99": lat.get("99"),
            "non2xx": int(errors.group(1)) if errors else 0}


def _ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def stop(*processes):
    for process in processes:
        if process and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
