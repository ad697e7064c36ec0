"""The page cache: pages from cache, purged on every site when an editor publishes, 304s."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from wagtail.models import Page
from wagtail.test.utils.form_data import (
    nested_form_data,
    querydict_from_html,
    rich_text,
    streamfield,
)

from govweb.cluster.models import SiteProfile
from govweb.library.models import ArticlePage, ColumnPage

pytestmark = pytest.mark.django_db


def profile(key, site_host):
    host = site_host(key).split(":")[0]
    return SiteProfile.objects.select_related("site").get(site__hostname=host)


def first_article(prof):
    return (ArticlePage.objects.descendant_of(prof.site.root_page).live()
            .filter(alias_of__isnull=True).order_by("-pub_date").first())


def get(client, host, path, **headers):
    return client.get(path, HTTP_HOST=host, **headers)


def test_second_request_is_served_from_cache_with_the_same_bytes(client, site_host):
    host = site_host("jyj")
    first = get(client, host, "/")
    second = get(client, host, "/")
    assert first.status_code == second.status_code == 200
    assert first["X-Cache"] == "MISS" and second["X-Cache"] == "HIT"
    assert first.content == second.content
    # Security headers are still there on a cached answer.
    assert second["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in second["Content-Security-Policy"]


def test_conditional_get_answers_304(client, site_host):
    host = site_host("portal")
    first = get(client, host, "/")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert get(client, host, "/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert get(client, host, "/", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    changed = get(client, host, "/", HTTP_IF_NONE_MATCH='"something-else"')
    assert changed.status_code == 200 and changed.content == first.content


def test_sites_do_not_share_cache_entries(client, site_host):
    portal = get(client, site_host("portal"), "/").content.decode()
    jyj = get(client, site_host("jyj"), "/").content.decode()
    assert "贵阳市教育局" in jyj.split("</header>")[0]
    assert '<meta name="SiteName" content="贵阳市人民政府">' in portal
    assert '<meta name="SiteName" content="贵阳市教育局">' in jyj


def test_accessibility_mode_is_part_of_the_key(client, site_host):
    host = site_host("yunyan")
    plain = get(client, host, "/").content.decode()
    client.cookies["govweb_a11y"] = "elder"
    elder = get(client, host, "/")
    assert elder["X-Cache"] == "MISS"
    assert "a11y-elder" in elder.content.decode() and "a11y-elder" not in plain.split("<body")[1][:120]


def test_responses_that_set_cookies_or_have_sessions_are_never_cached(client, site_host):
    host = site_host("portal")
    toggle = get(client, host, "/a11y/?toggle=large&next=/")
    assert toggle.status_code == 302 and "X-Cache" not in toggle
    session_client = Client()
    session_client.cookies["sessionid"] = "abc"
    assert "X-Cache" not in get(session_client, host, "/")
    assert "X-Cache" not in client.post("/", HTTP_HOST=host)


def test_admin_role_is_never_cached(client, admin_role):
    admin = get_user_model().objects.get(username="admin")
    client.force_login(admin)
    response = client.get("/admin/", HTTP_HOST="127.0.0.1:8001")
    assert "X-Cache" not in response


def publish_title_through_admin(client, page, new_title):
    """What an editor does: open the edit form in the admin, change the title, publish."""
    edit_url = f"/admin/pages/{page.pk}/edit/"
    form = client.get(edit_url, HTTP_HOST="127.0.0.1:8001")
    assert form.status_code == 200
    data = querydict_from_html(form.content.decode(), form_id="page-edit-form")
    data["title"] = new_title
    # The body editor is drawn by JavaScript, so its fields are not in the HTML: send them as
    # the editor would (the unchanged paragraphs).
    paragraphs = [("paragraph", rich_text(block.value.source)) for block in page.specific.body
                  if block.block_type == "paragraph"]
    data.update(nested_form_data({"body": streamfield(paragraphs)}))
    data["action-publish"] = "action-publish"
    response = client.post(edit_url, data, HTTP_HOST="127.0.0.1:8001")
    assert response.status_code == 302, response.content.decode()[:2000]


def test_publishing_an_edit_updates_every_page_showing_it_on_every_site(site_host):
    public = Client()
    jyj, portal = profile("jyj", site_host), profile("portal", site_host)
    article = first_article(jyj)
    column = article.get_parent()
    # The portal shows the item too, as an alias in one of its columns (R2.3).
    portal_column = ColumnPage.objects.child_of(portal.site.root_page).live().first()
    alias = article.create_alias(parent=portal_column, update_slug=f"{article.slug}-jyj")
    yunyan = profile("yunyan", site_host)
    unrelated = (ArticlePage.objects.descendant_of(yunyan.site.root_page).live()
                 .filter(alias_of__isnull=True).exclude(pk=article.pk).first())

    showing = [
        (site_host("jyj"), article.relative_url(jyj.site)),
        (site_host("jyj"), column.relative_url(jyj.site)),
        (site_host("jyj"), "/"),
        (site_host("portal"), alias.relative_url(portal.site)),
        (site_host("portal"), portal_column.relative_url(portal.site)),
        (site_host("portal"), "/"),
    ]
    # Pages that do not show the item (the yunyan home may list an alias of it: leave it out).
    others = [(site_host("yunyan"), unrelated.relative_url(yunyan.site)),
              (site_host("fgw"), "/")]
    for host, path in showing + others:
        assert get(public, host, path).status_code == 200, path
        assert get(public, host, path)["X-Cache"] == "HIT", path

    editor = Client()
    editor.force_login(get_user_model().objects.get(username="admin"))
    new_title = "市教育局召开全市中小学秋季开学工作部署会（更新）"
    with _admin():
        publish_title_through_admin(editor, article, new_title)
    published_at = time.monotonic()

    for host, path in showing:
        response = get(public, host, path)
        assert new_title in response.content.decode(), (host, path)
    assert time.monotonic() - published_at < 2
    for host, path in others:
        assert get(public, host, path)["X-Cache"] == "HIT", path


def _admin():
    from django.test import override_settings

    return override_settings(GOVWEB_ROLE="admin", ROOT_URLCONF="govweb.urls.admin")


def test_unpublishing_removes_the_item_from_listings_and_its_page(client, site_host):
    jyj = profile("jyj", site_host)
    article = first_article(jyj)
    column = article.get_parent()
    host = site_host("jyj")
    path = article.relative_url(jyj.site)
    assert article.title in get(client, host, column.relative_url(jyj.site)).content.decode()
    assert get(client, host, path).status_code == 200
    article.unpublish()
    assert get(client, host, path).status_code == 404
    assert article.title not in get(client, host, column.relative_url(jyj.site)).content.decode()
    assert article.title not in get(client, host, "/").content.decode()


def test_new_column_appears_in_the_navigation_of_every_page_of_the_site(client, site_host):
    jyj = profile("jyj", site_host)
    article = first_article(jyj)
    host = site_host("jyj")
    path = article.relative_url(jyj.site)
    assert get(client, host, path).status_code == 200
    column = jyj.site.root_page.add_child(instance=ColumnPage(
        title="教育督导", slug="jiaoyu-dudao", kind="news", show_in_menus=True))
    column.add_child(instance=ArticlePage(title="市教育局开展春季学期责任督学挂牌督导", slug="dudao-1"))
    assert "教育督导" in get(client, host, path).content.decode()


@pytest.mark.parametrize("query", ["?page=abc", "?page=999999", "?page=-1", "?year=abcd&topic=%00",
                                   "?x=" + "a" * 5000, "?" + "&".join(f"k{i}=v" for i in range(50))])
def test_bad_query_strings_never_give_a_server_error(client, site_host, query):
    jyj = profile("jyj", site_host)
    column = first_article(jyj).get_parent()
    response = get(client, site_host("jyj"), column.relative_url(jyj.site) + query)
    assert response.status_code in (200, 404)
    assert "本栏目" in response.content.decode() or response.status_code == 404 or "<li>" in response.content.decode()


def test_unknown_paths_are_404_and_not_cached_as_pages(client, site_host):
    host = site_host("portal")
    for path in ["/no/such/page/", "/en/no-such/", "/" + "x" * 1500 + "/"]:
        response = get(client, host, path)
        assert response.status_code == 404
        assert "页面不存在" in response.content.decode() or "not" in response.content.decode()


def test_every_page_of_the_tree_is_cacheable(client, site_host):
    prof = profile("portal", site_host)
    pages = Page.objects.descendant_of(prof.site.root_page, inclusive=True).live().specific()[:15]
    for page in pages:
        path = page.relative_url(prof.site)
        get(client, site_host("portal"), path)
        assert get(client, site_host("portal"), path)["X-Cache"] == "HIT", path
