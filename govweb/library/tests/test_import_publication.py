"""Imported items are published pages like any other: same rows, revision, log, editable."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from wagtail.models import Page, PageLogEntry, ReferenceIndex
from wagtail.test.utils.form_data import (
    nested_form_data,
    querydict_from_html,
    rich_text,
    streamfield,
)

from govweb.library.importing import import_text
from govweb.library.models import ColumnPage, ExternalItem, LibraryItemPage, PolicyDocumentPage
from govweb.library.tests.test_import import NOW, policy_record, record

pytestmark = pytest.mark.django_db
ADMIN_HOST = "127.0.0.1:8001"
# Pointers that save_revision() fills in after serialising the content.
REVISION_POINTERS = {"latest_revision", "live_revision", "latest_revision_created_at"}


def jsonl(*rows):
    return "\n".join(json.dumps(row, ensure_ascii=False) for row in rows)


def imported(external_id):
    return Page.objects.get(pk=ExternalItem.objects.get(external_id=external_id).page_id).specific


def test_imported_pages_are_stored_as_an_editors_publication():
    result = import_text(jsonl(record(1), policy_record(2)), "jsonl", now=NOW)
    assert (result.created, result.failed) == (2, 0)
    for external_id in ("JYJ-00001", "JYJ-00002"):
        page = imported(external_id)
        assert page.live and not page.has_unpublished_changes
        revision = page.latest_revision
        assert revision is not None and page.live_revision_id == revision.pk
        assert page.latest_revision_created_at == revision.created_at == NOW
        assert page.last_published_at == NOW and page.first_published_at == page.pub_date
        # The revision holds exactly what Wagtail would have serialised for this page (the
        # body is a JSON string inside it: compared as data, PostgreSQL reorders its keys).
        stored = {k: v for k, v in revision.content.items() if k not in REVISION_POINTERS}
        expected = json.loads(json.dumps(page.serializable_data(), cls=revision._meta.get_field("content").encoder))
        expected = {k: v for k, v in expected.items() if k not in REVISION_POINTERS}
        assert json.loads(stored.pop("body")) == json.loads(expected.pop("body"))
        assert stored == expected
        assert revision.as_object().title == page.title
        assert PageLogEntry.objects.filter(page=page, action="wagtail.publish", revision=revision).exists()
    assert imported("JYJ-00001").get_parent().url_path == "/jyj/tzgg/"
    policy = imported("JYJ-00002")
    assert policy.index_number and policy.latest_revision.content["index_number"] == policy.index_number
    # The tree is one treebeard accepts: no gaps, counts and depths right.
    assert all(not problems for problems in Page.find_problems())


def test_imported_policy_can_be_edited_and_republished_in_the_admin(client, admin_role, site_host):
    import_text(jsonl(policy_record(3)), "jsonl", now=NOW)
    page = imported("JYJ-00003")
    number = page.index_number
    client.force_login(get_user_model().objects.get(username="admin"))
    edit_url = f"/admin/pages/{page.pk}/edit/"
    form = client.get(edit_url, HTTP_HOST=ADMIN_HOST)
    assert form.status_code == 200
    data = querydict_from_html(form.content.decode(), form_id="page-edit-form")
    assert data["title"] == page.title and data["issuing_body"] == "贵阳市教育局"
    data["title"] = "贵阳市教育局关于做好中小学教师培训工作的通知（修订）"
    paragraphs = [("paragraph", rich_text(block.value.source)) for block in page.body]
    data.update(nested_form_data({"body": streamfield(paragraphs)}))
    data["action-publish"] = "action-publish"
    response = client.post(edit_url, data, HTTP_HOST=ADMIN_HOST)
    assert response.status_code == 302, response.content.decode()[:2000]

    page = PolicyDocumentPage.objects.get(pk=page.pk)
    assert page.title.endswith("（修订）") and page.live and not page.has_unpublished_changes
    assert page.index_number == number
    assert page.revisions.count() == 2 and page.live_revision_id == page.latest_revision_id
    with override_settings(GOVWEB_ROLE="public", ROOT_URLCONF="govweb.urls.public"):
        response = client.get(page.url_path.replace("/jyj/", "/", 1), HTTP_HOST=site_host("jyj"))
    html = response.content.decode()
    assert response.status_code == 200 and "（修订）" in html and number in html


def test_a_changed_record_publishes_a_new_revision_and_its_aliases_follow(site_host, client):
    import_text(jsonl(record(4)), "jsonl", now=NOW)
    page = imported("JYJ-00004")
    portal_column = ColumnPage.objects.get(url_path="/portal/tzgg/")
    alias = page.create_alias(parent=portal_column, update_slug="jyj-4")
    changed = record(4, title="贵阳市教育局关于第4批中小学教师培训的补充通知")
    assert import_text(jsonl(changed), "jsonl", now=NOW).updated == 1
    page = imported("JYJ-00004")
    assert page.title == changed["title"] and page.revisions.count() == 2
    assert page.live_revision_id == page.latest_revision_id and not page.has_unpublished_changes
    assert page.latest_revision.content["title"] == changed["title"]
    assert Page.objects.get(pk=alias.pk).title == changed["title"]
    response = client.get("/tzgg/jyj-4/", HTTP_HOST=site_host("portal"))
    assert response.status_code == 200 and "补充通知" in response.content.decode()


def test_an_import_refreshes_the_cached_listing_and_runs_wagtail_indexing(client, site_host):
    assert client.get("/tzgg/", HTTP_HOST=site_host("jyj"))["X-Cache"] == "MISS"
    assert client.get("/tzgg/", HTTP_HOST=site_host("jyj"))["X-Cache"] == "HIT"
    import_text(jsonl(record(5, title="贵阳市教育局关于开展校园食品安全检查的通知")), "jsonl", now=NOW)
    listing = client.get("/tzgg/", HTTP_HOST=site_host("jyj"))
    assert listing["X-Cache"] == "MISS" and "校园食品安全检查" in listing.content.decode()
    page = imported("JYJ-00005")
    # The queued task ran (immediate backend in tests): the page is in Wagtail's reference
    # index (its column) and the admin's search finds it.
    assert ReferenceIndex.get_references_for_object(page).filter(model_path="column").exists()
    assert page.pk in [p.pk for p in LibraryItemPage.objects.search("校园食品安全检查")]


def test_an_interpretation_imported_with_its_policy_is_linked_both_ways(client, site_host):
    interpretation = record(7, type="interpretation", column="zcwj", policy_external_id="JYJ-00006",
                            kind="graphic", title="图解：贵阳市教育局教师培训管理办法")
    orphan = record(8, type="interpretation", column="zcwj", policy_external_id="JYJ-99999",
                    title="解读：不存在的文件")
    result = import_text(jsonl(interpretation, policy_record(6), orphan), "jsonl", now=NOW)
    assert (result.created, [(e.line, e.field) for e in result.errors]) == (2, [(3, "policy_external_id")])
    policy, reading = imported("JYJ-00006"), imported("JYJ-00007")
    assert reading.policy_id == policy.pk and reading.latest_revision.content["policy"] == policy.pk
    html = client.get(policy.url_path.replace("/jyj/", "/", 1), HTTP_HOST=site_host("jyj")).content.decode()
    assert "图解：贵阳市教育局教师培训管理办法" in html
    # Wagtail's reference index knows the link (a change to the policy purges the reading).
    assert ReferenceIndex.get_references_to(policy).filter(object_id=str(reading.pk)).exists()


def test_an_import_asks_the_nginx_fronts_to_refetch_the_listings(monkeypatch, site_host):
    from govweb.base import purge

    monkeypatch.setenv("GOVWEB_PURGE_URLS", "http://10.0.0.5:8080")
    refreshed = []
    monkeypatch.setattr(purge, "refresh_front_caches", refreshed.extend)
    import_text(jsonl(record(9)), "jsonl", now=NOW)
    root = f"http://{site_host('jyj')}"
    assert f"{root}/" in refreshed and f"{root}/tzgg/" in refreshed
