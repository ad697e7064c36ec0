"""The page cache: pages from cache, purged on every site when an editor publishes, 304s."""

import time
from urllib.parse import unquote

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

from govweb.base import pagecache
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


def _headers(response):
    return {name.lower(): value for name, value in response.items() if name.lower() != "x-cache"}


def test_a_cached_answer_carries_exactly_the_headers_of_the_rendered_page(client, site_host):
    host = site_host("jyj")
    miss, hit = get(client, host, "/"), get(client, host, "/")
    assert (miss["X-Cache"], hit["X-Cache"]) == ("MISS", "HIT")
    assert _headers(hit) == _headers(miss)
    for name in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
                 "Referrer-Policy", "Cross-Origin-Opener-Policy", "Content-Language"):
        assert hit.has_header(name), name
    assert int(hit["Content-Length"]) == len(hit.content) == len(miss.content)


def test_behind_tls_a_cached_answer_has_hsts_like_the_rendered_page(client, site_host, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    host = site_host("portal")
    miss = get(client, host, "/", HTTP_X_FORWARDED_PROTO="https")
    hit = get(client, host, "/", HTTP_X_FORWARDED_PROTO="https")
    assert hit["X-Cache"] == "HIT"
    assert hit["Strict-Transport-Security"].startswith("max-age=31536000")
    assert _headers(hit) == _headers(miss)


def test_a_head_request_from_cache_has_no_body_but_the_full_length(client, site_host):
    host = site_host("portal")
    page = get(client, host, "/")
    head = client.head("/", HTTP_HOST=host)
    assert head["X-Cache"] == "HIT" and head.content == b""
    assert head["Content-Length"] == str(len(page.content))


def test_nginx_may_keep_a_page_one_second_while_browsers_always_revalidate(client, site_host, monkeypatch):
    host = site_host("portal")
    control = get(client, host, "/")["Cache-Control"]
    assert control == "public, max-age=0, s-maxage=1"
    pagecache.clear()
    monkeypatch.setenv("GOVWEB_EDGE_STALE_SECONDS", "1")
    assert get(client, host, "/")["Cache-Control"] == "public, max-age=0, s-maxage=1, stale-while-revalidate=1"
    assert get(client, host, "/")["X-Cache"] == "HIT"
    assert "stale-while-revalidate=1" in get(client, host, "/")["Cache-Control"]


def test_the_edge_never_has_a_page_confirmed_that_another_process_purged(client, site_host, monkeypatch):
    """nginx revalidates with If-None-Match; the answer must reflect a publish made by another
    process (the admin) even before this process's L1 would look at the purge clock again."""
    monkeypatch.setattr(pagecache, "L1_SECONDS", 3600)
    jyj = profile("jyj", site_host)
    host = site_host("jyj")
    article = first_article(jyj)
    path = article.relative_url(jyj.site)
    first = get(client, host, path)
    assert get(client, host, path)["X-Cache"] == "HIT"
    # The admin process publishes a new title: the database and the shared cache change,
    # this process's L1 is untouched.
    Page.objects.filter(pk=article.pk).update(title="市教育局发布秋季开学安全提示（修订）")
    shared = pagecache.store()
    shared.set(pagecache.GEN + f"p:{article.path}", "published-elsewhere", None)
    shared.set(pagecache.CLOCK, "published-elsewhere", None)

    assert get(client, host, path)["X-Cache"] == "HIT"  # a browser: L1 until its next clock read
    revalidation = get(client, host, path, HTTP_IF_NONE_MATCH=first["ETag"], HTTP_X_GOVWEB_EDGE="1")
    assert revalidation.status_code == 200
    assert "秋季开学安全提示（修订）" in revalidation.content.decode()


def test_a_hit_is_counted_for_its_page_in_the_access_log(client, site_host, monkeypatch):
    from govweb.analytics import logwriter

    records = []
    monkeypatch.setattr(logwriter, "submit", records.append)
    jyj = profile("jyj", site_host)
    article = first_article(jyj)
    path = article.relative_url(jyj.site)
    get(client, site_host("jyj"), path)
    assert get(client, site_host("jyj"), path)["X-Cache"] == "HIT"
    assert [r["page"] for r in records if r["path"] == unquote(path)] == [article.pk, article.pk]


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


# --- the front door (WSGI-level answers of hits held in this process) ---------------------------

class CountingApp:
    """Django's WSGI handler, counting the requests that reached it."""

    def __init__(self):
        from django.core.handlers.wsgi import WSGIHandler

        self.django = WSGIHandler()
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.django(environ, start_response)


def wsgi_get(app, host, path, **extra):
    """One request through a WSGI application, as a server would send it (no test client)."""
    import io
    import sys

    from django.core import signals
    from django.db import close_old_connections

    raw_path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": unquote(raw_path).encode().decode("latin-1"),
        "QUERY_STRING": query, "SCRIPT_NAME": "", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": host, "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0), "wsgi.multithread": True, "wsgi.multiprocess": False,
        "wsgi.run_once": False, **extra,
    }
    started = {}

    def start_response(status, headers, exc_info=None):
        started.update(status=status, headers=headers)

    # As Django's test client does: keep the test's database connection open.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        result = app(environ, start_response)
        body = b"".join(result)
        if hasattr(result, "close"):
            result.close()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return started["status"], started["headers"], body


@pytest.fixture
def front_door(monkeypatch):
    # A fixed clock interval: the answers below must not depend on how fast the machine is.
    monkeypatch.setattr(pagecache, "L1_SECONDS", 60)
    inner = CountingApp()
    return pagecache.FrontDoor(inner), inner


def test_the_front_door_answers_a_hit_with_the_bytes_and_headers_of_the_full_stack(front_door, site_host):
    app, django = front_door
    host = site_host("jyj")
    miss = wsgi_get(app, host, "/")
    through_stack = wsgi_get(app, host, "/")
    at_the_door = wsgi_get(app, host, "/")
    assert django.calls == 2
    assert dict(miss[1])["X-Cache"] == "MISS"
    assert at_the_door == through_stack
    headers = dict(at_the_door[1])
    assert at_the_door[0] == "200 OK" and headers["X-Cache"] == "HIT"
    for name in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
                 "Referrer-Policy", "Cross-Origin-Opener-Policy"):
        assert headers[name] == dict(miss[1])[name], name


def test_the_front_door_keeps_https_and_http_answers_apart(front_door, site_host, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    django = CountingApp()  # its middlewares read the settings above
    app = pagecache.FrontDoor(django)
    host = site_host("portal")
    for _ in range(3):
        plain = wsgi_get(app, host, "/")
        secure = wsgi_get(app, host, "/", HTTP_X_FORWARDED_PROTO="https")
    # One page-cache entry (a miss, then a hit through the stack for each scheme), two answers.
    assert django.calls == 3
    assert "Strict-Transport-Security" in dict(secure[1])
    assert "Strict-Transport-Security" not in dict(plain[1])


@pytest.mark.parametrize("extra", [
    {"HTTP_COOKIE": "sessionid=abc"},
    {"HTTP_IF_NONE_MATCH": '"x"'},
    {"HTTP_X_GOVWEB_EDGE": "1"},
    {"REQUEST_METHOD": "HEAD"},
])
def test_the_front_door_leaves_sessions_conditionals_edge_and_head_to_django(front_door, site_host, extra):
    app, django = front_door
    host = site_host("portal")
    for _ in range(2):
        wsgi_get(app, host, "/")
    wsgi_get(app, host, "/")
    assert django.calls == 2
    wsgi_get(app, host, "/", **extra)
    assert django.calls == 3


def test_the_front_door_answers_per_accessibility_mode(front_door, site_host):
    app, django = front_door
    host = site_host("yunyan")
    for _ in range(3):
        plain = wsgi_get(app, host, "/")
        elder = wsgi_get(app, host, "/", HTTP_COOKIE="govweb_a11y=elder")
    assert django.calls == 4
    assert b"a11y-elder" in elder[2] and b"a11y-elder" not in plain[2].split(b"<body")[1][:120]


def test_after_a_publish_the_front_door_no_longer_answers_the_old_page(front_door, site_host):
    app, django = front_door
    jyj = profile("jyj", site_host)
    host = site_host("jyj")
    article = first_article(jyj)
    column_path = article.get_parent().relative_url(jyj.site)
    for _ in range(3):
        wsgi_get(app, host, column_path)
    assert django.calls == 2
    article.title = "市教育局部署寒假安全教育工作"
    article.save_revision().publish()
    after = wsgi_get(app, host, column_path)
    assert django.calls == 3
    assert "市教育局部署寒假安全教育工作" in after[2].decode()


def test_a_front_door_answer_is_counted_for_its_page_in_the_access_log(front_door, site_host, monkeypatch):
    from govweb.analytics import logwriter

    records = []
    monkeypatch.setattr(logwriter, "submit", records.append)
    app, django = front_door
    jyj = profile("jyj", site_host)
    column = first_article(jyj).get_parent()
    path = column.relative_url(jyj.site)
    for _ in range(3):
        status, _headers, body = wsgi_get(app, site_host("jyj"), path, REMOTE_ADDR="203.0.113.9")
    assert django.calls == 2
    logged = [r for r in records if r["path"] == path]
    assert [r["page"] for r in logged] == [column.pk] * 3
    assert logged[2]["status"] == 200 and logged[2]["bytes"] == len(body)
    assert logged[2]["visitor"] == logged[1]["visitor"]


def test_a_publish_on_the_admin_host_asks_the_nginx_fronts_to_refetch_every_page_showing_it(
        site_host, monkeypatch, django_capture_on_commit_callbacks):
    from govweb.base import purge

    monkeypatch.setenv("GOVWEB_PURGE_URLS", "http://10.0.0.5:8080")
    refreshed = []
    monkeypatch.setattr(purge, "refresh_front_caches", refreshed.extend)
    jyj, portal = profile("jyj", site_host), profile("portal", site_host)
    article = first_article(jyj)
    portal_column = ColumnPage.objects.child_of(portal.site.root_page).live().first()
    alias = article.create_alias(parent=portal_column, update_slug=f"{article.slug}-jyj")
    jyj_root, portal_root = jyj.site.root_url, portal.site.root_url
    expected = [f"{jyj_root}/", jyj_root + article.get_parent().relative_url(jyj.site),
                jyj_root + article.relative_url(jyj.site), f"{portal_root}/",
                portal_root + portal_column.relative_url(portal.site),
                portal_root + alias.relative_url(portal.site)]
    refreshed.clear()
    with _admin(), django_capture_on_commit_callbacks(execute=True):
        article.title = "市教育局召开全市教育系统安全工作会议"
        article.save_revision().publish()
    for url in expected:
        assert url in refreshed, url
