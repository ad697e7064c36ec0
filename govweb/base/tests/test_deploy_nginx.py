"""The documented nginx fronts (docs/deploy/) are configurations nginx accepts as written.

benchmarks/front.py runs govweb-page-cache.conf as it is; these tests keep the files around it
(nginx-cache.conf, nginx-public.conf) from drifting into something nginx would refuse. They
need the nginx and openssl programs (Debian: nginx-light, openssl) and are skipped without them.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "docs" / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
OPENSSL = shutil.which("openssl")

pytestmark = pytest.mark.skipif(not Path(NGINX).exists() or not OPENSSL,
                                reason="needs nginx and openssl")


def nginx_accepts(tmp_path, http_body):
    """`nginx -t` on the given http {} body, with the deployment's paths moved into tmp_path."""
    certs = tmp_path / "ssl"
    certs.mkdir()
    subprocess.run([OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=www.guiyang.gov.cn", "-keyout", certs / "privkey.pem",
                    "-out", certs / "fullchain.pem"], check=True, capture_output=True)
    body = (http_body
            .replace("/etc/ssl/govweb/", f"{certs}/")
            .replace("/etc/nginx/govweb-page-cache.conf", str(DEPLOY / "govweb-page-cache.conf"))
            .replace("/etc/nginx/govweb-edge-maps.conf", str(DEPLOY / "govweb-edge-maps.conf"))
            .replace("/etc/nginx/govweb-edge-mirror.conf", str(DEPLOY / "govweb-edge-mirror.conf"))
            .replace("/var/cache/nginx/govweb", str(tmp_path / "cache"))
            .replace("/var/log/nginx/", f"{tmp_path}/"))
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
                    f"events {{}}\nhttp {{\n{body}\n}}\n")
    result = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(conf)],
                            capture_output=True, text=True)
    return result.returncode == 0, result.stderr


def test_the_page_cache_front_is_valid_nginx(tmp_path):
    ok, output = nginx_accepts(tmp_path, (DEPLOY / "nginx-cache.conf").read_text())
    assert ok, output


def test_the_plain_front_is_valid_nginx(tmp_path):
    ok, output = nginx_accepts(tmp_path, (DEPLOY / "nginx-public.conf").read_text())
    assert ok, output


def test_the_page_cache_front_logs_what_analytics_reads():
    """The log format of the production front is the one analytics documents and parses."""
    import re

    front = (DEPLOY / "nginx-cache.conf").read_text()
    documented = (ROOT / "docs" / "subsystems" / "analytics.md").read_text()

    def log_format(text):
        return " ".join(re.search(r"^log_format govweb .*?;$", text, re.S | re.M).group(0).split())

    assert log_format(front) == log_format(documented)
    assert re.search(r"^access_log \S+ govweb;$", front, re.M)


def test_a_broken_include_is_refused(tmp_path):
    """The check itself can fail: a directive nginx does not know is reported."""
    broken = (DEPLOY / "nginx-cache.conf").read_text().replace(
        "include /etc/nginx/govweb-page-cache.conf;", "proxy_cache_purge on;", 1)
    ok, output = nginx_accepts(tmp_path, broken)
    assert not ok and "proxy_cache_purge" in output
