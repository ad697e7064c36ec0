"""Public catalogue pages as a visitor sees them, on the portal and on a unit's own site."""

import pytest
from django.urls import reverse

from conftest import host_of
from govweb.services import queries
from govweb.services.models import ServiceItem, ServiceTopic

pytestmark = pytest.mark.django_db

PORTAL = host_of("portal")
JYJ = host_of("jyj")


def item_named(name):
    return ServiceItem.objects.get(name=name)


def test_services_home_on_the_portal_shows_every_unit(client):
    response = client.get("/banshi/", HTTP_HOST=PORTAL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>办事服务</h1>" in html
    for unit in ("贵阳市教育局", "贵阳市人力资源和社会保障局", "云岩区人民政府"):
        assert unit in html
    for event in ("出生", "上学", "开办企业"):
        assert event in html


def test_catalogue_counts_follow_every_change_to_a_guide(client):
    def total():
        html = client.get("/banshi/", HTTP_HOST=PORTAL).content.decode()
        return int(html.split("共 ")[1].split(" 项服务事项")[0])

    live = ServiceItem.objects.filter(live=True).count()
    assert total() == live
    item = item_named("就业登记")
    item.unpublish()
    assert total() == live - 1
    birth = ServiceTopic.objects.get(kind="person", name="出生")
    births = birth.items.filter(live=True).count()
    assert not item.topics.filter(pk=birth.pk).exists()
    item.refresh_from_db()
    item.topics.add(birth)
    item.save_revision().publish()
    assert total() == live
    html = client.get("/banshi/", HTTP_HOST=PORTAL).content.decode()
    assert f"出生<span class=\"count\">{births + 1} 项" in html


def test_a_unit_site_shows_only_its_own_services(client):
    response = client.get("/banshi/shixiang/", HTTP_HOST=JYJ)
    html = response.content.decode()
    assert "教师资格认定" in html
    assert "社会保障卡申领" not in html
    other = item_named("社会保障卡申领")
    assert client.get(f"/banshi/shixiang/{other.code}/", HTTP_HOST=JYJ).status_code == 404
    assert client.get(f"/banshi/shixiang/{other.code}/", HTTP_HOST=PORTAL).status_code == 200


def test_guide_page_tells_everything_before_going(client):
    item = item_named("住房公积金提取（购买自住住房）")
    response = client.get(f"/banshi/shixiang/{item.code}/", HTTP_HOST=PORTAL)
    assert response.status_code == 200
    html = response.content.decode()
    for heading in ("设定依据", "申请条件", "申请材料", "办理流程", "办理地点", "办理时间", "咨询电话",
                    "收费标准", "常见问题"):
        assert heading in html
    assert "0851-12329" in html
    assert "住房公积金提取申请表" in html
    assert "空白表格" in html and "填写说明" in html and "示例样表" in html
    first = item.materials.first()
    for label in (item.get_audience_display(), item.get_online_depth_display(),
                  first.get_form_display(), first.get_source_display()):
        assert f">{label}" in html or f"{label}，" in html
    assert item.online_url in html
    material = item.materials.get(name="住房公积金提取申请表")
    download = client.get(material.sample.url, HTTP_HOST=PORTAL)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-1.4")


def test_viewing_a_guide_counts_a_view(client):
    item = item_named("就业登记")
    before = item.view_count
    client.get(f"/banshi/shixiang/{item.code}/", HTTP_HOST=PORTAL)
    item.refresh_from_db()
    assert item.view_count == before + 1


def test_guide_pdf_is_generated_from_the_same_content(client):
    item = item_named("居住证办理")
    response = client.get(f"/banshi/shixiang/{item.code}/pdf/", HTTP_HOST=PORTAL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert len(response.content) > 5000


def test_draft_guides_are_not_public(client):
    draft = item_named("临时救助申请")
    assert not draft.live
    assert client.get(f"/banshi/shixiang/{draft.code}/", HTTP_HOST=PORTAL).status_code == 404
    assert "临时救助申请" not in client.get("/banshi/shixiang/?q=临时救助", HTTP_HOST=PORTAL).content.decode()


def test_browse_by_audience_life_event_theme_department_and_letter(client):
    individual = client.get("/banshi/geren/", HTTP_HOST=PORTAL).content.decode()
    assert "居住证办理" in individual or "第 1 页" in individual
    assert "企业投资项目核准" not in individual
    legal = client.get("/banshi/faren/", HTTP_HOST=PORTAL).content.decode()
    assert "企业投资项目核准" in legal
    birth = ServiceTopic.objects.get(kind="person", name="出生")
    page = client.get(f"/banshi/fenlei/{birth.slug}/", HTTP_HOST=PORTAL).content.decode()
    assert "出生登记（新生儿落户）" in page and "生育登记服务" in page
    assert "营业执照设立登记" not in page
    rsj = item_named("就业登记").department
    by_unit = client.get(f"/banshi/bumen/{rsj.pk}/", HTTP_HOST=PORTAL).content.decode()
    assert "失业保险金申领" in by_unit and "教师资格认定" not in by_unit
    az = client.get("/banshi/zimu/", HTTP_HOST=PORTAL).content.decode()
    assert 'id="letter-Z"' in az and "住房公积金个人住房贷款" in az
    assert client.get(f"/banshi/bumen/{rsj.pk}/", HTTP_HOST=JYJ).status_code == 404


def test_a_big_catalogue_gets_a_page_per_letter(client, monkeypatch):
    monkeypatch.setattr(queries, "A_TO_Z_ON_ONE_PAGE", 5)
    az = client.get("/banshi/zimu/", HTTP_HOST=PORTAL).content.decode()
    assert 'href="/banshi/zimu/Z/"' in az and "住房公积金个人住房贷款" not in az
    z_count = ServiceItem.objects.filter(live=True, initial="Z").count()
    assert f"（{z_count} 项）" in az
    page = client.get("/banshi/zimu/Z/", HTTP_HOST=PORTAL).content.decode()
    assert "住房公积金个人住房贷款" in page and "教师资格认定" not in page
    assert client.get("/banshi/zimu/zz/", HTTP_HOST=PORTAL).status_code == 404


def test_most_viewed_lists_the_most_viewed_first(client):
    top = ServiceItem.objects.filter(live=True).order_by("-view_count").first()
    ServiceItem.objects.filter(pk=top.pk).update(view_count=10_000)
    html = client.get("/banshi/remen/", HTTP_HOST=PORTAL).content.decode()
    ranked = html.index('class="service-list ranked"')
    assert html.index(top.code, ranked) < html.index("/banshi/shixiang/", ranked) + 60


def test_search_within_the_catalogue(client):
    html = client.get("/banshi/shixiang/", {"q": "公积金"}, HTTP_HOST=PORTAL).content.decode()
    assert "住房公积金个人住房贷款" in html and "教师资格认定" not in html


def test_service_cards_for_search():
    cards = queries.service_cards("公积金提取", limit=3)
    assert cards and all("公积金提取" in card["name"] for card in cards)
    card = cards[0]
    assert set(card) >= {"name", "department", "time_limit", "fee", "place", "phone", "apply_url",
                         "guide_url"}
    assert card["department"] == "贵阳市住房公积金管理中心"
    assert card["guide_url"] == reverse("services:guide", args=[card["code"]])
    assert queries.service_cards("营业执照")


def test_search_card_provider_and_index_source():
    from govweb.search.cards import CardContext
    from govweb.services import search

    context = CardContext(query="营业执照", words=["营业执照"], groups=[], site_key="yunyan",
                          engine=None, settings=None)
    cards = search.card_provider(context)
    assert cards and cards[0].kind == "service" and "营业执照" in cards[0].title
    assert cards[0].url.startswith("/banshi/shixiang/")
    item = ServiceItem.objects.get(name="就业登记")
    document = search.get_document(item.pk)
    assert document.type == "service" and document.title == "就业登记"
    assert document.url.endswith(f"/banshi/shixiang/{item.code}/")
    assert search.get_document(ServiceItem.objects.get(name="临时救助申请").pk) is None
