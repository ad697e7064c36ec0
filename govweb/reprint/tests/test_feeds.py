"""Upstream feeds (中国政府网, 贵州省人民政府): new entries become reprint directives.

Feeds are served from local fixture files on 127.0.0.1 — never the internet.
"""

import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from govweb.base.scheduler import PERIODIC_JOBS
from govweb.library.models import ArticlePage
from govweb.reprint.actions import do_fetch_feed, do_reprint, parse_feed
from govweb.reprint.models import FeedFormat, ReprintDirective, ReprintMode, UpstreamFeed

from .conftest import ADMIN_HOST, path_on_site, profile, public_get, user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("admin_role")]

FIXTURES = Path(__file__).parent / "fixtures"
T0 = timezone.make_aware(datetime(2025, 1, 8, 10, 0))


@pytest.fixture
def feed_server():
    """A loopback HTTP server; tests set `documents[path] = bytes`."""
    documents = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = documents.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "application/xml; charset=utf-8")
            self.end_headers()
            if body is not None:
                self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_address[1]}", "documents": documents}
    server.shutdown()
    server.server_close()


def make_feed(url, fmt=FeedFormat.RSS, keys=("yunyan", "jyj"), **kwargs):
    feed = UpstreamFeed.objects.create(name="中国政府网", url=url, format=fmt, **kwargs)
    feed.target_sites.set([profile(k) for k in keys])
    return feed


def test_parsers_read_rss_atom_and_json_feed():
    rss = parse_feed((FIXTURES / "gov_rss.xml").read_bytes(), FeedFormat.RSS)
    assert [e["guid"] for e in rss] == ["gov-2025-0101", "gov-2025-0102"]
    assert rss[0]["title"] == "国务院办公厅关于进一步优化政务服务提升行政效能的意见"
    assert rss[0]["published_at"] == timezone.make_aware(datetime(2025, 1, 6, 8, 0))
    atom = parse_feed((FIXTURES / "province_atom.xml").read_bytes(), FeedFormat.ATOM)
    assert atom[0]["link"] == "http://127.0.0.1/zwgk/zcfg/2025-3.html"
    assert "总体要求" in atom[0]["content"]
    json_feed = parse_feed((FIXTURES / "feed.json").read_bytes(), FeedFormat.JSON)
    assert json_feed[0]["guid"] == "gz-json-2025-7"
    assert json_feed[0]["content"] == "<p>一、强化就业优先政策。</p><p>二、支持重点群体就业。</p>"
    assert json_feed[0]["published_at"] == timezone.make_aware(datetime(2025, 1, 9, 8, 30))


def test_new_entries_become_directives_once(feed_server):
    feed_server["documents"]["/rss.xml"] = (FIXTURES / "gov_rss.xml").read_bytes()
    feed = make_feed(feed_server["url"] + "/rss.xml", deadline_hours=12)

    # The first read only records what the feed already holds: no flood of old directives.
    entries, directives = do_fetch_feed(feed, now=T0)
    assert len(entries) == 2 and directives == []
    feed.refresh_from_db()
    assert feed.last_fetched_at == T0 and feed.last_status.startswith("成功")

    # Later the feed has one new item (and still the old one): one directive, no duplicates.
    feed_server["documents"]["/rss.xml"] = (FIXTURES / "gov_rss_more.xml").read_bytes()
    later = T0 + timedelta(minutes=15)
    entries, directives = do_fetch_feed(feed, now=later)
    assert [e.guid for e in entries] == ["gov-2025-0103"]
    [directive] = directives
    assert directive.source_name == "中国政府网" and directive.source_entry == entries[0]
    assert directive.deadline == later + timedelta(hours=12)
    assert {t.site.site.root_page.slug for t in directive.tasks.all()} == {"yunyan", "jyj"}
    # Untrusted HTML is cleaned before anything stores it.
    assert "iframe" not in entries[0].content and "公开为常态" in entries[0].content

    assert do_fetch_feed(feed, now=later + timedelta(minutes=15)) == ([], [])


def test_an_unreachable_feed_is_recorded_not_raised(feed_server):
    feed = make_feed(feed_server["url"] + "/missing.xml")
    assert do_fetch_feed(feed, now=T0) == ([], [])
    feed.refresh_from_db()
    assert feed.last_status.startswith("失败") and feed.last_fetched_at == T0


def test_reprinting_a_feed_entry_makes_a_clean_article(client, feed_server):
    feed_server["documents"]["/feed.json"] = (FIXTURES / "feed.json").read_bytes()
    feed = make_feed(feed_server["url"] + "/feed.json", FeedFormat.JSON, issue_for_existing=True)
    _entries, [directive] = do_fetch_feed(feed, now=T0)
    task = directive.tasks.get(site=profile("yunyan"))
    task = do_reprint(task, user=user("yunyan_editor"), mode=ReprintMode.ALIAS,
                      now=T0 + timedelta(hours=1))
    assert task.mode == ReprintMode.COPY  # an upstream item can only be copied
    article = ArticlePage.objects.get(pk=task.reprinted_page_id)
    assert article.live and article.source == "中国政府网"
    response = public_get(client, profile("yunyan"), path_on_site(article, profile("yunyan")))
    html = response.content.decode()
    assert response.status_code == 200
    assert "贵州省人民政府办公厅关于进一步做好稳就业工作的通知" in html
    assert "强化就业优先政策" in html and "http://127.0.0.1/zwgk/2025-7.html" in html


def test_rss_script_never_reaches_a_page(feed_server):
    feed_server["documents"]["/rss.xml"] = (FIXTURES / "gov_rss.xml").read_bytes()
    feed = make_feed(feed_server["url"] + "/rss.xml", issue_for_existing=True)
    entries, directives = do_fetch_feed(feed, now=T0)
    assert len(directives) == 2
    assert all("<script" not in e.content and "alert(1)" not in e.summary for e in entries)


def test_only_the_general_office_manages_feeds(client, as_user):
    feed = make_feed("http://127.0.0.1:9/rss.xml")
    as_user("yunyan_editor")
    response = client.get(reverse("reprint_feeds:index"), HTTP_HOST=ADMIN_HOST)
    assert response.status_code in (302, 403)
    response = client.post(reverse("reprint:fetch_feed", args=[feed.pk]), HTTP_HOST=ADMIN_HOST)
    assert response.status_code == 403
    as_user("admin")
    response = client.get(reverse("reprint_feeds:index"), HTTP_HOST=ADMIN_HOST)
    assert response.status_code == 200 and "中国政府网" in response.content.decode()
    response = client.post(reverse("reprint_feeds:add"), {
        "name": "贵州省人民政府", "url": "ftp://127.0.0.1/feed", "format": "rss",
        "target_sites": [profile("yunyan").pk], "deadline_hours": "12", "active": "on",
    }, HTTP_HOST=ADMIN_HOST)
    assert response.status_code == 200 and "订阅地址" in response.content.decode()
    assert not UpstreamFeed.objects.filter(name="贵州省人民政府").exists()


def test_the_scheduler_runs_the_deadline_check_and_the_feed_reader():
    names = {job.name for job in PERIODIC_JOBS}
    assert {"reprint_deadlines", "reprint_upstream_feeds"} <= names
    assert ReprintDirective.objects.exists()
