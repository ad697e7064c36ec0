"""The small interface every search engine implements (检索引擎接口).

Text arrives already analysed: `SearchDocument.title_tokens`/`body_tokens` are segmented,
normalised words joined by spaces, and an `EngineQuery` is a tree of exact terms. Engines
therefore never parse user input and never need a Chinese analyzer of their own.
"""

from dataclasses import dataclass, field
from datetime import datetime

FACET_FIELDS = ("type", "site", "topic", "year")


@dataclass
class SearchDocument:
    """One searchable item of the cluster (page, service guide, published reply …)."""

    key: str                      # "page:123", "service:45" — unique in the index
    url: str
    title: str
    text: str                     # plain text for snippets (stored, truncated)
    type: str                     # content type code: news, notice, policy, interpretation …
    site: str                     # site key (SiteProfile domain label), "" for cluster-wide
    date: datetime | None = None
    topic: str = ""
    keywords: str = ""
    title_tokens: str = ""
    body_tokens: str = ""
    keyword_tokens: str = ""
    meta: dict = field(default_factory=dict)   # facts shown with the result (索引号, 发文字号 …)

    @property
    def year(self):
        return self.date.year if self.date else 0


@dataclass
class TermGroup:
    """One query word: the document must contain one of its alternatives (the word or a
    synonym); an alternative of several tokens needs all of them."""

    alternatives: list[list[str]]
    word: str = ""
    optional: bool = False    # a weak word (政策, 办理): ranks, does not restrict


@dataclass
class EngineQuery:
    groups: list[TermGroup]
    filters: dict = field(default_factory=dict)     # facet field → list of accepted values
    match_all_groups: bool = True
    sort: str = "relevance"                          # relevance | date
    offset: int = 0
    limit: int = 10
    facets: bool = True
    fields: tuple | None = None     # text fields to match; None: title, keywords and body


@dataclass
class Hit:
    key: str
    score: float
    url: str
    title: str
    text: str
    type: str
    site: str
    topic: str
    date: datetime | None
    meta: dict


@dataclass
class EngineResult:
    total: int
    hits: list[Hit]
    facets: dict = field(default_factory=dict)       # field → [(value, count)]


class SearchEngine:
    """What the search service needs from an engine."""

    name = "base"

    def add(self, documents):
        """Add or replace documents (by key) and make them visible."""
        raise NotImplementedError

    def remove(self, keys):
        raise NotImplementedError

    def rebuild(self, documents, progress=None):
        """Replace the whole index by `documents` (an iterable) in one commit."""
        raise NotImplementedError

    def search(self, query: EngineQuery) -> EngineResult:
        raise NotImplementedError

    def doc_freq(self, term):
        """How many documents contain the term (title or body): used for "did you mean"."""
        raise NotImplementedError

    def title_terms(self, prefix, limit=20):
        """Title words starting with prefix, with their document counts (suggestions)."""
        return []

    def get(self, key):
        """The stored hit for a key, or None."""
        raise NotImplementedError

    def count(self):
        raise NotImplementedError

    def keys(self):
        """Every key in the index (for reconciliation)."""
        raise NotImplementedError

    def size_bytes(self):
        return 0
