"""The public search as a citizen uses it: page, API, cards, facets, suggestions, bad input."""

import pytest

from conftest import host_of
from govweb.search.models import SearchLog

from .conftest import search


def test_search_page_shows_highlighted_results_with_facets(client):
    response = client.get("/search/", {"q": "义务教育入学"}, HTTP_HOST=host_of("portal"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<mark>义务教育</mark>" in html or "<mark>入学</mark>" in html
    assert 'role="search"' in html and '<label for="search-q">' in html
    for facet in ("类型", "网站", "主题", "年份"):
        assert f"<h3>{facet}</h3>" in html


def test_api_gives_counts_per_type_site_topic_and_year(client):
    data = search(client, host_of("portal"), q="教育")
    assert data["total"] > 5
    facets = {f["field"]: f["values"] for f in data["facets"]}
    assert set(facets) == {"type", "site", "topic", "year"}
    assert sum(v["count"] for v in facets["type"]) == data["total"]
    assert any(v["value"] == "jyj" and v["label"] == "贵阳市教育局" for v in facets["site"])


def test_filter_by_type_and_site_narrows_results(client):
    everything = search(client, host_of("portal"), q="教育")
    notices = search(client, host_of("portal"), q="教育", type="notice")
    assert 0 < notices["total"] < everything["total"]
    assert {r["type"] for r in notices["results"]} == {"notice"}
    only_jyj = search(client, host_of("portal"), q="教育", site="jyj")
    assert {r["site"] for r in only_jyj["results"]} == {"jyj"}


def test_each_facet_counts_under_every_filter_but_its_own(client):
    host = host_of("portal")

    def facets(data):
        return {f["field"]: {v["value"]: v["count"] for v in f["values"]} for f in data["facets"]}

    topic = next(iter(facets(search(client, host, q="教育"))["topic"]))  # e.g. 教育、文化
    both = search(client, host, q="教育", type="notice", topic=topic)
    only_type = search(client, host, q="教育", type="notice")
    only_topic = search(client, host, q="教育", topic=topic)
    assert both["total"] > 0
    # Other types stay countable (and choosable) while one type is chosen, and so on.
    assert facets(both)["type"] == facets(only_topic)["type"]
    assert facets(both)["topic"] == facets(only_type)["topic"]
    assert facets(both)["type"]["notice"] == facets(both)["topic"][topic] == both["total"]
    assert sum(facets(both)["site"].values()) == both["total"]


def test_a_filter_value_with_query_syntax_finds_nothing_without_error(client):
    data = search(client, host_of("portal"), q="教育", topic='教育" OR type:"news\\')
    assert data["total"] == 0 and data["results"] == []


def test_scope_this_site_only(client):
    data = search(client, host_of("jyj"), q="招生", scope="site")
    assert data["total"] > 0
    assert {r["site"] for r in data["results"]} == {"jyj"}


def test_sort_by_date_is_newest_first(client):
    data = search(client, host_of("portal"), q="教育", sort="date")
    dates = [r["date"] for r in data["results"] if r["date"]]
    assert dates == sorted(dates, reverse=True) and len(dates) > 2


def test_pagination_moves_through_results(client):
    first = search(client, host_of("portal"), q="教育")
    second = search(client, host_of("portal"), q="教育", page=2)
    assert first["num_pages"] >= 2
    assert not {r["key"] for r in first["results"]} & {r["key"] for r in second["results"]}
    assert second["results"][0]["position"] == 11


@pytest.mark.parametrize("q", ["社保", "公积金", "医保", "低保"])
def test_abbreviations_find_items_with_only_the_full_term(client, publish_article, q):
    full = {"社保": "社会保险", "公积金": "住房公积金", "医保": "医疗保险", "低保": "最低生活保障"}[q]
    page = publish_article("nanming", f"南明区开展{full}政策宣传月活动",
                           f"本次宣传月集中讲解{full}的办理渠道与常见问题。")
    data = search(client, host_of("portal"), q=q)
    assert f"page:{page.pk}" in {r["key"] for r in data["results"]}


def test_service_cards_for_business_licence_and_housing_fund(client):
    for q, title in (("营业执照", "营业执照"), ("公积金怎么提取", "住房公积金提取")):
        data = search(client, host_of("yunyan"), q=q)
        assert data["cards"], q
        card = data["cards"][0]
        assert title in card["title"] and card["action_url"]
        assert any(f["label"] == "办理部门" for f in card["facts"])
    html = client.get("/search/", {"q": "公积金提取"}, HTTP_HOST=host_of("portal")).content.decode()
    assert "直达服务" in html and "在线办理" in html


def test_department_card_for_a_unit_name(client):
    data = search(client, host_of("portal"), q="教育局")
    assert any(c["kind"] == "department" and c["title"] == "贵阳市教育局" for c in data["cards"])


def test_did_you_mean_for_a_homophone_typo(client):
    data = search(client, host_of("portal"), q="公基金")
    assert data["did_you_mean"] == "公积金"


@pytest.mark.parametrize("prefix,expected", [("gjj", "公积金"), ("gongjij", "公积金"),
                                             ("营业", "营业执照"), ("社保", "社保卡")])
def test_suggestions_by_prefix_pinyin_and_initials(client, prefix, expected):
    response = client.get("/search/suggest/", {"q": prefix}, HTTP_HOST=host_of("portal"))
    assert response.status_code == 200
    assert expected in response.json()["suggestions"]


def test_traditional_and_full_width_queries_find_simplified_text(client):
    assert search(client, host_of("portal"), q="養老保險")["total"] > 0
    assert search(client, host_of("portal"), q="２０２６　教育")["total"] > 0


def test_english_interface(client):
    response = client.get("/search/", {"q": "教育", "lang": "en"}, HTTP_HOST=host_of("portal"))
    html = response.content.decode()
    assert ">Search</h1>" in html and "Narrow results" in html and "by date" in html


BAD_INPUT = [
    {"q": ""}, {"q": "   "}, {"q": "！？。，"}, {"q": "😀🎉🙏"}, {"q": "公积金" * 4000},
    {"q": '" * : ( ) AND OR -'}, {"q": "公积金 AND (提取 OR"}, {"q": "title:公积金"},
    {"q": "教育", "type": "nonsense"}, {"q": "教育", "site": "nowhere"},
    {"q": "教育", "year": "abc"}, {"q": "教育", "year": "99999"}, {"q": "教育", "topic": "不存在"},
    {"q": "教育", "page": "10000"}, {"q": "教育", "page": "-3"}, {"q": "教育", "page": "abc"},
    {"q": "教育", "sort": "'; drop table"}, {"q": "教育", "scope": "galaxy"},
    {"q": "\x00\x01教育"}, {"q": "<script>alert(1)</script>"},
]


@pytest.mark.parametrize("params", BAD_INPUT)
def test_bad_input_gives_a_sensible_page_never_an_error(client, params):
    for path in ("/search/", "/search/api/"):
        response = client.get(path, params, HTTP_HOST=host_of("portal"))
        assert response.status_code == 200, (path, params)
        body = response.content.decode()
        assert "Traceback" not in body and "Syntax" not in body and "<script>alert" not in body


def test_empty_and_out_of_range_queries_explain_themselves(client):
    assert "请输入搜索词" in search(client, host_of("portal"), q="")["message"]
    assert "没有可以查找" in search(client, host_of("portal"), q="😀")["message"]
    deep = search(client, host_of("portal"), q="教育", page=10000)
    assert deep["results"] == [] and "只提供前" in deep["message"]
    nothing = search(client, host_of("portal"), q="火星殖民地移民")
    assert nothing["total"] == 0 and nothing["message"]


def test_each_search_is_logged_without_personal_data_and_clicks_are_recorded(client):
    host = host_of("portal")
    data = search(client, host, q="义务教育", type="notice")
    log = SearchLog.objects.latest("id")
    assert (log.query, log.result_count, log.site_key, log.channel) == (
        "义务教育", data["total"], "portal", "api")
    assert log.filters == {"type": ["notice"]}
    assert len(log.visitor) == 16 and "127.0.0.1" not in log.visitor
    first = data["results"][0]
    response = client.get(first["click_url"], HTTP_HOST=host)
    assert response.status_code == 302 and response["Location"] == first["url"]
    log.refresh_from_db()
    assert log.clicked_key == first["key"] and log.clicked_position == 1


def test_click_links_cannot_be_forged_into_open_redirects(client):
    response = client.get("/search/go/", {"t": "evil.example.com"}, HTTP_HOST=host_of("portal"))
    assert response.status_code == 404


def test_rate_limit_answers_429(client, settings):
    settings.GOVWEB_SEARCH_RATE_LIMIT = "2/m"
    codes = [client.get("/search/api/", {"q": "教育"}, HTTP_HOST=host_of("portal")).status_code
             for _ in range(4)]
    assert codes[:2] == [200, 200] and codes[-1] == 429
