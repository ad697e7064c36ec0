"""English versions of pages (Wagtail locales): an editor translates a policy through the admin,
and /en/ readers get it; every other page still answers under /en/ in Chinese with the English
interface; the Chinese site is untouched."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils import timezone
from wagtail.models import Locale

from govweb.cluster.models import SiteProfile
from govweb.disclosure.models import IssuedIndexNumber
from govweb.library.models import ColumnPage, InterpretationPage, PolicyDocumentPage

pytestmark = pytest.mark.django_db
ADMIN_HOST = "127.0.0.1:8001"
ENGLISH_TITLE = "Measures of Guiyang on Safety Management in Primary and Secondary Schools"


@pytest.fixture
def jyj():
    return SiteProfile.objects.select_related("site__root_page").get(domain="jyj.guiyang.gov.cn")


def _public_path(page, profile):
    return page.url_path.replace(profile.site.root_page.url_path, "/")


def _translate(client, page):
    """The editor's "Translate" action (wagtail.contrib.simple_translation) into English."""
    english = Locale.objects.get(language_code="en")
    response = client.post(f"/admin/translation/submit/page/{page.pk}/",
                           {"locales": [english.pk]}, HTTP_HOST=ADMIN_HOST)
    assert response.status_code == 302, response.content.decode()[:2000]
    return page.get_translation(english).specific


def _english_policy_form(page):
    return {
        "title": ENGLISH_TITLE, "slug": page.slug, "issuing_body": "Guiyang Education Bureau",
        "document_number": page.document_number, "written_on": page.written_on.isoformat(),
        "pub_date": timezone.localtime(page.pub_date).strftime("%Y-%m-%d %H:%M"),
        "topic": page.topic_id, "genre": page.genre_id, "validity": "in_force",
        "is_important": "on", "body-count": "0", "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0", "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000", "action-submit": "1",
    }


@pytest.fixture
def english_policy(client, jyj):
    """An important policy of 市教育局 (with its interpretation) translated into English by the
    bureau's own editor and published through the site's 审核 → 签发 workflow, in the admin."""
    with override_settings(GOVWEB_ROLE="admin", ROOT_URLCONF="govweb.urls.admin"):
        client.force_login(get_user_model().objects.get(username="jyj_editor"))
        policy = PolicyDocumentPage.objects.descendant_of(jyj.site.root_page).filter(
            is_important=True, live=True).first()
        numbers_before = IssuedIndexNumber.objects.count()
        _translate(client, jyj.site.root_page)          # parents first, as Wagtail requires
        _translate(client, policy.get_parent())
        english = _translate(client, policy)
        assert not english.live and english.index_number == ""
        response = client.post(f"/admin/pages/{english.pk}/edit/", _english_policy_form(policy),
                               HTTP_HOST=ADMIN_HOST)
        assert response.status_code == 302, response.content.decode()[:3000]
        # The English version goes through the same workflow as the Chinese site.
        english.refresh_from_db()
        assert english.current_workflow_state.current_task_state.task.name == "贵阳市教育局 审核"
        client.force_login(get_user_model().objects.get(username="jyj_reviewer"))
        for _step in ("审核", "签发"):
            task_state = english.current_workflow_state.current_task_state
            response = client.post(f"/admin/pages/workflow/action/{english.pk}/approve/{task_state.pk}/",
                                   {"comment": "同意"}, HTTP_HOST=ADMIN_HOST)
            assert response.status_code in (200, 302)
            english.refresh_from_db()
        assert english.live and english.title == ENGLISH_TITLE
        # A translation is not a new document: no index number of its own was issued.
        assert IssuedIndexNumber.objects.count() == numbers_before
    client.logout()
    return policy, english


def test_english_readers_get_the_editors_english_version(english_policy, client, jyj, site_host):
    policy, english = english_policy
    path = _public_path(policy, jyj)

    html = client.get("/en" + path, HTTP_HOST=site_host("jyj")).content.decode()
    assert f"<h1>{ENGLISH_TITLE}</h1>" in html
    assert 'lang="en"' in html
    # The metadata table shows the Chinese document's index number.
    assert policy.index_number in html
    # The interpretation (not translated) is still listed, and its link keeps the reader in English.
    interpretation = InterpretationPage.objects.filter(policy=policy, locale=policy.locale).first()
    assert interpretation.title in html
    assert f'href="/en{_public_path(interpretation, jyj)}"' in html

    # The Chinese page is unchanged.
    html = client.get(path, HTTP_HOST=site_host("jyj")).content.decode()
    assert f"<h1>{policy.title}</h1>" in html and ENGLISH_TITLE not in html

    # The English column listing names the item by its English title, linking under /en/.
    column_path = _public_path(policy.get_parent(), jyj)
    html = client.get("/en" + column_path, HTTP_HOST=site_host("jyj")).content.decode()
    assert f'<a href="/en{path}">{ENGLISH_TITLE}</a>' in html
    html = client.get(column_path, HTTP_HOST=site_host("jyj")).content.decode()
    assert f'<a href="{path}">{policy.title}</a>' in html and ENGLISH_TITLE not in html

    # The interpretation read in English names the policy by its English title and links to it.
    html = client.get("/en" + _public_path(interpretation, jyj), HTTP_HOST=site_host("jyj")).content.decode()
    assert ENGLISH_TITLE in html and f'href="/en{path}"' in html


def test_pages_without_an_english_version_still_answer_under_en(english_policy, client, jyj, site_host):
    column = ColumnPage.objects.child_of(jyj.site.root_page).exclude(slug="zcwj").live().first()
    response = client.get("/en" + _public_path(column, jyj), HTTP_HOST=site_host("jyj"))
    assert response.status_code == 200
    html = response.content.decode()
    assert column.title in html and 'lang="en"' in html
    # Links to the site's pages stay under /en/ (the apps' own pages — 互动, 监管 — are Chinese only).
    links = re.findall(r'<a href="(/[^"]*)"', html)
    item_links = [href for href in links if href.count("/") >= 3 and not href.startswith("/static/")]
    stray = [href for href in item_links if not href.startswith(
        ("/en/", "/a11y/", "/feeds/", "/search/", "/media/", "/documents/", "/hudong/", "/jianguan/",
         "/banshi/"))]
    assert item_links and not stray


def test_english_version_does_not_appear_twice_in_chinese_listings(english_policy, client, jyj, site_host):
    policy, english = english_policy
    catalogue = client.get("/xxgk/", HTTP_HOST=site_host("jyj")).content.decode()
    assert ENGLISH_TITLE not in catalogue
    column_html = client.get(_public_path(policy.get_parent(), jyj), HTTP_HOST=site_host("jyj")).content.decode()
    assert column_html.count(f">{policy.title}<") == 1 and ENGLISH_TITLE not in column_html
    sitemap = client.get("/sitemap.xml", HTTP_HOST=site_host("jyj")).content.decode()
    assert sitemap.count(f"/en{_public_path(policy, jyj)}") <= 1


def test_publishing_the_english_version_replaces_the_cached_chinese_fallback(client, jyj, site_host):
    policy = PolicyDocumentPage.objects.descendant_of(jyj.site.root_page).filter(live=True).first()
    path = "/en" + _public_path(policy, jyj)
    # Before: /en/ serves (and caches) the Chinese page with the English interface.
    first = client.get(path, HTTP_HOST=site_host("jyj"))
    assert f"<h1>{policy.title}</h1>" in first.content.decode()
    assert client.get(path, HTTP_HOST=site_host("jyj"))["X-Cache"] == "HIT"

    english = policy.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True)
    english.title = "English title of the policy"
    english.save_revision().publish()

    html = client.get(path, HTTP_HOST=site_host("jyj")).content.decode()
    assert "<h1>English title of the policy</h1>" in html


def test_the_site_editors_may_edit_their_english_home(english_policy, jyj):
    english_home = jyj.site.root_page.get_translation(Locale.objects.get(language_code="en"))
    editor = get_user_model().objects.get(username="jyj_editor")
    other = get_user_model().objects.get(username="yunyan_editor")
    assert english_home.permissions_for_user(editor).can_edit()
    assert not english_home.permissions_for_user(other).can_edit()


def test_demo_portal_has_a_policy_in_english(client, site_host):
    html = client.get("/en/zcwj/policy-1/", HTTP_HOST=site_host("portal")).content.decode()
    assert "Further Optimising the Business Environment</h1>" in html
    chinese = client.get("/zcwj/policy-1/", HTTP_HOST=site_host("portal")).content.decode()
    assert "Business Environment" not in chinese and "营商环境" in chinese


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_a_listing_costs_the_same_queries_however_many_items_it_shows(client, jyj, site_host, prefix):
    """Links on a listing never load a field per item (a query per link would grow with it)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from govweb.base import pagecache
    from govweb.library.models import ArticlePage

    column = ColumnPage.objects.child_of(jyj.site.root_page).get(slug="tzgg")
    path = prefix + _public_path(column, jyj)

    def queries():
        pagecache.clear()
        client.get(path, HTTP_HOST=site_host("jyj"))  # warm the per-process caches
        pagecache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path, HTTP_HOST=site_host("jyj")).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for n in range(15):
        column.add_child(instance=ArticlePage(title=f"通知公告第{n}号", slug=f"notice-extra-{n}"))
    assert queries() == few
