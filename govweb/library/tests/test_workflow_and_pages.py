"""Workflow, columns, disclosure sections and attachments as users meet them."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from wagtail.documents.models import Document
from wagtail.models import Page

from govweb.cluster.models import SiteProfile
from govweb.library.models import ColumnPage, PolicyDocumentPage

pytestmark = pytest.mark.django_db
ADMIN_HOST = "127.0.0.1:8001"


def user(name):
    return get_user_model().objects.get(username=name)


def test_every_site_has_the_review_and_signoff_workflow():
    for profile in SiteProfile.objects.all():
        workflow = profile.site.root_page.get_workflow()
        assert [t.name for t in workflow.tasks.all()] == [f"{profile.organisation} 审核",
                                                          f"{profile.organisation} 签发"]


def test_submitted_page_is_reviewed_then_signed_off(client, admin_role):
    yunyan = SiteProfile.objects.get(domain="www.yunyan.gov.cn")
    column = ColumnPage.objects.child_of(yunyan.site.root_page).get(slug="tzgg")
    client.force_login(user("yunyan_editor"))
    client.post(f"/admin/pages/add/library/articlepage/{column.pk}/", {
        "title": "云岩区关于开展冬季供水设施检查的通知", "slug": "water-check",
        "pub_date": "2026-11-24 09:30", "body-count": "0", "action-submit": "1",
    }, HTTP_HOST=ADMIN_HOST)
    page = Page.objects.get(slug="water-check")
    state = page.current_workflow_state
    assert state.current_task_state.task.name.endswith("审核")
    # The reviewer approves (审核), then signs off (签发 — the demo reviewer is also a signer).
    client.force_login(user("yunyan_reviewer"))
    for _step in range(2):
        task_state = page.current_workflow_state.current_task_state
        response = client.post(
            f"/admin/pages/workflow/action/{page.pk}/approve/{task_state.pk}/",
            {"comment": "同意"}, HTTP_HOST=ADMIN_HOST)
        assert response.status_code in (200, 302)
        page.refresh_from_db()
    assert page.live


def test_demo_sites_have_disclosure_sections_and_a_special_topic(client, site_host):
    for key in ("portal", "yunyan", "jyj"):
        host = site_host(key)
        for path in ("/xxgk/", "/xxgk/gkxx/", "/xxgk/jgzn/", "/xxgk/fzrxx/", "/xxgk/gkzn/",
                     "/xxgk/gkml/", "/xxgk/gknb/", "/zt/"):
            assert client.get(path, HTTP_HOST=host).status_code == 200, (key, path)
    html = client.get("/zt/", HTTP_HOST=site_host("jyj")).content.decode()
    assert "专题时间" in html and 'name="ColumnType" content="专题专栏"' in html
    assert "简历" in client.get("/xxgk/fzrxx/", HTTP_HOST=site_host("portal")).content.decode()


def test_catalogue_filters_by_topic(client, site_host):
    jyj = SiteProfile.objects.get(domain="jyj.guiyang.gov.cn")
    policies = PolicyDocumentPage.objects.descendant_of(jyj.site.root_page).live()
    education = policies.filter(topic__code="1002").first()
    other = policies.exclude(topic__code__startswith="10").first()
    html = client.get("/xxgk/gkml/?topic=10", HTTP_HOST=site_host("jyj")).content.decode()
    assert education.title in html and other.title not in html
    assert education.index_number in html
    # Malformed filters are ignored, not errors.
    assert client.get("/xxgk/gkml/?topic=x&year=abc", HTTP_HOST=site_host("jyj")).status_code == 200


def test_site_editor_cannot_edit_the_taxonomy(client, admin_role):
    client.force_login(user("jyj_editor"))
    assert client.get("/admin/topics/", HTTP_HOST=ADMIN_HOST).status_code in (302, 403)
    assert client.post("/admin/topics/new/", {"code": "9999", "name": "自定义分类"},
                       HTTP_HOST=ADMIN_HOST).status_code in (302, 403)
    client.force_login(user("admin"))
    assert client.get("/admin/topics/", HTTP_HOST=ADMIN_HOST).status_code == 200


@override_settings(WAGTAILDOCS_MAX_UPLOAD_SIZE=1024)
def test_forbidden_or_oversized_attachments_are_refused(client, admin_role):
    client.force_login(user("admin"))
    before = Document.objects.count()
    for name, content in [
        ("tool.exe", b"MZ\x90\x00"),
        ("big.pdf", b"%PDF-1.4 " + b"0" * 4096),
    ]:
        response = client.post("/admin/documents/multiple/add/", {
            "files[]": SimpleUploadedFile(name, content)}, HTTP_HOST=ADMIN_HOST)
        body = response.content.decode()
        assert response.status_code == 200 and '"success": false' in body, body[:500]
    assert Document.objects.count() == before
