""""Popular" (本周热点) and "related" (看过本文的人还看了) blocks on public pages, fed from the
daily aggregates: what a citizen sees on a site home and on an item page."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.utils import timezone
from wagtail.models import Page

from govweb.analytics import conf, generator, queries
from govweb.analytics.actions import do_ingest_logs, do_refresh_related_reading
from govweb.analytics.demo import _pages
from govweb.cluster.models import SiteProfile
from govweb.library.models import LibraryItemPage

DAYS = 5


@pytest.fixture
def read_log(store_dir):
    """Five days of reading up to yesterday on every demo site, ingested into the aggregates."""
    profiles = {p.site.root_page.slug: p for p in SiteProfile.objects.select_related("site__root_page")}
    start = timezone.localdate() - dt.timedelta(days=DAYS)
    generator.generate(conf.access_log_dir(), 20000, start, DAYS, pages=_pages(profiles),
                       seed=0.31, threads=1, visitors=60)
    do_ingest_logs(settle_seconds=0)
    do_refresh_related_reading()
    cache.clear()  # the blocks' cached answers from other tests (an empty store) must not count
    yield
    cache.clear()


def _yunyan():
    return SiteProfile.objects.select_related("site__root_page").get(
        site__root_page__slug__contains="yunyan")


def _section(html, css_class):
    match = re.search(rf'<section class="{css_class}".*?</section>', html, re.S)
    return match.group(0) if match else ""


def test_site_home_lists_the_weeks_most_read_items(read_log, client, site_host):
    profile = _yunyan()
    expected = queries.popular_pages(profile.site_id, timezone.localdate(), days=7, limit=8)
    assert expected, "the generated log reads items on this site"

    html = client.get("/", HTTP_HOST=site_host("yunyan")).content.decode()
    block = _section(html, "analytics-popular")
    assert "本周热点" in block
    titles = re.findall(r'<li><a href="[^"]+">([^<]+)</a></li>', block)
    assert titles == [Page.objects.get(pk=row["page_id"]).title for row in expected]
    # Every link leads to a page of this site that answers.
    for href in re.findall(r'href="([^"]+)"', block):
        assert client.get(href, HTTP_HOST=site_host("yunyan")).status_code == 200


def test_item_page_lists_items_read_together_and_drops_unpublished_ones(read_log, client, site_host):
    profile = _yunyan()
    today = timezone.localdate()
    item = next(
        page for page in LibraryItemPage.objects.live().descendant_of(profile.site.root_page)
        if len(queries.related_pages(profile.site_id, page.pk, today)) >= 2)
    related = queries.related_pages(profile.site_id, item.pk, today)

    html = client.get(item.url, HTTP_HOST=site_host("yunyan")).content.decode()
    block = _section(html, "analytics-related")
    assert "看过本文的人还看了" in block
    shown = re.findall(r'<li><a href="[^"]+">([^<]+)</a></li>', block)
    assert shown == [Page.objects.get(pk=row["page_id"]).title for row in related]
    assert item.title not in shown

    # An item unpublished after the last ingest is not offered any more.
    gone = Page.objects.get(pk=related[0]["page_id"]).specific
    gone.unpublish()
    html = client.get(item.url, HTTP_HOST=site_host("yunyan")).content.decode()
    assert gone.title not in _section(html, "analytics-related")
    assert len(re.findall(r"<li>", _section(html, "analytics-related"))) == len(related) - 1


def test_no_reading_data_shows_no_empty_block(store_dir, client, site_host):
    cache.clear()
    html = client.get("/", HTTP_HOST=site_host("yunyan")).content.decode()
    assert "本周热点" not in html
    assert 'class="analytics-popular"' not in html
