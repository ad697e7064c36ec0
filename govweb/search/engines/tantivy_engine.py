"""The embedded default engine: tantivy (an in-process Rust library) in the data directory.

One writer at a time per index (tantivy's lock file; other processes wait and retry), any
number of readers; a reader notices another process's commit by the index's meta.json changing
and reloads at its next search.

A search is two passes over the matching documents: ranking (top hits and the total) and one
aggregation request for every facet. tantivy releases the interpreter lock while aggregating,
so the facet pass runs on a helper thread beside the ranking: on a machine with a free core a
search costs the longer of the two passes instead of their sum.
"""

import json
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import tantivy

from .base import FACET_FIELDS, EngineResult, Hit, SearchEngine

logger = logging.getLogger("govweb.search")

SCHEMA_VERSION = 1
FIELD_BOOSTS = {"title": 4.0, "keywords": 2.0, "body": 1.0}
STORED_TEXT_CHARS = 1500
WRITER_LOCK_WAIT_SECONDS = 600
FACET_SIZE = 50

_facet_threads = {"pid": None, "pool": None}
_facet_threads_lock = threading.Lock()


def _facet_pool():
    # Created in the process that searches (gunicorn forks workers: threads do not survive).
    # Enough threads for every request thread of a gthread worker to count its facets at
    # once, as it could before; threads are only started when needed.
    if _facet_threads["pid"] != os.getpid():
        with _facet_threads_lock:
            if _facet_threads["pid"] != os.getpid():
                _facet_threads.update(pid=os.getpid(), pool=ThreadPoolExecutor(
                    max_workers=8, thread_name_prefix="govweb-search-facets"))
    return _facet_threads["pool"]


def _schema():
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("key", stored=True, tokenizer_name="raw")
    sb.add_text_field("title", tokenizer_name="zh")
    sb.add_text_field("keywords", tokenizer_name="zh", index_option="freq")
    sb.add_text_field("body", tokenizer_name="zh", index_option="freq")
    for name in ("type", "site", "topic"):
        sb.add_text_field(name, stored=True, fast=True, tokenizer_name="raw")
    sb.add_integer_field("year", stored=True, indexed=True, fast=True)
    sb.add_date_field("date", stored=True, indexed=True, fast=True)
    # Shown, never searched: stored as bytes so that nothing is tokenised twice.
    sb.add_bytes_field("shown", stored=True)
    return sb.build()


def _analyzer():
    # Text arrives segmented and normalised; a token must start with a letter or digit,
    # so stray punctuation never becomes a term.
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(r"[\p{L}\p{N}]\S*"))
            .filter(tantivy.Filter.remove_long(40)).build())


class TantivyEngine(SearchEngine):
    name = "tantivy"

    def __init__(self, path):
        self.path = Path(path) / f"tantivy-v{SCHEMA_VERSION}"
        self.path.mkdir(parents=True, exist_ok=True)
        self.schema = _schema()
        self.index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        self.index.register_tokenizer("zh", _analyzer())
        self.index.config_reader(reload_policy="manual")
        self._meta = self.path / "meta.json"
        self._seen_meta = self._meta_stamp()
        self._checked = 0.0
        self._write_lock = threading.Lock()

    # --- reading -------------------------------------------------------------------------
    def _meta_stamp(self):
        try:
            st = os.stat(self._meta)
            return (st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            return None

    def searcher(self):
        now = time.monotonic()
        if now - self._checked > 0.2:
            self._checked = now
            stamp = self._meta_stamp()
            if stamp != self._seen_meta:
                self._seen_meta = stamp
                self.index.reload()
        return self.index.searcher()

    def _term(self, field, value):
        return tantivy.Query.term_query(self.schema, field, value)

    def _token_query(self, token, fields=None):
        clauses = [
            (tantivy.Occur.Should, tantivy.Query.boost_query(self._term(field, token), boost))
            for field, boost in FIELD_BOOSTS.items() if fields is None or field in fields
        ]
        return clauses[0][1] if len(clauses) == 1 else tantivy.Query.boolean_query(clauses)

    def _text_query(self, query):
        groups = []
        for group in query.groups:
            alternatives = []
            for tokens in group.alternatives:
                if not tokens:
                    continue
                if len(tokens) == 1:
                    alternatives.append(self._token_query(tokens[0], query.fields))
                else:
                    alternatives.append(tantivy.Query.boolean_query(
                        [(tantivy.Occur.Must, self._token_query(t, query.fields))
                         for t in tokens]))
            if alternatives:
                groups.append((group.optional, alternatives[0] if len(alternatives) == 1 else
                               tantivy.Query.boolean_query(
                                   [(tantivy.Occur.Should, a) for a in alternatives])))
        if not groups:
            return tantivy.Query.all_query()
        required = query.match_all_groups and not all(optional for optional, _ in groups)
        return tantivy.Query.boolean_query([
            (tantivy.Occur.Must if required and not optional else tantivy.Occur.Should, g)
            for optional, g in groups])

    def _filter_query(self, field, values):
        if field == "year":
            values = [int(v) for v in values]
        terms = [self._term(field, v) for v in values]
        if len(terms) == 1:
            return terms[0]
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, t) for t in terms])

    def _with_filters(self, text_query, filters, skip=None):
        clauses = [(tantivy.Occur.Must, text_query)]
        for field, values in filters.items():
            if field != skip and values:
                clauses.append((tantivy.Occur.Must, self._filter_query(field, values)))
        if len(clauses) == 1:
            return text_query
        return tantivy.Query.boolean_query(clauses)

    @staticmethod
    def _filter_text(filters, skip):
        """The filters but `skip` as an aggregation filter (tantivy query syntax), or None
        when a value cannot be quoted safely (then the facets are counted pass by pass)."""
        parts = []
        for field, values in filters.items():
            if field == skip or not values:
                continue
            if field == "year":
                terms = [f"year:{int(v)}" for v in values]
            elif any('"' in str(v) or "\\" in str(v) for v in values):
                return None
            else:
                terms = [f'{field}:"{v}"' for v in values]
            parts.append("(" + " OR ".join(terms) + ")")
        return " AND ".join(parts)

    def _facets(self, searcher, text_query, filters):
        """Counts per facet value; each facet counts under every filter but its own, so that
        a choice can be changed. One aggregation request over the text query's matches."""
        terms = {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in FACET_FIELDS}
        request = {}
        for name in FACET_FIELDS:
            others = self._filter_text(filters, skip=name)
            if others is None:
                return self._facets_pass_by_pass(searcher, text_query, filters)
            request[name] = (terms[name] if not others else
                             {"filter": others, "aggs": {"values": terms[name]}})
        try:
            result = searcher.aggregate(text_query, request)
        except ValueError:  # a filter tantivy's parser refused: never an error page
            logger.warning("facet filter not parsed: %r", filters)
            return self._facets_pass_by_pass(searcher, text_query, filters)
        facets = {}
        for name in FACET_FIELDS:
            buckets = result[name]["buckets"] if "buckets" in result[name] else (
                result[name]["values"]["buckets"])
            facets[name] = [(b["key"], b["doc_count"]) for b in buckets]
        return facets

    def _facets_pass_by_pass(self, searcher, text_query, filters):
        terms = {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in FACET_FIELDS}
        facets = {}
        unfiltered = [f for f in FACET_FIELDS if not filters.get(f)]
        if unfiltered:
            q = self._with_filters(text_query, filters)
            result = searcher.aggregate(q, {f: terms[f] for f in unfiltered})
            for f in unfiltered:
                facets[f] = [(b["key"], b["doc_count"]) for b in result[f]["buckets"]]
        for f in FACET_FIELDS:
            if filters.get(f):
                q = self._with_filters(text_query, filters, skip=f)
                result = searcher.aggregate(q, {f: terms[f]})
                facets[f] = [(b["key"], b["doc_count"]) for b in result[f]["buckets"]]
        return facets

    def search(self, query):
        searcher = self.searcher()
        text_query = self._text_query(query)
        full = self._with_filters(text_query, query.filters)
        facets = None
        if query.facets:
            facets = _facet_pool().submit(self._facets, searcher, text_query, query.filters)
        kwargs = {}
        if query.sort == "date":
            kwargs = {"order_by_field": "date", "order": tantivy.Order.Desc}
        result = searcher.search(full, limit=query.limit, offset=query.offset, count=True, **kwargs)
        hits = [self._hit(searcher.doc(address), score) for score, address in result.hits]
        return EngineResult(total=result.count or 0, hits=hits,
                            facets=facets.result() if facets is not None else {})

    def _hit(self, doc, score=0.0):
        shown = json.loads(bytes(doc.get_first("shown") or b"{}").decode("utf-8"))
        date = doc.get_first("date")
        return Hit(
            key=doc.get_first("key"), score=float(score) if not isinstance(score, int) else 0.0,
            url=shown.get("url", ""), title=shown.get("title", ""), text=shown.get("text", ""),
            type=doc.get_first("type") or "", site=doc.get_first("site") or "",
            topic=doc.get_first("topic") or "", date=date if shown.get("dated") else None,
            meta=shown.get("meta") or {},
        )

    def doc_freq(self, term):
        searcher = self.searcher()
        return max(searcher.doc_freq("title", term), searcher.doc_freq("body", term))

    def title_terms(self, prefix, limit=20):
        return self.searcher().terms_with_prefix("title", prefix, limit=limit)

    def get(self, key):
        searcher = self.searcher()
        result = searcher.search(self._term("key", key), limit=1)
        if not result.hits:
            return None
        return self._hit(searcher.doc(result.hits[0][1]))

    def count(self):
        return self.searcher().num_docs

    def keys(self):
        searcher = self.searcher()
        n = searcher.num_docs
        if not n:
            return set()
        result = searcher.search(tantivy.Query.all_query(), limit=n)
        return {searcher.doc(address).get_first("key") for _, address in result.hits}

    def size_bytes(self):
        return sum(p.stat().st_size for p in self.path.iterdir() if p.is_file())

    # --- writing -------------------------------------------------------------------------
    def _document(self, doc):
        shown = {"url": doc.url, "title": doc.title, "text": doc.text[:STORED_TEXT_CHARS],
                 "meta": doc.meta, "dated": doc.date is not None}
        d = tantivy.Document()
        d.add_text("key", doc.key)
        d.add_text("title", doc.title_tokens)
        d.add_text("keywords", doc.keyword_tokens)
        d.add_text("body", doc.body_tokens)
        d.add_text("type", doc.type)
        d.add_text("site", doc.site or "")
        d.add_text("topic", doc.topic or "")
        d.add_integer("year", doc.year)
        if doc.date is not None:
            d.add_date("date", doc.date)
        else:
            d.add_date("date", tantivy.MIN_DATETIME)
        d.add_bytes("shown", json.dumps(shown, ensure_ascii=False, default=str).encode("utf-8"))
        return d

    def _writer(self, heap=64_000_000, threads=1):
        deadline = time.monotonic() + WRITER_LOCK_WAIT_SECONDS
        while True:
            try:
                return self.index.writer(heap_size=heap, num_threads=threads)
            except ValueError as exc:
                if "LockBusy" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def _commit(self, writer):
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self._seen_meta = self._meta_stamp()

    def add(self, documents):
        documents = list(documents)
        if not documents:
            return
        with self._write_lock:
            writer = self._writer()
            for doc in documents:
                writer.delete_documents_by_term("key", doc.key)
                writer.add_document(self._document(doc))
            self._commit(writer)

    def remove(self, keys):
        keys = list(keys)
        if not keys:
            return
        with self._write_lock:
            writer = self._writer()
            for key in keys:
                writer.delete_documents_by_term("key", key)
            self._commit(writer)

    def rebuild(self, documents, progress=None):
        with self._write_lock:
            writer = self._writer(heap=512_000_000, threads=max(1, min(4, os.cpu_count() or 1)))
            writer.delete_all_documents()
            n = 0
            for doc in documents:
                writer.add_document(self._document(doc))
                n += 1
                if progress and n % 500 == 0:
                    progress(500)
            if progress:
                progress(n % 500)
            self._commit(writer)
            return n
