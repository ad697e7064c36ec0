"""Reads of the search subsystem: run a search, suggest as one types, hot words, reports.

`search()` turns what a citizen typed into an engine query (segmentation, question words
dropped, synonyms added), asks the engine for hits and facet counts, adds answer cards and a
"did you mean", and returns a `SearchOutcome` that the page, the JSON API and tests share.
"""

import html
import re
import threading
import time
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache

from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import analysis
from .cards import CardContext, cards_for
from .documents import TYPE_LABELS
from .engines import get_engine
from .engines.base import FACET_FIELDS, EngineQuery, TermGroup

PAGE_SIZE = 10
MAX_PAGE = 50                 # deeper pages are refused politely (nobody reads them)
SNIPPET_CHARS = 120
SETTINGS_VERSION_KEY = "govweb:search:settings-version"
FACET_LABELS = {"type": gettext_lazy("类型"), "site": gettext_lazy("网站"),
                "topic": gettext_lazy("主题"), "year": gettext_lazy("年份")}


# --- the general office's settings, cached per process ----------------------------------
@dataclass
class SearchSettings:
    synonyms: dict                       # word → [expansion, …]
    best_bets: list
    departments: list
    hot: dict                            # site key ("" = all) → [keyword]
    vocabulary: list                     # curated phrases for suggestions and "did you mean"
    site_names: dict
    loaded_at: float = 0.0


_settings_lock = threading.Lock()
_settings = {"version": None, "value": None}
SETTINGS_TTL = 300


def bump_settings_version():
    """Called whenever best bets, synonyms, hot words or sites change."""
    cache.set(SETTINGS_VERSION_KEY, time.time_ns(), None)


def search_settings():
    version = cache.get(SETTINGS_VERSION_KEY)
    current = _settings["value"]
    if (current is not None and _settings["version"] == version
            and time.monotonic() - current.loaded_at < SETTINGS_TTL):
        return current
    with _settings_lock:
        value = _load_settings()
        _settings.update(version=version, value=value)
        return value


def _load_settings():
    from govweb.cluster.models import SiteProfile

    from .models import BestBet, HotKeyword, SynonymGroup

    synonyms = {}
    vocabulary = set()
    for group in SynonymGroup.objects.filter(active=True):
        terms = [analysis.normalise(t) for t in group.term_list]
        # Not added to the segmenter: that would segment new queries differently from the
        # text already indexed. Phrases are matched on the query text instead (build_groups).
        vocabulary.update(terms)
        heads = terms if group.two_way else terms[:1]
        for head in heads:
            synonyms.setdefault(head, [])
            synonyms[head].extend(t for t in terms if t != head and t not in synonyms[head])
    best_bets = list(BestBet.objects.filter(active=True))
    for bet in best_bets:
        bet.queries_normalised = [analysis.normalise(q).replace(" ", "") for q in bet.queries]
        vocabulary.update(bet.queries_normalised)
    hot = {}
    for kw in HotKeyword.objects.filter(active=True):
        hot.setdefault(kw.site_key, []).append(kw.keyword)
        vocabulary.add(analysis.normalise(kw.keyword))
    departments, site_names = [], {}
    for p in SiteProfile.objects.select_related("site", "site__root_page"):
        key = p.site.root_page.slug if p.site_id else ""
        site_names[key] = p.organisation
        if p.status != "online":
            continue
        departments.append({
            "key": key, "organisation": p.organisation, "short_name": p.short_name,
            "address": p.address, "phone": p.phone, "email": p.email,
            "description": p.description, "url": p.site.root_url + "/",
        })
        vocabulary.add(p.organisation)
    for line in (analysis.DATA / "userdict.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            vocabulary.add(line.split()[0])
    return SearchSettings(synonyms=synonyms, best_bets=best_bets, departments=departments,
                          hot=hot, vocabulary=sorted(v for v in vocabulary if v),
                          site_names=site_names, loaded_at=time.monotonic())


# --- query building -----------------------------------------------------------------------
def expand_term(term, synonyms):
    """The word and what the general office says means the same."""
    alternatives = [[term]]
    for synonym in synonyms.get(term, []):
        alternatives.append(analysis.segment_phrase(synonym) or [synonym])
    if len(alternatives) == 1 and len(term) > 2:
        # 医保报销: a known abbreviation inside a longer word still expands (医疗保险 报销).
        for part in analysis.index_tokens(term):
            if part != term and part in synonyms:
                for synonym in synonyms[part]:
                    alternatives.append(analysis.segment_phrase(term.replace(part, synonym)))
                break
    return alternatives


def synonym_phrases(query, words, synonyms):
    """Synonym entries the segmenter does not know as words (电单车 → 电 单车) still apply:
    they are looked for in the query text. Returns (phrases, words they do not cover)."""
    compact = query.replace(" ", "")
    phrases, covered = [], ""
    for key in sorted(synonyms, key=len, reverse=True):
        if len(key) > 1 and key in compact and key not in words and key not in covered:
            phrases.append(key)
            covered += key + "|"
    if not phrases:
        return [], words
    rest = [w for w in words if not any(w in p for p in phrases)]
    return phrases, rest


def build_groups(words, synonyms, engine=None, query=""):
    groups = []
    phrases, words = synonym_phrases(query, words, synonyms) if query else ([], words)
    for phrase in phrases:
        alternatives = [analysis.segment_phrase(phrase) or [phrase]]
        alternatives += [analysis.segment_phrase(s) or [s] for s in synonyms[phrase]]
        groups.append(TermGroup(alternatives=alternatives, word=phrase))
    for word in words:
        alternatives = expand_term(word, synonyms)
        if engine is not None and len(word) > 2 and analysis.has_cjk(word):
            # A long word the index never segmented the same way: its sub-words together.
            if not engine.doc_freq(word):
                parts = [p for p in analysis.index_tokens(word) if len(p) > 1 and p != word]
                if parts:
                    alternatives.append(parts)
        groups.append(TermGroup(alternatives=alternatives, word=word,
                                optional=word in analysis.softwords()))
    return groups


# --- snippets -----------------------------------------------------------------------------
@lru_cache(maxsize=512)
def _words_pattern(words):
    """One regular expression for a query's words, longest first (compiled once per query)."""
    ordered = sorted(words, key=lambda w: (-len(w), w))
    return re.compile("|".join(re.escape(w) for w in ordered), re.IGNORECASE)


def highlight(text, words, length=SNIPPET_CHARS, whole=False):
    """Escaped text with <mark> around the query words, cut to the best window."""
    if not text:
        return ""
    words = frozenset(w for w in words if w)
    if not words:
        snippet = text if whole else text[:length]
        return html.escape(snippet) + ("…" if not whole and len(text) > length else "")
    pattern = _words_pattern(words)
    start = 0
    if not whole and len(text) > length:
        # The window (starting a little before a match) that shows the most different words.
        matches = [(m.start(), m.end(), m.group(0).lower()) for m in pattern.finditer(text)]
        starts = [s for s, _e, _w in matches]
        best, best_score = 0, -1
        for first in starts[:50]:
            window_start = max(0, first - 20)
            window_end = window_start + length
            seen = set()
            for s, e, word in matches[bisect_left(starts, window_start):]:
                if s >= window_end:
                    break
                if e <= window_end:
                    seen.add(word)
            if len(seen) > best_score:
                best, best_score = window_start, len(seen)
        start = best
    snippet = text if whole else text[start:start + length]
    out, last = [], 0
    for m in pattern.finditer(snippet):
        out.append(html.escape(snippet[last:m.start()]))
        out.append(f"<mark>{html.escape(m.group(0))}</mark>")
        last = m.end()
    out.append(html.escape(snippet[last:]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if not whole and start + length < len(text) else ""
    return prefix + "".join(out) + suffix


# --- the search ---------------------------------------------------------------------------
@dataclass
class SearchParams:
    q: str = ""
    site_key: str = ""            # the site the visitor is on
    scope: str = "cluster"        # cluster | site
    filters: dict = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1


@dataclass
class ResultItem:
    key: str
    url: str
    title: str
    title_html: str
    snippet_html: str
    type: str
    type_label: str
    site: str
    site_name: str
    topic: str
    date: object
    meta: dict
    position: int
    score: float

    def as_dict(self):
        return {"key": self.key, "url": self.url, "title": self.title,
                "title_html": self.title_html, "snippet_html": self.snippet_html,
                "type": self.type, "type_label": str(self.type_label), "site": self.site,
                "site_name": self.site_name, "topic": self.topic,
                "date": self.date.isoformat() if self.date else None,
                "meta": {k: v for k, v in self.meta.items() if k not in {"card", "type_label"}},
                "position": self.position, "score": round(self.score, 4)}


@dataclass
class SearchOutcome:
    params: SearchParams
    query: str = ""
    words: list = field(default_factory=list)
    total: int = 0
    results: list = field(default_factory=list)
    facets: list = field(default_factory=list)
    cards: list = field(default_factory=list)
    did_you_mean: str = ""
    message: str = ""
    page: int = 1
    num_pages: int = 0
    took_ms: float = 0.0
    broadened: bool = False

    @property
    def has_previous(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.num_pages


def facet_value_label(field_name, value, settings):
    if field_name == "type":
        return str(TYPE_LABELS.get(value, value))
    if field_name == "site":
        return settings.site_names.get(value, value)
    return str(value)


def clean_filters(raw, settings):
    """Keep only filter values that can mean something; unknown ones are dropped quietly."""
    filters = {}
    for name in FACET_FIELDS:
        values = raw.get(name) or []
        if isinstance(values, str):
            values = [values]
        kept = []
        for value in values[:5]:
            value = str(value).strip()[:40]
            if not value:
                continue
            if name == "year":
                if not value.isdigit() or not 1949 <= int(value) <= 2100:
                    continue
            elif name == "site" and value not in settings.site_names:
                continue
            elif name == "type" and not re.fullmatch(r"[a-z_]{1,30}", value):
                continue
            kept.append(value)
        if kept:
            filters[name] = kept
    return filters


def search(params, engine=None):
    started = time.perf_counter()
    engine = engine or get_engine()
    settings = search_settings()
    outcome = SearchOutcome(params=params)
    query = analysis.clean_query(params.q)
    outcome.query = query
    page = params.page if isinstance(params.page, int) and params.page > 0 else 1
    outcome.page = page
    if not query:
        outcome.message = (_("请输入搜索词。") if not (params.q or "").strip()
                           else _("搜索词中没有可以查找的文字，请换个说法。"))
        return outcome
    words = analysis.query_terms(query)
    outcome.words = words
    if not words:
        outcome.message = _("搜索词中没有可以查找的文字，请换个说法。")
        return outcome
    if page > MAX_PAGE:
        outcome.message = _("只提供前 %(n)d 页结果，请缩小范围或换个搜索词。") % {"n": MAX_PAGE}
        outcome.page = page
        return outcome

    filters = clean_filters(params.filters, settings)
    if params.scope == "site" and params.site_key:
        filters["site"] = [params.site_key]
    params.filters = filters
    groups = build_groups(words, settings.synonyms, engine, query=query)
    engine_query = EngineQuery(groups=groups, filters=filters, sort=params.sort,
                               offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    result = engine.search(engine_query)
    if result.total == 0:
        # Nothing has every word: show what has most of them, and say so.
        tokens = {t for g in groups for alt in g.alternatives for t in alt}
        if len(tokens) > 1:
            engine_query.groups = groups + [
                TermGroup(alternatives=[[t]], word=t) for t in sorted(tokens)]
            engine_query.match_all_groups = False
            result = engine.search(engine_query)
            outcome.broadened = result.total > 0

    highlight_words = {tok for g in groups for alt in g.alternatives for tok in alt}
    for i, hit in enumerate(result.hits, start=engine_query.offset + 1):
        outcome.results.append(ResultItem(
            key=hit.key, url=hit.url, title=hit.title,
            title_html=highlight(hit.title, highlight_words, whole=True),
            snippet_html=highlight(hit.text, highlight_words),
            type=hit.type,
            type_label=str(TYPE_LABELS.get(hit.type) or hit.meta.get("type_label") or hit.type),
            site=hit.site, site_name=settings.site_names.get(hit.site, hit.site),
            topic=hit.topic, date=hit.date, meta=hit.meta, position=i, score=hit.score,
        ))
    outcome.total = result.total
    outcome.num_pages = min(MAX_PAGE, (result.total + PAGE_SIZE - 1) // PAGE_SIZE)
    for name in FACET_FIELDS:
        buckets = result.facets.get(name) or []
        if name == "year":
            buckets = sorted(buckets, key=lambda b: -int(b[0]))
        chosen = {str(v) for v in filters.get(name, [])}
        values = [
            {"value": str(v), "label": facet_value_label(name, v, settings), "count": c,
             "selected": str(v) in chosen}
            for v, c in buckets if v not in ("", 0)
        ]
        if values:
            outcome.facets.append({"field": name, "label": str(FACET_LABELS[name]),
                                   "values": values})
    if page == 1:
        outcome.cards = cards_for(CardContext(
            query=query, words=words, groups=groups, site_key=params.site_key,
            engine=engine, settings=settings))
    outcome.did_you_mean = did_you_mean(words, engine, settings) or ""
    if result.total == 0 and not outcome.cards:
        outcome.message = _("没有找到与“%(q)s”相关的内容。") % {"q": query}
    elif page > 1 and not outcome.results:
        outcome.message = _("这一页没有结果了。")
    outcome.took_ms = (time.perf_counter() - started) * 1000
    return outcome


# --- did you mean ---------------------------------------------------------------------------
def _one_edit(a, b):
    if len(a) != len(b):
        return False
    return sum(1 for x, y in zip(a, b, strict=True) if x != y) == 1


def _near_miss(word, engine, settings):
    """The most frequent indexed word that sounds like `word` (公基金 → 公积金) or, for
    words of three characters or more, differs from it by one character."""
    if len(word) < 2 or not analysis.has_cjk(word) or engine.doc_freq(word):
        return None
    full, _initials = analysis.pinyin_keys(word)
    candidates = set(settings.vocabulary)
    candidates.update(t for t, _n in engine.title_terms(word[0], limit=400))
    curated = set(settings.vocabulary)
    best, best_score = None, 0.0
    for candidate in candidates:
        if candidate == word or len(candidate) != len(word):
            continue
        sounds_alike = analysis.pinyin_keys(candidate)[0] == full
        if not sounds_alike and not (len(word) >= 3 and _one_edit(candidate, word)):
            continue
        # Curated words (dictionary, synonyms, best bets) count even before content has them.
        score = engine.doc_freq(candidate) + (0.5 if candidate in curated else 0.0)
        if score > best_score:
            best, best_score = candidate, score
    return best


def did_you_mean(words, engine, settings):
    """A near-miss for the query: first the whole query as one word (the segmenter splits a
    mistyped word: 公基金 → 公 基金), then word by word."""
    joined = "".join(words)
    if 2 <= len(joined) <= 8 and len(words) > 1:
        fixed = _near_miss(joined, engine, settings)
        if fixed:
            return fixed
    changed, out = False, []
    for word in words:
        fixed = _near_miss(word, engine, settings)
        out.append(fixed or word)
        changed = changed or bool(fixed)
    return "".join(out) if changed else None


# --- suggestions and hot words --------------------------------------------------------------
POPULAR_KEY = "govweb:search:popular"


def popular_queries(days=30, limit=200, now=None):
    """What people search for most (with results), cached five minutes."""
    cached = cache.get(POPULAR_KEY)
    if cached is not None:
        return cached
    from .models import SearchLog

    since = (now or timezone.now()) - timedelta(days=days)
    rows = (SearchLog.objects.filter(created_at__gte=since, result_count__gt=0, page=1)
            .values("query").annotate(n=Count("id")).order_by("-n", "query")[:limit])
    popular = [(r["query"], r["n"]) for r in rows]
    cache.set(POPULAR_KEY, popular, 300)
    return popular


def suggest(prefix, site_key="", limit=8, engine=None):
    """Completions for what is being typed: by prefix, by full pinyin or by initials."""
    prefix = analysis.clean_query(prefix)[:30]
    if not prefix:
        return []
    engine = engine or get_engine()
    settings = search_settings()
    compact = prefix.replace(" ", "")
    weights = {}
    for phrase, n in popular_queries():
        weights[phrase] = weights.get(phrase, 0) + 10 * n
    for kw in settings.hot.get("", []) + settings.hot.get(site_key, []):
        weights[analysis.normalise(kw)] = weights.get(analysis.normalise(kw), 0) + 50
    for phrase in settings.vocabulary:
        weights.setdefault(phrase, 1)
    latin = re.fullmatch(r"[a-z]+", compact) is not None
    found = {}
    for phrase, weight in weights.items():
        p = phrase.replace(" ", "")
        if p == compact:
            continue
        if p.startswith(compact):
            found[phrase] = weight + 5
        elif latin and analysis.has_cjk(p):
            full, initials = analysis.pinyin_keys(p)
            if full.startswith(compact) or (len(compact) >= 2 and initials.startswith(compact)):
                found[phrase] = weight
    if analysis.has_cjk(compact) and len(found) < limit:
        for term, n in engine.title_terms(compact, limit=limit * 2):
            if term != compact and len(term) > len(compact):
                found.setdefault(term, min(n, 40))
    ranked = sorted(found.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))
    return [phrase for phrase, _w in ranked[:limit]]


def hot_keywords(site_key="", limit=8):
    settings = search_settings()
    words = list(settings.hot.get(site_key, [])) + list(settings.hot.get("", []))
    for phrase, _n in popular_queries():
        if phrase not in words:
            words.append(phrase)
    return words[:limit]


# --- reports for the general office -----------------------------------------------------------
def search_report(days=30, now=None, limit=30):
    """Top queries and queries that found nothing, for the admin report."""
    from .models import SearchLog

    since = (now or timezone.now()) - timedelta(days=days)
    logs = SearchLog.objects.filter(created_at__gte=since, page=1)
    top = (logs.values("query").annotate(n=Count("id"), clicks=Count("id", filter=Q(
        clicked_at__isnull=False))).order_by("-n", "query")[:limit])
    empty = (logs.filter(result_count=0).values("query")
             .annotate(n=Count("id"), last=Max("created_at")).order_by("-n", "query")[:limit])
    totals = {"searches": logs.count(), "empty": logs.filter(result_count=0).count(),
              "clicked": logs.filter(clicked_at__isnull=False).count()}
    return {"top": list(top), "empty": list(empty), "totals": totals, "days": days}
