"""The page chrome (header navigation, footer facts) is built once per site and never stale."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govweb.cluster.models import SiteProfile
from govweb.library.models import ArticlePage, ColumnPage

pytestmark = pytest.mark.django_db


def jyj(site_host):
    host = site_host("jyj").split(":")[0]
    return SiteProfile.objects.select_related("site").get(site__hostname=host)


def header(client, host, path="/hudong/"):
    """The menu of the page's header."""
    # /hudong/ is not a Wagtail page: it is not in the page cache, so each call renders.
    response = client.get(path, HTTP_HOST=host)
    assert response.status_code == 200
    return response.content.decode().split('class="site-nav"')[1].split("</nav>")[0]


def footer(client, host, path="/hudong/"):
    return client.get(path, HTTP_HOST=host).content.decode().split("<footer")[1]


def test_the_chrome_costs_no_queries_once_built(client, site_host):
    host = site_host("jyj")
    with CaptureQueriesContext(connection) as cold:
        header(client, host)
    with CaptureQueriesContext(connection) as warm:
        header(client, host)
    tables = " ".join(q["sql"] for q in warm.captured_queries)
    assert "library_columnpage" not in tables and "cluster_citybrand" not in tables
    # The menu's queries (one per column and more) are gone from the warm page.
    assert len(warm.captured_queries) <= len(cold.captured_queries) - 5


def test_a_column_gets_into_the_menu_when_its_first_item_is_published(client, site_host):
    prof = jyj(site_host)
    host = site_host("jyj")
    column = prof.site.root_page.add_child(instance=ColumnPage(
        title="招生考试", slug="zhaosheng", kind="news", show_in_menus=True))
    assert "招生考试" not in header(client, host)
    article = column.add_child(instance=ArticlePage(title="2026年中考报名通知", slug="zk", live=False))
    assert "招生考试" not in header(client, host)
    article.save_revision().publish()
    assert "招生考试" in header(client, host)
    column.refresh_from_db()
    column.unpublish()
    assert "招生考试" not in header(client, host)


def test_a_renamed_column_and_new_filing_number_show_at_once(client, site_host):
    prof = jyj(site_host)
    host = site_host("jyj")
    column = ColumnPage.objects.child_of(prof.site.root_page).live().in_menu().filter(kind="news").first()
    old_title = column.title
    assert old_title in header(client, host)
    column.title = "教育要闻"
    column.save_revision().publish()
    html = header(client, host)
    assert "教育要闻" in html and f">{old_title}<" not in html
    prof.icp_number = "黔ICP备12345678号-9"
    prof.save()
    assert "黔ICP备12345678号-9" in footer(client, host)


def test_each_site_and_language_has_its_own_menu(client, site_host):
    portal = header(client, site_host("portal"))
    education = header(client, site_host("jyj"))
    english = header(client, site_host("jyj"), "/en/")
    assert portal != education
    assert 'href="/en/' in english and 'href="/en/' not in education
