"""Column listings and the disclosure catalogue: right page contents and counts as items come
and go (the counts are cached; a publication or unpublication must show at once)."""

import json
import re

import pytest
from django.utils import timezone

from govweb.library.importing import import_text
from govweb.library.models import ColumnPage, ExternalItem, LibraryItemPage, PolicyDocumentPage
from govweb.library.tests.test_import import NOW, policy_record, record

pytestmark = pytest.mark.django_db


def titles(html):
    return re.findall(r'<li><a href="[^"]+">([^<]+)</a> <time', html)


def page_count(html):
    return int(re.search(r"共 (\d+) 页", html).group(1))


def test_listing_pages_follow_publication_and_unpublication(client, site_host):
    host = site_host("jyj")
    rows = [record(n, title=f"贵阳市教育局第{n}号通知", pub_date=f"2026-10-{1 + n // 4:02d} {8 + n % 4:02d}:00")
            for n in range(1, 46)]
    assert import_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "jsonl", now=NOW).created == 45
    column = ColumnPage.objects.get(url_path="/jyj/tzgg/")
    expected = [item.title for item in column.items()]
    first = client.get("/tzgg/", HTTP_HOST=host).content.decode()
    second = client.get("/tzgg/?page=2", HTTP_HOST=host).content.decode()
    assert titles(first) == expected[:20] and titles(second) == expected[20:40]
    pages = page_count(second)

    # Unpublishing an item of page 1 moves the next one up and changes the count.
    gone = LibraryItemPage.objects.get(title=expected[3])
    gone.specific.unpublish()
    second = client.get("/tzgg/?page=2", HTTP_HOST=host).content.decode()
    assert titles(second) == expected[21:41]
    assert gone.title not in client.get("/tzgg/", HTTP_HOST=host).content.decode()
    last = client.get(f"/tzgg/?page={pages}", HTTP_HOST=host).content.decode()
    assert titles(last) == expected[20 * (pages - 1) + 1:]

    # A newer item published (here by import) comes first on page 1 at once.
    latest = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    import_text(json.dumps(record(99, title="贵阳市教育局最新通知", pub_date=latest), ensure_ascii=False), "jsonl")
    assert titles(client.get("/tzgg/", HTTP_HOST=host).content.decode())[0] == "贵阳市教育局最新通知"


def test_catalogue_count_and_filters_follow_new_policies(client, site_host):
    host = site_host("jyj")

    def catalogue(query):
        html = client.get(f"/xxgk/gkml/?{query}", HTTP_HOST=host).content.decode()
        found = re.search(r"共 (\d+) 条", html)
        return html, int(found.group(1)) if found else 0

    html, before = catalogue("topic=10")
    assert '<option value="10" selected>' in html
    result = import_text(json.dumps(policy_record(77, title="贵阳市教育局关于加强课后服务的通知", topic="1002"),
                                    ensure_ascii=False), "jsonl", now=NOW)
    assert result.created == 1, result.errors
    html, after = catalogue("topic=10")
    assert PolicyDocumentPage.objects.filter(title="贵阳市教育局关于加强课后服务的通知", live=True).exists()
    assert after == before + 1 and "加强课后服务" in html
    policy = PolicyDocumentPage.objects.get(pk=ExternalItem.objects.get(external_id="JYJ-00077").page_id)
    assert policy.index_number in html
    # Another topic's filter does not list it.
    html, _count = catalogue("topic=01")
    assert "加强课后服务" not in html


def test_a_view_restricted_item_is_not_listed_on_the_site_home(client, site_host):
    from wagtail.models import PageViewRestriction

    host = site_host("jyj")
    column = ColumnPage.objects.get(url_path="/jyj/tzgg/")
    newest = column.latest_items(limit=1)[0]
    assert newest.title in client.get("/", HTTP_HOST=host).content.decode()
    PageViewRestriction.objects.create(page=newest, restriction_type=PageViewRestriction.PASSWORD,
                                       password="internal-only")
    from govweb.base import pagecache

    pagecache.clear()
    assert newest.title not in client.get("/", HTTP_HOST=host).content.decode()
