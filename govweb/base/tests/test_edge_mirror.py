"""The edge mirror (静态镜像): pages the app answers to nginx are written for nginx to serve as
files during the current second, only when nginx would send them exactly as the app does."""

import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from govweb.base import edgemirror

pytestmark = pytest.mark.django_db

DEPLOY = Path(__file__).resolve().parents[3] / "docs" / "deploy"
MIRROR_CONF = DEPLOY / "govweb-edge-mirror.conf"
MAPS_CONF = DEPLOY / "govweb-edge-maps.conf"
ANALYTICS_DOC = DEPLOY.parent / "subsystems" / "analytics.md"
EDGE = {"HTTP_X_GOVWEB_EDGE": "1", "HTTP_X_GOVWEB_MIRROR": "1"}


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    root = tmp_path / "mirror"
    monkeypatch.setenv("GOVWEB_EDGE_MIRROR_DIR", str(root))
    return root


def mirrored_files(root):
    return sorted(p for p in root.rglob("index.html")) if root.exists() else []


def conf_headers():
    """add_header lines of the mirror location: {lower-case name: value}."""
    found = {}
    for match in re.finditer(r'^add_header\s+(\S+)\s+(?:"([^"]*)"|([^;\s]+));', MIRROR_CONF.read_text(), re.M):
        found[match.group(1).lower()] = match.group(2) if match.group(2) is not None else match.group(3)
    return found


def language_for(path):
    """What the $govweb_language map of govweb-edge-maps.conf gives for a path."""
    body = re.search(r"map \$uri \$govweb_language \{(.*?)\}", MAPS_CONF.read_text(), re.S).group(1)
    default = re.search(r"default\s+([^;\s]+);", body).group(1)
    for pattern, value in re.findall(r'"~([^"]+)"\s+([^;\s]+);', body):
        if re.search(pattern, path):
            return value
    return default


@pytest.mark.parametrize("path", ["/", "/en/"])
def test_nginx_sends_a_mirrored_page_with_exactly_the_headers_of_the_app(client, site_host, path):
    """A drift guard: change a security header in settings and this fails until the mirror
    configuration says the same (or the app stops mirroring)."""
    response = client.get(path, HTTP_HOST=site_host("portal"))
    assert response.status_code == 200
    sent = {name.lower(): value for name, value in response.items()}
    from_nginx = conf_headers()
    from_nginx["content-language"] = language_for(path)
    from_nginx["content-type"] = re.search(r'default_type\s+"([^"]+)"', MIRROR_CONF.read_text()).group(1)
    # Only nginx's own: browsers' revalidation, the debugging mark, HSTS (TLS is nginx's).
    extra = set(from_nginx) - set(sent) - edgemirror.PER_ANSWER
    assert extra <= {"x-front-cache", "strict-transport-security"}, extra
    assert edgemirror.same_headers(sent, {k: v for k, v in from_nginx.items() if k not in extra})
    # And the app's own check agrees that this page may be mirrored.
    assert edgemirror.same_headers(sent, edgemirror.expected_headers(path, from_nginx["content-security-policy"]))


def test_the_drift_guard_can_fail():
    expected = edgemirror.expected_headers("/", "default-src 'self'")
    assert edgemirror.same_headers(dict(expected), expected)
    assert not edgemirror.same_headers({**expected, "content-security-policy": "default-src *"}, expected)
    assert not edgemirror.same_headers({**expected, "x-frame-options": "SAMEORIGIN"}, expected)
    assert not edgemirror.same_headers({**expected, "vary": "Cookie"}, expected)


def test_a_page_answered_to_nginx_is_mirrored_with_its_bytes_and_time(client, site_host, mirror):
    host = site_host("portal")
    before = int(time.time())
    miss = client.get("/", HTTP_HOST=host, **EDGE)
    assert miss.status_code == 200 and miss["X-Cache"] == "MISS"
    files = mirrored_files(mirror)
    assert len(files) == 1
    second, file_host = files[0].relative_to(mirror).parts[:2]
    assert before <= int(second) <= time.time() and file_host == host.split(":")[0]
    assert files[0].read_bytes() == miss.content
    # nginx's ETag/Last-Modified come from the file: dated with the page, so 304s keep working.
    assert int(files[0].stat().st_mtime) == int(parsedate_to_datetime(miss["Last-Modified"]).timestamp())

    shutil.rmtree(mirror)
    hit = client.get("/", HTTP_HOST=host, **EDGE)
    assert hit["X-Cache"] == "HIT"
    assert [f.read_bytes() for f in mirrored_files(mirror)] == [hit.content]


def test_an_item_page_lands_under_its_path(client, site_host, mirror):
    from govweb.library.models import PolicyDocumentPage

    host = site_host("portal")
    portal_root = client.get("/", HTTP_HOST=host).wsgi_request._wagtail_site.root_page
    policy = (PolicyDocumentPage.objects.live().descendant_of(portal_root)
              .filter(alias_of__isnull=True, locale__language_code="zh-hans").first())
    path = policy.get_url_parts()[2]
    shutil.rmtree(mirror, ignore_errors=True)
    response = client.get(path, HTTP_HOST=host, **EDGE)
    assert response.status_code == 200
    (file,) = mirrored_files(mirror)
    assert file.relative_to(mirror).as_posix().endswith(f"{host.split(':')[0]}{path}index.html")
    assert file.read_bytes() == response.content


@pytest.mark.parametrize("case", ["no mirror header", "query string", "accessibility mode", "head",
                                  "not found", "plain browser"])
def test_what_may_differ_per_visitor_or_is_not_a_page_is_never_mirrored(client, site_host, mirror, case):
    host = site_host("portal")
    headers = dict(EDGE)
    path = "/"
    if case == "no mirror header":
        del headers["HTTP_X_GOVWEB_MIRROR"]
    elif case == "query string":
        path = "/?page=2"
    elif case == "accessibility mode":
        client.cookies["govweb_a11y"] = "elder"
    elif case == "not found":
        path = "/no-such-page/"
    elif case == "plain browser":
        headers = {}
    ask = client.head if case == "head" else client.get
    ask(path, HTTP_HOST=host, **headers)
    ask(path, HTTP_HOST=host, **headers)  # the hit path as well
    assert mirrored_files(mirror) == []


def test_without_a_mirror_directory_nothing_is_written(client, site_host, tmp_path, monkeypatch):
    monkeypatch.delenv("GOVWEB_EDGE_MIRROR_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    response = client.get("/", HTTP_HOST=site_host("portal"), **EDGE)
    assert response.status_code == 200
    assert list(tmp_path.rglob("index.html")) == []


def test_unsafe_names_are_refused(tmp_path):
    assert edgemirror.file_for(tmp_path, 1, "www.example.gov.cn", "/a/b/") == tmp_path / "1" / "www.example.gov.cn" / "a" / "b" / "index.html"
    assert edgemirror.file_for(tmp_path, 1, "www.example.gov.cn", "/a/../../etc/") is None
    assert edgemirror.file_for(tmp_path, 1, "..", "/a/") is None
    assert edgemirror.file_for(tmp_path, 1, "a/b", "/a/") is None
    assert edgemirror.file_for(tmp_path, 1, "www.example.gov.cn", "/feed.xml") is None


def test_past_seconds_are_swept(tmp_path):
    now = int(time.time())
    for second in (now - 10, now - 3, now - 2, now - 1, now):
        (tmp_path / str(second) / "h").mkdir(parents=True)
    (tmp_path / "not-a-second").mkdir()
    edgemirror.sweep(tmp_path, now)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [str(now - 2), str(now - 1), str(now), "not-a-second"])


# --- nginx with the documented mirror configuration ---------------------------------------------

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(not Path(NGINX).exists(), reason="needs nginx (Debian: nginx-light)")
def test_nginx_serves_this_seconds_file_and_sends_everything_else_to_the_app(tmp_path):
    """nginx as configured in docs/deploy: a plain page request gets the mirrored file with the
    page headers; a query string, an accessibility mode, a feed, another host or a page nobody
    mirrored this second go to the app (here a stand-in answering 418)."""
    root = tmp_path / "mirror"
    body = "<!doctype html><title>政策文件</title>".encode()
    now = int(time.time())
    for second in range(now - 1, now + 30):  # whatever second nginx reads during the test
        page = root / str(second) / "www.example.gov.cn" / "zcwj"
        page.mkdir(parents=True)
        (page / "index.html").write_bytes(body)
    port = free_port()
    # The access log format analytics documents, as it is.
    log_format = re.search(r"^log_format govweb .*?;$", ANALYTICS_DOC.read_text(), re.S | re.M).group(0)
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"""
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{}}
http {{
  {log_format}
  access_log {tmp_path}/access.log govweb;
  map $http_x_govweb_refresh $govweb_refresh {{ "1" 1; default 0; }}
  include {MAPS_CONF};
  server {{
    listen 127.0.0.1:{port};
    root {root};
    location / {{ include {MIRROR_CONF}; }}
    location @govweb {{ add_header X-Mirror-Wanted $govweb_mirror_ok always; return 418; }}
  }}
}}
""")
    if os.geteuid() == 0:
        conf.write_text("user root;\n" + conf.read_text())
    process = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;"])
    try:
        deadline = time.time() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.time() < deadline, (tmp_path / "error.log").read_text()
                time.sleep(0.05)

        def fetch(path, host="www.example.gov.cn", **headers):
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host, **headers})
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    return response.status, response.headers, response.read()
            except urllib.error.HTTPError as error:
                return error.code, error.headers, error.read()

        status, headers, content = fetch("/zcwj/")
        assert (status, content) == (200, body)
        assert headers["X-Front-Cache"] == "MIRROR"
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert headers["Content-Language"] == "zh-hans"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        # Analytics counts it: the app never saw this view (cache status NGINX in the log).
        from govweb.analytics import ingest

        logged = ingest._nginx_re.match((tmp_path / "access.log").read_text().splitlines()[0])
        assert (logged.group(5), logged.group(12)) == ("/zcwj/", "NGINX")
        assert logged.group(12) in ingest.CACHE_SERVED
        # nginx's own validators: a browser revalidating gets 304.
        assert fetch("/zcwj/", **{"If-None-Match": headers["ETag"]})[0] == 304

        assert fetch("/zcwj/?page=2")[0] == 418
        assert fetch("/zcwj/", Cookie="govweb_a11y=elder")[0] == 418
        assert fetch("/zcwj/", Cookie="sessionid=abc")[0] == 418
        assert fetch("/zcwj/", host="other.example.gov.cn")[0] == 418
        # A page nobody mirrored: the app is asked to mirror it; a feed is never mirrored.
        status, headers, _ = fetch("/xxgk/")
        assert (status, headers["X-Mirror-Wanted"]) == (418, "1")
        status, headers, _ = fetch("/feeds/rss.xml")
        assert (status, headers["X-Mirror-Wanted"]) == (418, "0")
        # Files of seconds that are over are never served.
        for second in range(now - 1, now + 30):
            shutil.rmtree(root / str(second), ignore_errors=True)
        for second in range(int(time.time()) - 5, int(time.time())):
            (root / str(second) / "www.example.gov.cn" / "zcwj").mkdir(parents=True, exist_ok=True)
            (root / str(second) / "www.example.gov.cn" / "zcwj" / "index.html").write_bytes(body)
        assert fetch("/zcwj/")[0] == 418
    finally:
        process.terminate()
        process.wait(timeout=10)
