"""The 8 key elements: an incomplete guide is never published and always shows in the report."""

import pytest
from django.urls import reverse

from govweb.cluster.models import SiteProfile
from govweb.services import queries
from govweb.services.models import IncompleteGuideError, ServiceItem, missing_key_elements

from .helpers import ADMIN_HOST, guide_post_data, user

pytestmark = pytest.mark.django_db

ADD_URL = "wagtailsnippets_services_serviceitem:add"
EDIT_URL = "wagtailsnippets_services_serviceitem:edit"


def unit(key):
    return SiteProfile.objects.get(site__root_page__slug=key)


def test_missing_elements_are_named():
    values = {"name": "x", "legal_basis": "y", "conditions": " ", "place": "", "hours": "h", "phone": "p"}
    assert missing_key_elements(values, 0, 2) == ["conditions", "materials", "place"]


def test_guide_missing_phone_and_place_cannot_be_published(client, admin_role):
    """Acceptance: published via the admin it stays a draft, and the report lists it."""
    jyj = unit("jyj")
    client.force_login(user("jyj_editor"))
    data = guide_post_data(jyj, code="11520100009425742J209901000000", phone="", place="",
                           action="publish")
    response = client.post(reverse(ADD_URL), data, HTTP_HOST=ADMIN_HOST, follow=True)
    assert response.status_code == 200
    item = ServiceItem.objects.get(code="11520100009425742J209901000000")
    assert not item.live
    assert item.missing_elements == ["place", "phone"]
    assert "未发布" in response.content.decode()

    report = client.get(reverse("services_completeness"), HTTP_HOST=ADMIN_HOST)
    html = report.content.decode()
    assert report.status_code == 200
    assert 'data-code="11520100009425742J209901000000"' in html
    assert "办理地点、咨询电话" in html


def test_completing_the_guide_lets_it_be_published(client, admin_role):
    jyj = unit("jyj")
    client.force_login(user("jyj_editor"))
    code = "11520100009425742J209902000000"
    client.post(reverse(ADD_URL), guide_post_data(jyj, code=code, phone="", action="publish"),
                HTTP_HOST=ADMIN_HOST)
    item = ServiceItem.objects.get(code=code)
    assert not item.live
    response = client.post(reverse(EDIT_URL, args=[item.pk]),
                           guide_post_data(jyj, code=code, action="publish"), HTTP_HOST=ADMIN_HOST)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.live and item.missing_elements == []


def test_guide_without_materials_or_process_cannot_be_published(client, admin_role):
    jyj = unit("jyj")
    client.force_login(user("jyj_editor"))
    code = "11520100009425742J209903000000"
    client.post(reverse(ADD_URL), guide_post_data(jyj, code=code, materials=0, steps=0, action="publish"),
                HTTP_HOST=ADMIN_HOST)
    item = ServiceItem.objects.get(code=code)
    assert not item.live and item.missing_elements == ["materials", "steps"]


def test_a_draft_removing_the_phone_of_a_live_guide_cannot_be_published(client, admin_role):
    item = ServiceItem.objects.get(name="教师资格认定")
    client.force_login(user("jyj_editor"))
    data = guide_post_data(item.department, code=item.code, name=item.name, phone="", action="publish")
    client.post(reverse(EDIT_URL, args=[item.pk]), data, HTTP_HOST=ADMIN_HOST)
    item.refresh_from_db()
    assert item.live and item.phone  # the live guide keeps its phone
    assert item.has_unpublished_changes
    rows = queries.completeness_report(units=[item.department])
    assert any(i.pk == item.pk and m == ["phone"] for i, m in rows[0]["incomplete"])


def test_no_path_publishes_an_incomplete_revision():
    item = ServiceItem.objects.get(name="临时救助申请")
    revision = item.save_revision()
    with pytest.raises(IncompleteGuideError) as error:
        revision.publish()
    assert "办理地点" in str(error.value.messages[0])
    item.refresh_from_db()
    assert not item.live


def test_report_flags_the_veto_line():
    """≥5 items each missing ≥4 key elements: the unit is marked as failing the inspection."""
    dsj = unit("dsj")
    for n in range(5):
        ServiceItem(code=f"11520100321560789E1099{n:02d}000000", name=f"未完成事项{n}",
                    department=dsj, legal_basis="依据").save()
    rows = {row["unit"].pk: row for row in queries.completeness_report()}
    assert rows[dsj.pk]["severe"] == 5 and rows[dsj.pk]["veto"]
    assert not rows[unit("rsj").pk]["veto"]


def test_demo_draft_shows_in_report_and_consistency_check():
    rows = {row["unit"].organisation: row for row in queries.completeness_report()}
    drafts = [item.name for item, _ in rows["观山湖区人民政府"]["incomplete"]]
    assert "临时救助申请" in drafts
    assert queries.consistency_check()  # the demo has one guide behind the hall
