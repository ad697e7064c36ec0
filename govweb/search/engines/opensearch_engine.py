"""OpenSearch / Elasticsearch engine, for deployments that outgrow one machine.

Same interface as the tantivy engine. Text is segmented by govweb (jieba-compatible, with the
government dictionary) before it is sent, so the index uses a whitespace analyzer and needs no
Chinese plugin; `INDEX_SETTINGS` below is what `rebuild()` creates. A deployment that prefers
the cluster to segment (analysis-ik, smartcn) can swap the analyzer, as long as queries keep
sending the same segmented terms.

Configured by SEARCH_URL, e.g. https://user:password@search.internal:9200/govweb (the path is
the index name). Tested against recorded request/response fixtures (no cluster runs here).
"""

import json
from urllib.parse import unquote, urlsplit

from .base import FACET_FIELDS, EngineResult, Hit, SearchEngine

FIELD_BOOSTS = {"title": 4.0, "keywords": 2.0, "body": 1.0}

INDEX_SETTINGS = {
    "settings": {
        "number_of_shards": 1,
        "analysis": {
            "analyzer": {
                # Tokens arrive segmented and normalised, separated by spaces.
                "zh_segmented": {"type": "custom", "tokenizer": "whitespace",
                                 "filter": ["lowercase"]},
            },
        },
    },
    "mappings": {
        "properties": {
            "key": {"type": "keyword"},
            "title": {"type": "text", "analyzer": "zh_segmented"},
            "keywords": {"type": "text", "analyzer": "zh_segmented"},
            "body": {"type": "text", "analyzer": "zh_segmented", "index_options": "freqs"},
            "type": {"type": "keyword"},
            "site": {"type": "keyword"},
            "topic": {"type": "keyword"},
            "year": {"type": "integer"},
            "date": {"type": "date"},
            "shown": {"type": "object", "enabled": False},
        }
    },
}


class OpenSearchEngine(SearchEngine):
    name = "opensearch"

    def __init__(self, client, index="govweb"):
        self.client = client
        self.index = index

    @classmethod
    def from_url(cls, url, **client_options):
        from opensearchpy import OpenSearch

        parts = urlsplit(url)
        index = parts.path.strip("/") or "govweb"
        auth = (unquote(parts.username), unquote(parts.password or "")) if parts.username else None
        client = OpenSearch(
            hosts=[{"host": parts.hostname, "port": parts.port or 9200}],
            http_auth=auth, use_ssl=parts.scheme == "https", verify_certs=True,
            timeout=5, **client_options)
        return cls(client, index)

    # --- query building ------------------------------------------------------------------
    def _token(self, token, fields=None):
        return {"multi_match": {"query": token, "type": "best_fields", "operator": "and",
                                "fields": [f"{f}^{b:g}" for f, b in FIELD_BOOSTS.items()
                                           if fields is None or f in fields]}}

    def _text_query(self, query):
        groups = []
        for group in query.groups:
            alternatives = []
            for tokens in group.alternatives:
                if not tokens:
                    continue
                if len(tokens) == 1:
                    alternatives.append(self._token(tokens[0], query.fields))
                else:
                    alternatives.append({"bool": {"must": [
                        self._token(t, query.fields) for t in tokens]}})
            if alternatives:
                groups.append((group.optional, alternatives[0] if len(alternatives) == 1 else
                               {"bool": {"should": alternatives, "minimum_should_match": 1}}))
        if not groups:
            return {"match_all": {}}
        required = query.match_all_groups and not all(optional for optional, _ in groups)
        if not required:
            return {"bool": {"should": [g for _, g in groups], "minimum_should_match": 1}}
        must = [g for optional, g in groups if not optional]
        should = [g for optional, g in groups if optional]
        return {"bool": {"must": must, **({"should": should} if should else {})}}

    @staticmethod
    def _filter(field, values):
        if field == "year":
            values = [int(v) for v in values]
        return {"terms": {field: list(values)}}

    def _body(self, query):
        body = {
            "query": {"bool": {"must": [self._text_query(query)], "filter": [
                self._filter(f, v) for f, v in query.filters.items() if v]}},
            "from": query.offset, "size": query.limit, "track_total_hits": True,
            "_source": ["key", "type", "site", "topic", "date", "shown"],
        }
        if query.sort == "date":
            body["sort"] = [{"date": {"order": "desc", "missing": "_last"}}]
        if query.facets:
            # Each facet counts under every filter but its own (post_filter + filtered aggs).
            aggs = {}
            for name in FACET_FIELDS:
                others = [self._filter(f, v) for f, v in query.filters.items() if v and f != name]
                terms = {"terms": {"field": name, "size": 50}}
                aggs[name] = {"filter": {"bool": {"filter": others}}, "aggs": {"values": terms}}
            body["query"]["bool"]["filter"] = []
            body["post_filter"] = {"bool": {"filter": [
                self._filter(f, v) for f, v in query.filters.items() if v]}}
            body["aggs"] = aggs
        return body

    # --- reading -------------------------------------------------------------------------
    def search(self, query):
        response = self.client.search(index=self.index, body=self._body(query))
        hits = [self._hit(h["_source"], h.get("_score") or 0.0) for h in response["hits"]["hits"]]
        facets = {}
        for name, agg in (response.get("aggregations") or {}).items():
            facets[name] = [(b["key"], b["doc_count"]) for b in agg["values"]["buckets"]]
        total = response["hits"]["total"]
        total = total["value"] if isinstance(total, dict) else total
        return EngineResult(total=total, hits=hits, facets=facets)

    @staticmethod
    def _hit(source, score=0.0):
        from datetime import datetime

        shown = source.get("shown") or {}
        date = source.get("date")
        return Hit(key=source["key"], score=float(score), url=shown.get("url", ""),
                   title=shown.get("title", ""), text=shown.get("text", ""),
                   type=source.get("type", ""), site=source.get("site", ""),
                   topic=source.get("topic", ""),
                   date=datetime.fromisoformat(date) if date and shown.get("dated") else None,
                   meta=shown.get("meta") or {})

    def doc_freq(self, term):
        response = self.client.count(index=self.index, body={"query": self._token(term)})
        return response["count"]

    def get(self, key):
        response = self.client.search(index=self.index, body={
            "query": {"term": {"key": key}}, "size": 1})
        hits = response["hits"]["hits"]
        return self._hit(hits[0]["_source"]) if hits else None

    def count(self):
        return self.client.count(index=self.index)["count"]

    def keys(self):
        from opensearchpy.helpers import scan

        return {h["_source"]["key"] for h in scan(
            self.client, index=self.index, query={"query": {"match_all": {}}},
            _source=["key"])}

    # --- writing -------------------------------------------------------------------------
    def _source(self, doc):
        return {
            "key": doc.key, "title": doc.title_tokens, "keywords": doc.keyword_tokens,
            "body": doc.body_tokens, "type": doc.type, "site": doc.site, "topic": doc.topic,
            "year": doc.year, "date": doc.date.isoformat() if doc.date else None,
            "shown": {"url": doc.url, "title": doc.title, "text": doc.text[:1500],
                      "meta": json.loads(json.dumps(doc.meta, default=str)),
                      "dated": doc.date is not None},
        }

    def _bulk(self, actions):
        lines = []
        for action, doc in actions:
            lines.append(json.dumps(action, ensure_ascii=False))
            if doc is not None:
                lines.append(json.dumps(doc, ensure_ascii=False))
        if lines:
            self.client.bulk(body="\n".join(lines) + "\n", refresh="wait_for")

    def add(self, documents):
        self._bulk([({"index": {"_index": self.index, "_id": d.key}}, self._source(d))
                    for d in documents])

    def remove(self, keys):
        self._bulk([({"delete": {"_index": self.index, "_id": k}}, None) for k in keys])

    def rebuild(self, documents, progress=None):
        if self.client.indices.exists(index=self.index):
            self.client.indices.delete(index=self.index)
        self.client.indices.create(index=self.index, body=INDEX_SETTINGS)
        batch, n = [], 0
        for doc in documents:
            batch.append(doc)
            if len(batch) == 500:
                self.add(batch)
                n += len(batch)
                if progress:
                    progress(len(batch))
                batch = []
        if batch:
            self.add(batch)
            n += len(batch)
            if progress:
                progress(len(batch))
        return n
