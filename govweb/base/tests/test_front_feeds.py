"""Feeds (RSS 2.0, Atom) per site and column, per-site sitemaps and robots.txt."""

import re

import feedparser
import pytest
from wagtail.models import Page

from govweb.cluster.models import SiteProfile
from govweb.library.models import ArticlePage, ColumnPage

pytestmark = pytest.mark.django_db


def profile(key, site_host):
    return SiteProfile.objects.select_related("site").get(site__hostname=site_host(key).split(":")[0])


@pytest.mark.parametrize("path, version", [("/feeds/rss.xml", "rss20"), ("/feeds/atom.xml", "atom10")])
@pytest.mark.parametrize("key", ["portal", "jyj"])
def test_site_feeds_validate_and_list_the_sites_latest_items(client, site_host, key, path, version):
    prof = profile(key, site_host)
    response = client.get(path, HTTP_HOST=site_host(key))
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == version
    assert feed.feed.title == prof.organisation
    assert 0 < len(feed.entries) <= 20
    newest = (ArticlePage.objects.descendant_of(prof.site.root_page).live().public()
              .order_by("-pub_date").first())
    assert newest.title in [entry.title for entry in feed.entries]
    dates = [entry.get("published_parsed") or entry.get("updated_parsed") for entry in feed.entries]
    assert dates == sorted(dates, reverse=True)
    host = site_host(key).split(":")[0]
    for entry in feed.entries:
        assert entry.link.startswith(f"http://{host}:"), entry.link
        assert entry.get("published_parsed") or entry.get("updated_parsed")


@pytest.mark.parametrize("fmt, version", [("rss", "rss20"), ("atom", "atom10")])
def test_column_feed_lists_only_that_column(client, site_host, fmt, version):
    prof = profile("jyj", site_host)
    column = next(c for c in ColumnPage.objects.child_of(prof.site.root_page).live()
                  if ArticlePage.objects.child_of(c).live().exists())
    response = client.get(f"/feeds/{column.pk}/{fmt}.xml", HTTP_HOST=site_host("jyj"))
    feed = feedparser.parse(response.content)
    assert not feed.bozo and feed.version == version
    titles = set(Page.objects.descendant_of(column).live().values_list("title", flat=True))
    assert feed.entries and all(entry.title in titles for entry in feed.entries)
    assert column.title in feed.feed.title


def test_a_column_of_another_site_has_no_feed_here(client, site_host):
    other = ColumnPage.objects.child_of(profile("portal", site_host).site.root_page).first()
    assert client.get(f"/feeds/{other.pk}/rss.xml", HTTP_HOST=site_host("jyj")).status_code == 404
    assert client.get("/feeds/999999999/atom.xml", HTTP_HOST=site_host("jyj")).status_code == 404


def test_feed_is_purged_when_an_item_is_published(client, site_host):
    prof = profile("jyj", site_host)
    client.get("/feeds/rss.xml", HTTP_HOST=site_host("jyj"))
    column = ColumnPage.objects.child_of(prof.site.root_page).live().first()
    column.add_child(instance=ArticlePage(title="市教育局发布2026年秋季学期校车安全提示", slug="xiaoche-anquan"))
    feed = feedparser.parse(client.get("/feeds/rss.xml", HTTP_HOST=site_host("jyj")).content)
    assert feed.entries[0].title == "市教育局发布2026年秋季学期校车安全提示"


def sitemap_locations(client, host):
    response = client.get("/sitemap.xml", HTTP_HOST=host)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return re.findall(r"<loc>([^<]+)</loc>", response.content.decode())


@pytest.mark.parametrize("key", ["portal", "yunyan", "jyj"])
def test_sitemap_lists_every_live_page_of_the_site_and_nothing_else(client, site_host, key):
    prof = profile(key, site_host)
    locations = sitemap_locations(client, site_host(key))
    expected = {p.get_full_url() for p in
                Page.objects.descendant_of(prof.site.root_page, inclusive=True).live().public().specific()}
    assert set(locations) == expected
    host = site_host(key).split(":")[0]
    assert all(loc.startswith(f"http://{host}:") for loc in locations)


def test_robots_txt_points_to_the_sites_own_sitemap(client, site_host):
    text = client.get("/robots.txt", HTTP_HOST=site_host("yunyan")).content.decode()
    assert "User-agent: *" in text
    assert f"Sitemap: http://{site_host('yunyan')}/sitemap.xml" in text
