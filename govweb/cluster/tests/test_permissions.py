"""Per-site editorial isolation, checked by HTTP requests to the admin back end."""

import pytest
from django.contrib.auth import get_user_model
from wagtail.documents.models import Document
from wagtail.models import Page

from govweb.cluster.models import SiteProfile
from govweb.library.models import ArticlePage, ColumnPage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("admin_role")]
ADMIN_HOST = "127.0.0.1:8001"


@pytest.fixture
def yunyan():
    return SiteProfile.objects.get(domain="www.yunyan.gov.cn")


@pytest.fixture
def jyj():
    return SiteProfile.objects.get(domain="jyj.guiyang.gov.cn")


@pytest.fixture
def yunyan_editor(client):
    user = get_user_model().objects.get(username="yunyan_editor")
    client.force_login(user)
    return user


def news_column(profile):
    return ColumnPage.objects.child_of(profile.site.root_page).filter(kind="news").first()


def test_yunyan_editor_creates_in_yunyan_and_submits_for_review(client, yunyan, yunyan_editor):
    # Editors go through the site's 审核 → 签发 workflow (library issue): they submit, and
    # may not publish directly.
    column = news_column(yunyan)
    url = f"/admin/pages/add/library/articlepage/{column.pk}/"
    assert client.get(url, HTTP_HOST=ADMIN_HOST).status_code == 200
    form = {
        "title": "云岩区开展冬季消防安全专项检查",
        "slug": "winter-fire-check",
        "pub_date": "2026-11-24 09:30",
        "body-count": "0",
    }
    response = client.post(url, {**form, "action-submit": "submit"}, HTTP_HOST=ADMIN_HOST)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = ArticlePage.objects.get(slug="winter-fire-check")
    assert page.get_parent().pk == column.pk and not page.live
    assert page.workflow_in_progress
    refused = client.post(url, {**form, "slug": "winter-fire-check-2", "action-publish": "publish"},
                          HTTP_HOST=ADMIN_HOST)
    assert refused.status_code == 403
    assert not ArticlePage.objects.filter(slug="winter-fire-check-2").exists()


def test_yunyan_editor_gets_403_on_another_sites_page(client, jyj, yunyan_editor):
    target = ArticlePage.objects.descendant_of(jyj.site.root_page).first()
    assert client.get(f"/admin/pages/{target.pk}/edit/", HTTP_HOST=ADMIN_HOST).status_code == 403
    response = client.post(f"/admin/pages/{target.pk}/edit/", {"title": "篡改"}, HTTP_HOST=ADMIN_HOST)
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.title != "篡改"
    column = news_column(jyj)
    add_url = f"/admin/pages/add/library/articlepage/{column.pk}/"
    assert client.get(add_url, HTTP_HOST=ADMIN_HOST).status_code == 403
    assert client.post(f"/admin/pages/{target.pk}/unpublish/", HTTP_HOST=ADMIN_HOST).status_code == 403
    assert Page.objects.get(pk=target.pk).live


def test_yunyan_editor_gets_403_on_another_sites_documents(client, jyj, yunyan, yunyan_editor):
    from django.core.files.base import ContentFile

    document = Document.objects.create(
        title="市教育局内部文件", collection=jyj.collection,
        file=ContentFile(b"%PDF-1.4 demo", name="jyj.pdf"),
    )
    assert client.get(f"/admin/documents/edit/{document.pk}/", HTTP_HOST=ADMIN_HOST).status_code == 403
    assert client.post(f"/admin/documents/delete/{document.pk}/", HTTP_HOST=ADMIN_HOST).status_code == 403
    assert Document.objects.filter(pk=document.pk).exists()
    own = Document.objects.create(
        title="云岩区文件", collection=yunyan.collection,
        file=ContentFile(b"%PDF-1.4 demo", name="yy.pdf"),
    )
    assert client.get(f"/admin/documents/edit/{own.pk}/", HTTP_HOST=ADMIN_HOST).status_code == 200


def test_cluster_admin_sees_every_site(client, jyj, yunyan):
    client.force_login(get_user_model().objects.get(username="admin"))
    for profile in (jyj, yunyan):
        page = ArticlePage.objects.descendant_of(profile.site.root_page).first()
        assert client.get(f"/admin/pages/{page.pk}/edit/", HTTP_HOST=ADMIN_HOST).status_code == 200


def test_admin_refuses_a_public_site_domain_as_host(client, yunyan_editor, site_host):
    assert client.get("/admin/", HTTP_HOST=ADMIN_HOST).status_code == 200
    assert client.get("/admin/", HTTP_HOST="www.yunyan.gov.cn").status_code == 404
    assert client.get("/admin/", HTTP_HOST=site_host("yunyan")).status_code == 404


def test_login_locks_out_after_repeated_failures(client):
    user = get_user_model().objects.get(username="jyj_editor")
    user.set_password("correct-horse-battery")
    user.save()
    for _ in range(5):
        client.post("/admin/login/", {"username": "jyj_editor", "password": "wrong"},
                    HTTP_HOST=ADMIN_HOST)
    response = client.post("/admin/login/", {"username": "jyj_editor",
                                             "password": "correct-horse-battery"},
                           HTTP_HOST=ADMIN_HOST)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
