"""Admin side: Chinese admin search, the general office's settings and the search report."""

import pytest
from django.contrib.auth import get_user_model

from govweb.search import queries
from govweb.search.models import SearchLog, SynonymGroup

ADMIN_HOST = "127.0.0.1:8001"


def test_admin_search_finds_a_page_by_a_two_character_word_of_its_body(client, admin_role,
                                                                       publish_article):
    page = publish_article("nanming", "南明区召开专题会议", "会议研究部署桥梁检修工作。")
    client.force_login(get_user_model().objects.get(username="admin"))
    response = client.get("/admin/pages/search/", {"q": "桥梁"}, HTTP_HOST=ADMIN_HOST)
    assert response.status_code == 200
    assert page.title in response.content.decode()
    response = client.get("/admin/pages/search/", {"q": "隧道"}, HTTP_HOST=ADMIN_HOST)
    assert page.title not in response.content.decode()


def test_synonym_added_by_the_general_office_applies_at_once(client, publish_article,
                                                             django_capture_on_commit_callbacks):
    from conftest import host_of

    page = publish_article("portal", "贵阳市规范电动自行车停放充电管理", "规范电动自行车停放。")
    assert f"page:{page.pk}" not in search_keys(client, host_of("portal"), "电单车")
    with django_capture_on_commit_callbacks(execute=True):
        SynonymGroup.objects.create(terms="电单车,电动自行车", two_way=True)
    assert f"page:{page.pk}" in search_keys(client, host_of("portal"), "电单车")


def search_keys(client, host, q):
    data = client.get("/search/api/", {"q": q}, HTTP_HOST=host).json()
    return {r["key"] for r in data["results"]}


def test_search_report_shows_top_and_empty_queries(client, admin_role):
    SearchLog.objects.create(site_key="portal", query="公积金提取", result_count=12)
    SearchLog.objects.create(site_key="portal", query="公积金提取", result_count=12)
    SearchLog.objects.create(site_key="yunyan", query="火星移民", result_count=0)
    client.force_login(get_user_model().objects.get(username="admin"))
    html = client.get("/admin/search-report/", HTTP_HOST=ADMIN_HOST).content.decode()
    assert "公积金提取" in html and "火星移民" in html and "无结果的搜索词" in html
    report = queries.search_report()
    assert report["top"][0]["query"] == "公积金提取" and report["top"][0]["n"] == 2
    assert [r["query"] for r in report["empty"]] == ["火星移民"]


def test_search_report_is_for_the_general_office_only(client, admin_role):
    client.force_login(get_user_model().objects.get(username="yunyan_editor"))
    response = client.get("/admin/search-report/", HTTP_HOST=ADMIN_HOST)
    assert response.status_code in (302, 403)


@pytest.mark.parametrize("path", ["/admin/snippets/search/bestbet/",
                                  "/admin/snippets/search/synonymgroup/",
                                  "/admin/snippets/search/hotkeyword/"])
def test_general_office_manages_best_bets_synonyms_and_hot_words(client, admin_role, path):
    client.force_login(get_user_model().objects.get(username="admin"))
    response = client.get(path, HTTP_HOST=ADMIN_HOST)
    assert response.status_code == 200


def test_search_is_not_routed_on_the_admin_role(client, admin_role):
    assert client.get("/search/", {"q": "x"}, HTTP_HOST=ADMIN_HOST).status_code == 404
