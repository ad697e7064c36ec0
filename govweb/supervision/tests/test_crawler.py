"""The link checker against local fake hosts only: loops, slow hosts, huge and non-HTML answers."""

import datetime as dt
import http.server
import threading
import time

import pytest

from govweb.supervision.actions import do_run_checks
from govweb.supervision.conf import rule_conf
from govweb.supervision.crawler import HttpFetcher, LinkResult, valid_url
from govweb.supervision.models import Finding

from .conftest import T, add_column, add_item

LIMIT = 1000  # bytes, for the size tests


class FakeHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _send(self, status, body=b"", ctype="text/html; charset=utf-8", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        if self.path in ("/head-refused", "/endless"):  # the checker falls back to a bounded GET
            return self._send(405)
        self.do_GET()

    def do_GET(self):
        path = self.path
        if path == "/robots.txt":
            return self._send(200, b"User-agent: *\nDisallow: /private\n", "text/plain")
        if path == "/ok" or path == "/head-refused" or path == "/private/missing":
            return self._send(200, b"<p>ok</p>")
        if path == "/missing":
            return self._send(404, b"not found")
        if path == "/loop":
            return self._send(302, headers=[("Location", "/loop2")])
        if path == "/loop2":
            return self._send(302, headers=[("Location", "/loop")])
        if path == "/slow":
            time.sleep(1.5)
            return self._send(200, b"late")
        if path == "/pdf":
            return self._send(200, b"%PDF-1.4 fake", "application/pdf")
        if path == "/exact":
            return self._send(200, b"x" * LIMIT)
        if path == "/over":
            return self._send(200, b"x" * (LIMIT + 1))
        if path == "/endless":  # no Content-Length, body far above the limit
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            if self.command == "GET":
                for _ in range(200):
                    self.wfile.write(b"y" * 10000)
            return None
        return self._send(404)


@pytest.fixture(scope="module")
def fake_host():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def fetch():
    conf = rule_conf("broken_links") | {"read_timeout": 0.5, "connect_timeout": 0.5, "link_deadline_seconds": 1.0,
                                        "max_bytes": LIMIT, "delay_seconds": 0}
    return HttpFetcher(conf)


@pytest.mark.parametrize("path, ok, reason", [
    ("/ok", True, ""), ("/missing", False, "HTTP 404"), ("/loop", False, "重定向循环"),
    ("/slow", False, "响应超时"), ("/pdf", True, ""), ("/head-refused", True, ""),
])
def test_fetch_outcomes(fake_host, fetch, path, ok, reason):
    started = time.monotonic()
    result = fetch(fake_host + path)
    assert (result.ok, result.reason) == (ok, reason)
    assert time.monotonic() - started < 3  # bounded, never hanging


@pytest.mark.parametrize("path, warned", [("/exact", False), ("/over", True), ("/endless", True)])
def test_size_limit_exactly_at_and_above(fake_host, fetch, path, warned):
    result = fetch(fake_host + path)
    assert result.ok
    assert (result.reason == "页面超过大小上限") is warned


def test_unreachable_host_is_a_finding_not_a_crash(fetch):
    result = fetch("http://127.0.0.1:9/")  # discard port: nothing listens
    assert not result.ok and result.reason.startswith("无法连接")


@pytest.mark.parametrize("url, valid", [
    ("http://example.gov.cn/a", True), ("http://exa mple.com/", False), ("http://:80/", False),
    ("ftp://example.com/", False), ("http://example.com:99999/", False),
])
def test_invalid_urls(url, valid):
    assert valid_url(url) is valid


@pytest.mark.django_db
def test_site_crawl_records_broken_links_and_respects_robots(bare_site, fake_host):
    column = add_column(bare_site, "news")
    add_item(column, T - dt.timedelta(days=1))  # a valid internal target
    html = (f'<p><a href="{fake_host}/ok">好链接</a> <a href="{fake_host}/missing">坏链接</a> '
            f'<a href="{fake_host}/loop">循环</a> <a href="{fake_host}/private/missing">禁止抓取</a> '
            f'<a href="/news/">本站栏目</a> <a href="/no-such-column/">本站坏链接</a> '
            f'<a href="http://exa mple.com/">无效地址</a> <a href="mailto:a@b.cn">邮件</a></p>')
    page = add_item(column, T, title="含链接的信息", html=html)
    from django.test import override_settings

    with override_settings(GOVWEB_SUPERVISION={"broken_links": {
            "read_timeout": 0.5, "connect_timeout": 0.5, "link_deadline_seconds": 1.0, "delay_seconds": 0,
            "only_hosts": ["127.0.0.1"]}}):  # the page footer's national links are never fetched in tests
        run = do_run_checks(sites=[bare_site], rules=["broken_links"], now=T, alert=False)
    found = {f.summary.split("：")[0] + " " + f.summary.split("：", 1)[1] for f in Finding.objects.filter(
        site=bare_site, rule="broken_links")}
    assert found == {f"HTTP 404 {fake_host}/missing", f"重定向循环 {fake_host}/loop",
                     f"站内链接失效（HTTP 404） {bare_site.site.root_url}/no-such-column/",
                     "无效链接地址 http://exa mple.com/"}
    assert all(f.url.endswith("/") for f in Finding.objects.filter(site=bare_site))
    assert run.pages_checked >= 2 and run.links_checked >= 6
    del page


@pytest.mark.django_db
def test_finding_closes_when_fixed_and_keeps_first_seen(bare_site):
    column = add_column(bare_site, "news")
    item = add_item(column, T, html='<p><a href="/gone/">旧链接</a></p>')
    do_run_checks(sites=[bare_site], rules=["broken_links"], now=T, alert=False,
                  fetch=lambda url: LinkResult(True, 200))
    finding = Finding.objects.get(site=bare_site, rule="broken_links")
    do_run_checks(sites=[bare_site], rules=["broken_links"], now=T + dt.timedelta(days=1), alert=False,
                  fetch=lambda url: LinkResult(True, 200))
    finding.refresh_from_db()
    assert finding.first_seen_at == T and finding.resolved_at is None
    item.body = [("paragraph", "<p>链接已删除。</p>")]
    item.save_revision().publish()
    run = do_run_checks(sites=[bare_site], rules=["broken_links"], now=T + dt.timedelta(days=2), alert=False,
                        fetch=lambda url: LinkResult(True, 200))
    finding.refresh_from_db()
    assert finding.resolved_at == T + dt.timedelta(days=2) and run.resolved == 1
