"""Unit isolation in the admin: staff see and edit only their own unit's guides."""

import pytest
from django.urls import reverse

from govweb.services.models import FollowUpStatus, RatingFollowUp, ServiceItem

from .helpers import ADMIN_HOST, guide_post_data, user

pytestmark = pytest.mark.django_db


def test_editor_lists_only_own_units_guides(client, admin_role):
    client.force_login(user("jyj_editor"))
    response = client.get(reverse("wagtailsnippets_services_serviceitem:list"), HTTP_HOST=ADMIN_HOST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "教师资格认定" in html and "社会保障卡申领" not in html


def test_editor_cannot_open_or_change_another_units_guide(client, admin_role):
    other = ServiceItem.objects.get(name="社会保障卡申领")
    client.force_login(user("jyj_editor"))
    edit = reverse("wagtailsnippets_services_serviceitem:edit", args=[other.pk])
    assert client.get(edit, HTTP_HOST=ADMIN_HOST).status_code in (302, 403)
    data = guide_post_data(other.department, code=other.code, name="被篡改", action="publish")
    client.post(edit, data, HTTP_HOST=ADMIN_HOST)
    unpublish = reverse("wagtailsnippets_services_serviceitem:unpublish", args=[other.pk])
    client.post(unpublish, HTTP_HOST=ADMIN_HOST)
    other.refresh_from_db()
    assert other.name == "社会保障卡申领" and other.live


def test_editor_cannot_file_a_guide_under_another_unit(client, admin_role):
    rsj = ServiceItem.objects.get(name="社会保障卡申领").department
    client.force_login(user("jyj_editor"))
    data = guide_post_data(rsj, code="115201000094258226209999000000", action="publish")
    response = client.post(reverse("wagtailsnippets_services_serviceitem:add"), data, HTTP_HOST=ADMIN_HOST)
    assert response.status_code == 200  # the form comes back with an error
    assert not ServiceItem.objects.filter(code="115201000094258226209999000000").exists()


def test_editor_edits_own_guide(client, admin_role):
    item = ServiceItem.objects.get(name="教师资格认定")
    client.force_login(user("jyj_editor"))
    data = guide_post_data(item.department, code=item.code, name=item.name, phone="0851-87980000",
                           action="publish")
    response = client.post(reverse("wagtailsnippets_services_serviceitem:edit", args=[item.pk]), data,
                           HTTP_HOST=ADMIN_HOST)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.phone == "0851-87980000" and item.live


def test_cluster_admin_sees_every_unit(client, admin_role):
    client.force_login(user("admin"))
    html = client.get(reverse("wagtailsnippets_services_serviceitem:list") + "?p=1",
                      HTTP_HOST=ADMIN_HOST).content.decode()
    assert "住房公积金提取" in html or "共" in html
    assert client.get(reverse("services_statistics"), HTTP_HOST=ADMIN_HOST).status_code == 200
    assert client.get(reverse("services_imports"), HTTP_HOST=ADMIN_HOST).status_code == 200


def test_follow_ups_are_per_unit_and_need_a_response_to_close(client, admin_role):
    follow_up = RatingFollowUp.objects.get()  # the demo's open follow-up
    owner = follow_up.department.site.root_page.slug
    stranger = "dsj" if owner != "dsj" else "jyj"
    edit = reverse("services_follow_ups:edit", args=[follow_up.pk])
    client.force_login(user(f"{stranger}_editor"))
    assert client.get(edit, HTTP_HOST=ADMIN_HOST).status_code in (302, 403)
    client.force_login(user(f"{owner}_editor"))
    listing = client.get(reverse("services_follow_ups:index"), HTTP_HOST=ADMIN_HOST)
    assert listing.status_code == 200
    response = client.post(edit, {"status": "done", "response": ""}, HTTP_HOST=ADMIN_HOST)
    assert response.status_code == 200
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.OPEN
    client.post(edit, {"status": "done", "response": "已优化窗口排队，统一材料清单。"}, HTTP_HOST=ADMIN_HOST)
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.DONE and follow_up.handled_by.username == f"{owner}_editor"
