"""Every page type carries the national items; English, accessibility modes, bad input."""

import re

import pytest
from django.utils import timezone
from wagtail.models import Page

from govweb.cluster.models import SiteProfile
from govweb.library.models import ArticlePage, ColumnPage

pytestmark = pytest.mark.django_db


def profile(key, site_host):
    return SiteProfile.objects.select_related("site").get(site__hostname=site_host(key).split(":")[0])


def meta(html, name, attr="name"):
    found = re.search(rf'<meta {attr}="{name}" content="([^"]*)"', html)
    return found.group(1) if found else None


def one_page_of_each_type(prof):
    """URL paths of every live page type present on a site, plus the front's own pages."""
    paths = {"home": "/", "sitemap": "/sitemap/", "404": "/no-such-page/"}
    seen = set()
    for page in Page.objects.descendant_of(prof.site.root_page).live().public().specific().iterator():
        kind = type(page).__name__
        if kind not in seen:
            seen.add(kind)
            paths[kind] = page.relative_url(prof.site)
    return paths


@pytest.mark.parametrize("key", ["portal", "jyj"])
def test_every_page_type_shows_the_national_footer_and_meta_tags(client, site_host, key):
    prof = profile(key, site_host)
    for kind, path in one_page_of_each_type(prof).items():
        response = client.get(path, HTTP_HOST=site_host(key))
        assert response.status_code == (404 if kind == "404" else 200), (kind, path)
        html = response.content.decode()
        footer = html.split('<footer class="site-footer">')[1]
        for text in (prof.sponsor, prof.id_code, prof.icp_number, prof.police_filing_number,
                     "党政机关网站标识", "我为政府网站找错"):
            assert text in footer, (kind, text)
        assert meta(html, "SiteName") == prof.organisation, kind
        assert meta(html, "SiteDomain") == prof.domain, kind
        assert meta(html, "SiteIDCode") == prof.id_code, kind
        assert "中国·贵阳" in html.split("</header>")[0], kind
        assert 'class="skip-link" href="#main"' in html and '<main id="main"' in html, kind
        assert 'role="search"' in html and 'action="/search/"' in html, kind
        assert 'hreflang="en"' in html, kind
        if kind == "ColumnPage":
            for name in ("ColumnName", "ColumnDescription", "ColumnKeywords", "ColumnType"):
                assert meta(html, name) is not None, (kind, name)
        if kind in ("ArticlePage", "PolicyDocumentPage", "InterpretationPage"):
            for name in ("ArticleTitle", "PubDate", "ContentSource", "Keywords", "Author",
                         "Description", "Url"):
                assert meta(html, name) is not None, (kind, name)
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", meta(html, "PubDate")), kind
            assert meta(html, "og:title", "property"), kind


def test_canonical_and_open_graph_of_an_aliased_item_point_to_its_source(client, site_host):
    jyj, portal = profile("jyj", site_host), profile("portal", site_host)
    article = ArticlePage.objects.descendant_of(jyj.site.root_page).live().filter(alias_of__isnull=True).first()
    column = ColumnPage.objects.child_of(portal.site.root_page).live().first()
    alias = article.create_alias(parent=column, update_slug=f"{article.slug}-alias")
    html = client.get(alias.relative_url(portal.site), HTTP_HOST=site_host("portal")).content.decode()
    source_url = article.get_full_url()
    assert f'<link rel="canonical" href="{source_url}">' in html
    assert meta(html, "og:url", "property") == source_url
    own = client.get(article.relative_url(jyj.site), HTTP_HOST=site_host("jyj")).content.decode()
    assert f'<link rel="canonical" href="{source_url}">' in own


def test_english_interface_under_en_with_a_switch_on_every_page(client, site_host):
    jyj = profile("jyj", site_host)
    article = ArticlePage.objects.descendant_of(jyj.site.root_page).live().first()
    article_path = article.relative_url(jyj.site)
    zh = client.get("/", HTTP_HOST=site_host("portal")).content.decode()
    assert '<html lang="zh-CN">' in zh and 'href="/en/"' in zh
    response = client.get("/en/", HTTP_HOST=site_host("portal"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Welcome to" in html and "Skip to main content" in html
    assert "Guiyang Municipal People's Government" in html or "Guiyang" in html
    assert 'hreflang="zh-Hans"' in html and 'href="/"' in html
    # Links inside the English pages stay English.
    assert re.search(r'class="site-nav".*?href="/en/[^"]+/"', html, re.S)
    en_article = client.get("/en" + article_path, HTTP_HOST=site_host("jyj"))
    assert en_article.status_code == 200 and article.title in en_article.content.decode()


def test_accessibility_toolbar_works_without_javascript_and_persists(client, site_host):
    host = site_host("nanming")
    html = client.get("/", HTTP_HOST=host).content.decode()
    assert 'name="toggle" value="elder" aria-pressed="false"' in html
    response = client.get("/a11y/", {"toggle": "elder", "next": "/"}, HTTP_HOST=host)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.cookies["govweb_a11y"].value == "elder"
    assert client.cookies["govweb_a11y"]["max-age"] == 365 * 24 * 3600
    client.get("/a11y/", {"toggle": "contrast", "next": "/"}, HTTP_HOST=host)
    assert client.cookies["govweb_a11y"].value == "contrast.elder"
    html = client.get("/", HTTP_HOST=host).content.decode()
    assert re.search(r'<body class="[^"]*a11y-contrast a11y-elder', html)
    assert 'name="toggle" value="elder" aria-pressed="true"' in html
    # Links to other cluster sites carry the choice over (cookies are per site).
    assert "/a11y/?set=contrast.elder&amp;next=/" in html
    client.get("/a11y/", {"reset": "1", "next": "/"}, HTTP_HOST=host)
    assert "a11y-elder" not in client.get("/", HTTP_HOST=host).content.decode().split("<body")[1][:80]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)",
                                    "http://www-guiyang.localhost:8000/"])
def test_accessibility_toggle_never_redirects_off_site(client, site_host, target):
    response = client.get("/a11y/", {"toggle": "large", "next": target}, HTTP_HOST=site_host("jyj"))
    assert response.status_code == 302 and response["Location"] == "/"


def test_carrying_the_choice_to_another_site(client, site_host):
    response = client.get("/a11y/", {"set": "elder.large", "next": "/"}, HTTP_HOST=site_host("portal"))
    assert response.status_code == 302
    assert client.cookies["govweb_a11y"].value == "large.elder"
    bad = client.get("/a11y/", {"set": "<script>", "next": "/"}, HTTP_HOST=site_host("portal"))
    assert bad.status_code == 302 and not client.cookies["govweb_a11y"].value


def test_empty_columns_are_not_shown_in_the_navigation(client, site_host):
    prof = profile("jyj", site_host)
    prof.site.root_page.add_child(instance=ColumnPage(
        title="空白测试栏目", slug="kongbai", kind="news", show_in_menus=True))
    html = client.get("/", HTTP_HOST=site_host("jyj")).content.decode()
    assert "空白测试栏目" not in html.split("</header>")[0]
    assert "空白测试栏目" not in client.get("/sitemap/", HTTP_HOST=site_host("jyj")).content.decode()


def test_dates_are_shown_as_yyyy_mm_dd_hh_mm(client, site_host):
    prof = profile("jyj", site_host)
    column = ColumnPage.objects.child_of(prof.site.root_page).live().first()
    html = client.get(column.relative_url(prof.site), HTTP_HOST=site_host("jyj")).content.decode()
    shown = re.findall(r"<time[^>]*>([^<]+)</time>", html)
    assert shown and all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", s.strip()) for s in shown)


def test_editor_text_is_escaped_on_output(client, site_host):
    prof = profile("jyj", site_host)
    column = ColumnPage.objects.child_of(prof.site.root_page).live().first()
    column.add_child(instance=ArticlePage(
        title='通知<script>alert("x")</script>', slug="xss-check", pub_date=timezone.now(),
        source='"><img src=x onerror=alert(1)>', summary="<b>摘要</b>"))
    page = ArticlePage.objects.get(slug="xss-check")
    html = client.get(page.relative_url(prof.site), HTTP_HOST=site_host("jyj")).content.decode()
    assert "<script>alert" not in html and "onerror=alert(1)>" not in html.replace("&gt;", "")
    feed = client.get("/feeds/rss.xml", HTTP_HOST=site_host("jyj")).content.decode()
    assert "<script>" not in feed


def test_server_error_page_is_chinese_and_standalone():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "服务暂时不可用" in html and '<html lang="zh-CN">' in html
