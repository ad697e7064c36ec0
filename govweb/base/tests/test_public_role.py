"""The public front: every demo site under its own host, nothing staff-only, Chinese 404s."""

import re

import pytest

from govweb.cluster import demo_content
from govweb.cluster.models import SiteProfile

pytestmark = pytest.mark.django_db

STAFF_PATHS = [
    "/admin/", "/admin/login/", "/admin/pages/", "/admin/documents/", "/admin/images/",
    "/django-admin/", "/django-admin/login/", "/cms/", "/login/", "/accounts/login/",
    "/documents/authenticate_with_password/1/", "/admin/documents/edit/1/",
    "/admin/images/1/", "/admin/api/main/pages/",
]


def meta(html, name):
    found = re.search(rf'<meta name="{name}" content="([^"]*)"', html)
    return found.group(1) if found else None


@pytest.mark.parametrize("key", [s["key"] for s in demo_content.SITES])
def test_every_demo_site_home_answers_under_its_own_host(client, site_host, key):
    spec = demo_content.site(key)
    response = client.get("/", HTTP_HOST=site_host(key))
    assert response.status_code == 200
    html = response.content.decode()
    assert spec["name"] in html
    assert demo_content.CITY_BRAND["banner_mark"] in html
    # National footer items.
    for text in (spec["sponsor"], spec["id_code"], spec["icp"], spec["police_filing"],
                 "党政机关", "我为政府网站找错"):
        assert text in html, text
    assert meta(html, "SiteName") == spec["name"]
    assert meta(html, "SiteDomain") == spec["domain"]
    assert meta(html, "SiteIDCode") == spec["id_code"]
    # A site's home shows its own news, not another site's.
    own_titles = [item["title"] for item in spec["items"]]
    assert any(title in html for title in own_titles)
    other = demo_content.SITES[(demo_content.SITES.index(spec) + 1) % len(demo_content.SITES)]
    assert other["name"] not in html.split("区县和部门网站")[0].split("</header>")[1]


def test_plain_localhost_serves_the_portal_which_links_every_other_site(client, site_host):
    html = client.get("/", HTTP_HOST="localhost:8000").content.decode()
    assert meta(html, "SiteName") == "贵阳市人民政府"
    for spec in demo_content.SITES[1:]:
        assert f'href="http://{site_host(spec["key"])}/"' in html, spec["name"]


@pytest.mark.parametrize("path", STAFF_PATHS)
def test_staff_paths_are_404_on_the_public_role(client, site_host, path):
    response = client.get(path, HTTP_HOST=site_host("portal"))
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
    post = client.post(path, {"username": "admin", "password": "x"}, HTTP_HOST=site_host("portal"))
    assert post.status_code in (403, 404)  # CSRF refusal or not found: never a login


def test_unknown_host_gets_a_chinese_404_not_another_sites_content(client):
    response = client.get("/", HTTP_HOST="www.evil.gov.cn")
    assert response.status_code == 404
    html = response.content.decode()
    assert "不是本市政府网站群中的网站" in html
    assert "贵阳市人民政府" not in html


def test_unknown_path_is_a_chinese_404_within_the_site(client, site_host):
    response = client.get("/no-such-column/", HTTP_HOST=site_host("jyj"))
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html and "贵阳市教育局" in html


def test_column_and_article_pages_carry_national_meta_tags(client, site_host):
    profile = SiteProfile.objects.get(domain="jyj.guiyang.gov.cn")
    from govweb.library.models import ArticlePage

    article = ArticlePage.objects.descendant_of(profile.site.root_page).live().first()
    column = article.get_parent().specific
    html = client.get(column.relative_url(profile.site), HTTP_HOST=site_host("jyj")).content.decode()
    assert meta(html, "ColumnName") == column.title
    assert meta(html, "ColumnType") == column.get_kind_display()
    response = client.get(article.relative_url(profile.site), HTTP_HOST=site_host("jyj"))
    assert response.status_code == 200
    html = response.content.decode()
    assert meta(html, "ArticleTitle") == article.title
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", meta(html, "PubDate"))
    assert meta(html, "SiteIDCode") == profile.id_code


def test_security_headers_on_public_pages(client, site_host):
    response = client.get("/", HTTP_HOST=site_host("portal"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
