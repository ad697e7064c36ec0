"""推送: an item published once shows on other sites' columns and follows its source."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from wagtail.models import Page

from govweb.library.models import ArticlePage
from govweb.reprint.actions import do_push_page, do_withdraw_push
from govweb.reprint.models import PushRecord
from govweb.reprint.queries import push_target_columns

from .conftest import ADMIN_HOST, column, own_article, path_on_site, profile, public_get, user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("admin_role")]


def admin_post(client, url, data):
    return client.post(url, data, HTTP_HOST=ADMIN_HOST)


def test_pushed_item_shows_on_three_sites_and_follows_its_source(client, as_user):
    jyj, portal, yunyan = profile("jyj"), profile("portal"), profile("yunyan")
    news = column(jyj)
    # 1. Publish an item on 市教育局 through the admin.
    as_user("admin")
    response = admin_post(client, f"/admin/pages/add/library/articlepage/{news.pk}/", {
        "title": "市教育局部署2025年春季学期开学工作", "slug": "spring-term-2025",
        "pub_date": "2025-02-10 09:30", "body-count": "0", "action-publish": "publish",
    })
    assert response.status_code == 302, response.content.decode()[:1500]
    item = ArticlePage.objects.get(slug="spring-term-2025")
    assert item.live

    # 2. Its editor pushes it to the portal and 云岩区.
    as_user("jyj_editor")
    targets = [column(portal), column(yunyan)]
    response = admin_post(client, reverse("reprint:push", args=[item.pk]),
                          {"columns": [c.pk for c in targets]})
    assert response.status_code == 302
    records = list(PushRecord.objects.filter(source_page=item).order_by("target_site_id"))
    assert [r.target_site for r in records] == [portal, yunyan]

    pages = [(jyj, item)] + [(r.target_site, r.alias_page) for r in records]
    for site, page in pages:
        response = public_get(client, site, path_on_site(page, site))
        assert response.status_code == 200, site
        assert "市教育局部署2025年春季学期开学工作" in response.content.decode()
        # …and in the column listing of each site.
        listing = public_get(client, site, path_on_site(page.get_parent(), site))
        assert "市教育局部署2025年春季学期开学工作" in listing.content.decode()

    # 3. Editing and republishing the source updates all three.
    as_user("admin")
    response = admin_post(client, f"/admin/pages/{item.pk}/edit/", {
        "title": "市教育局部署2025年春季学期开学和安全工作", "slug": "spring-term-2025",
        "pub_date": "2025-02-10 09:30", "body-count": "0", "action-publish": "publish",
    })
    assert response.status_code == 302, response.content.decode()[:1500]
    for site, page in pages:
        html = public_get(client, site, path_on_site(page, site)).content.decode()
        assert "市教育局部署2025年春季学期开学和安全工作" in html, site

    # 4. Unpublishing the source removes it from all three.
    response = admin_post(client, f"/admin/pages/{item.pk}/unpublish/", {})
    assert response.status_code == 302
    for site, page in pages:
        assert public_get(client, site, path_on_site(page, site)).status_code == 404, site
        listing = public_get(client, site, path_on_site(page.get_parent(), site))
        assert "开学和安全工作" not in listing.content.decode()


def test_push_records_source_target_and_times(as_user):
    jyj, portal = profile("jyj"), profile("portal")
    item = own_article(jyj)
    record = do_push_page(item, column(portal, "notice"), user=user("jyj_editor"))
    assert record.source_site == jyj and record.target_site == portal
    assert record.target_column.pk == column(portal, "notice").pk
    assert record.source_published_at == item.first_published_at
    assert record.appeared_at is not None and record.pushed_by.username == "jyj_editor"
    alias = Page.objects.get(pk=record.alias_page_id)
    assert alias.alias_of_id == item.pk and alias.live


def test_a_district_editor_reaches_the_portal_but_not_other_districts():
    yunyan = profile("yunyan")
    offered = {site.site.root_page.slug for site, _columns in
               push_target_columns(user("yunyan_editor"), own_article(yunyan))}
    assert "portal" in offered
    assert "nanming" not in offered and "jyj" not in offered and "yunyan" not in offered
    # A municipal department reaches every other site.
    jyj_offered = {site.site.root_page.slug for site, _columns in
                   push_target_columns(user("jyj_editor"), own_article(profile("jyj")))}
    assert {"portal", "yunyan", "nanming"} <= jyj_offered and "jyj" not in jyj_offered


def test_editor_of_another_site_gets_403_and_nothing_is_pushed(client, as_user):
    item = own_article(profile("jyj"))
    as_user("yunyan_editor")
    url = reverse("reprint:push", args=[item.pk])
    assert client.get(url, HTTP_HOST=ADMIN_HOST).status_code == 403
    response = admin_post(client, url, {"columns": [column(profile("portal")).pk]})
    assert response.status_code == 403
    assert not PushRecord.objects.filter(source_page=item, pushed_by__username="yunyan_editor")
    with pytest.raises(PermissionDenied):
        do_push_page(item, column(profile("portal")), user=user("yunyan_editor"))


def test_a_column_not_offered_is_refused_with_the_field_named(client, as_user):
    item = own_article(profile("yunyan"))
    as_user("yunyan_editor")
    before = PushRecord.objects.count()
    response = admin_post(client, reverse("reprint:push", args=[item.pk]),
                          {"columns": [column(profile("nanming")).pk]})
    assert response.status_code == 200
    assert "目标栏目" in response.content.decode()
    assert PushRecord.objects.count() == before
    with pytest.raises(PermissionDenied):
        do_push_page(item, column(profile("nanming")), user=user("yunyan_editor"))


def test_no_second_push_into_the_same_column_and_no_draft_push():
    item = own_article(profile("jyj"))
    target = column(profile("nanming"))
    do_push_page(item, target, user=user("jyj_editor"))
    with pytest.raises(ValidationError, match="已推送"):
        do_push_page(item, target, user=user("jyj_editor"))
    draft = own_article(profile("rsj"))
    draft.unpublish()
    with pytest.raises(ValidationError, match="已发布"):
        do_push_page(draft, column(profile("portal")), user=user("admin"))
    with pytest.raises(ValidationError, match="本网站"):
        do_push_page(item, column(profile("jyj"), "notice"), user=user("admin"))


def test_pushing_an_alias_pushes_its_original():
    item = own_article(profile("jyj"))
    first = do_push_page(item, column(profile("portal")), user=user("admin"))
    second = do_push_page(first.alias_page, column(profile("nanming")), user=user("admin"))
    assert second.source_page_id == item.pk
    assert Page.objects.get(pk=second.alias_page_id).alias_of_id == item.pk


def test_withdrawing_takes_the_copy_off_the_target_only(client, as_user):
    jyj, yunyan = profile("jyj"), profile("yunyan")
    item = own_article(jyj)
    record = do_push_page(item, column(yunyan, "notice"), user=user("jyj_editor"))
    alias_path = path_on_site(record.alias_page, yunyan)
    assert public_get(client, yunyan, alias_path).status_code == 200
    with pytest.raises(PermissionDenied):
        do_withdraw_push(record, user=user("nanming_editor"))
    as_user("yunyan_editor")  # the receiving site may refuse the push
    response = admin_post(client, reverse("reprint:withdraw", args=[record.pk]), {})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.withdrawn_at is not None and record.withdrawn_by.username == "yunyan_editor"
    assert public_get(client, yunyan, alias_path).status_code == 404
    assert public_get(client, jyj, path_on_site(item, jyj)).status_code == 200


def test_the_push_action_is_offered_on_the_item_in_the_admin(client, as_user):
    item = own_article(profile("jyj"))
    as_user("jyj_editor")
    html = client.get(f"/admin/pages/{item.pk}/edit/", HTTP_HOST=ADMIN_HOST).content.decode()
    assert reverse("reprint:push", args=[item.pk]) in html
    assert "推送到其他网站" in html
    listing = client.get(f"/admin/pages/{item.get_parent().pk}/", HTTP_HOST=ADMIN_HOST)
    assert reverse("reprint:push", args=[item.pk]) in listing.content.decode()
    form = client.get(reverse("reprint:push", args=[item.pk]), HTTP_HOST=ADMIN_HOST)
    assert form.status_code == 200 and "云岩区人民政府" in form.content.decode()


def test_push_records_page_lists_what_concerns_the_editor(client, as_user):
    jyj_item = own_article(profile("jyj"))
    do_push_page(jyj_item, column(profile("nanming")), user=user("jyj_editor"))
    as_user("nanming_editor")
    html = client.get(reverse("reprint:pushes"), HTTP_HOST=ADMIN_HOST).content.decode()
    assert jyj_item.title in html
    as_user("rsj_editor")
    html = client.get(reverse("reprint:pushes"), HTTP_HOST=ADMIN_HOST).content.decode()
    assert jyj_item.title not in html


def test_only_the_portal_sees_the_directive_button(client, as_user):
    portal_item = own_article(profile("portal"))
    issue_url = reverse("reprint:issue", args=[portal_item.pk])
    as_user("portal_editor")
    html = client.get(f"/admin/pages/{portal_item.pk}/edit/", HTTP_HOST=ADMIN_HOST)
    assert issue_url in html.content.decode()
    as_user("jyj_editor")
    jyj_item = own_article(profile("jyj"))
    html = client.get(f"/admin/pages/{jyj_item.pk}/edit/", HTTP_HOST=ADMIN_HOST)
    assert reverse("reprint:issue", args=[jyj_item.pk]) not in html.content.decode()
    assert client.get(reverse("reprint:issue", args=[jyj_item.pk]),
                      HTTP_HOST=ADMIN_HOST).status_code == 403


def test_a_policy_document_with_attachments_is_pushed_with_its_metadata(client):
    from govweb.library.models import PolicyDocumentPage

    jyj, yunyan = profile("jyj"), profile("yunyan")
    policy = (PolicyDocumentPage.objects.descendant_of(jyj.site.root_page).live()
              .filter(alias_of__isnull=True).order_by("path").first())
    record = do_push_page(policy, column(yunyan, "policy"), user=user("jyj_editor"))
    alias = PolicyDocumentPage.objects.get(pk=record.alias_page_id)
    assert alias.index_number == policy.index_number != ""
    assert alias.document_number == policy.document_number
    html = public_get(client, yunyan, path_on_site(alias, yunyan)).content.decode()
    assert policy.title in html and policy.index_number in html
