"""The OpenSearch engine speaks the same interface; checked against recorded exchanges."""

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from opensearchpy import OpenSearch
from opensearchpy.connection import Connection

from govweb.search.engines.base import EngineQuery, SearchDocument, TermGroup
from govweb.search.engines.opensearch_engine import INDEX_SETTINGS, OpenSearchEngine

EXCHANGES = json.loads((Path(__file__).parent / "fixtures" / "opensearch_exchanges.json")
                       .read_text(encoding="utf-8"))


class RecordedConnection(Connection):
    """Answers from the fixture and remembers what was asked."""

    expected = None
    seen = []

    def perform_request(self, method, url, params=None, body=None, timeout=None, ignore=(),
                        headers=None):
        if isinstance(body, bytes):
            body = body.decode("utf-8")
        params = {k: v.decode() if isinstance(v, bytes) else v for k, v in (params or {}).items()}
        request = {"method": method, "path": url, "params": params, "body": body}
        type(self).seen.append(request)
        exchange = type(self).expected
        return 200, {"content-type": "application/json"}, json.dumps(exchange["response"])


@pytest.fixture
def engine():
    RecordedConnection.seen = []
    client = OpenSearch(hosts=[{"host": "search.internal", "port": 9200}],
                        connection_class=RecordedConnection)
    return OpenSearchEngine(client, "govweb")


def _sent(name):
    request = RecordedConnection.seen[-1]
    expected = EXCHANGES[name]["request"]
    assert (request["method"], request["path"]) == (expected["method"], expected["path"])
    for key, value in expected.get("params", {}).items():
        assert request["params"].get(key) == value
    if "ndjson" in expected:
        lines = [json.loads(line) for line in request["body"].strip().split("\n")]
        assert lines == expected["ndjson"]
    else:
        body = request["body"]
        assert (json.loads(body) if isinstance(body, str) else body) == expected["body"]


def test_indexing_sends_segmented_text_in_one_bulk_request(engine):
    RecordedConnection.expected = EXCHANGES["index"]
    engine.add([SearchDocument(
        key="page:1", url="http://www-guiyang.localhost:8000/fw/1/", title="住房公积金提取指南",
        text="租房提取住房公积金", type="service", site="portal", topic="城乡建设、环境保护",
        date=datetime(2026, 11, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
        title_tokens="住房 公积 公积金 住房公积金 提取 指南",
        body_tokens="租房 提取 住房 公积 公积金 住房公积金")])
    _sent("index")


def test_search_with_synonyms_filter_and_facets(engine):
    RecordedConnection.expected = EXCHANGES["search"]
    result = engine.search(EngineQuery(
        groups=[TermGroup([["公积金"], ["住房公积金"]]), TermGroup([["提取"]])],
        filters={"site": ["portal"]}))
    _sent("search")
    assert result.total == 1
    assert result.hits[0].title == "住房公积金提取指南" and result.hits[0].type == "service"
    assert result.facets["site"] == [("portal", 1), ("yunyan", 2)]
    assert result.hits[0].date.year == 2026


def test_removal_is_a_bulk_delete(engine):
    RecordedConnection.expected = EXCHANGES["delete"]
    engine.remove(["page:1"])
    _sent("delete")


def test_index_settings_use_whitespace_analysis_of_segmented_text():
    analyzer = INDEX_SETTINGS["settings"]["analysis"]["analyzer"]["zh_segmented"]
    assert analyzer["tokenizer"] == "whitespace"
    assert INDEX_SETTINGS["mappings"]["properties"]["title"]["analyzer"] == "zh_segmented"


def test_engine_is_chosen_by_search_url(settings):
    from govweb.search import engines

    settings.GOVWEB_SEARCH_URL = "https://reader:secret@search.internal:9200/govweb_prod"
    engine = engines.get_engine()
    try:
        assert engine.name == "opensearch" and engine.index == "govweb_prod"
    finally:
        engines._engines.pop(engines.engine_config(), None)
