"""What goes into the index (索引文档): every live page of every site, plus registered sources.

A page may define `search_document()` returning a dict that overrides or adds fields
(see docs/subsystems/search.md, "The search_document protocol"):

    type, type_label, title, body, summary, keywords, topic, date, url, meta, card, exclude

Anything not given is derived: site from the page's position in the tree, type from the model
(or the column kind for articles), text from StreamField/RichText/text fields, topic from the
shipped topic rules, date from pub_date or first publication.

Items that are not pages (published message replies, service items kept outside the tree)
come from sources registered with `register_source()`.
"""

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from html import unescape

from django.db import models
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, Site

from . import analysis
from .engines.base import SearchDocument

logger = logging.getLogger("govweb.search")

TYPE_LABELS = {
    "service": _("办事服务"),
    "policy": _("政策文件"),
    "interpretation": _("政策解读"),
    "notice": _("通知公告"),
    "news": _("政务动态"),
    "disclosure": _("信息公开"),
    "topic": _("专题专栏"),
    "message": _("互动回复"),
    "page": _("其他"),
}
# Column kinds (library.ColumnKind) → result type of the articles under them.
COLUMN_KIND_TYPES = {"news": "news", "notice": "notice", "policy": "policy",
                     "disclosure": "disclosure", "topic": "topic", "service": "service",
                     "interaction": "message"}
SKIPPED_MODELS = {"sitehomepage", "columnpage"}


# --- sources that are not pages ---------------------------------------------------------
@dataclass
class Source:
    """A kind of non-page item: `all()` yields SearchDocuments, `get(pk)` one or None."""

    name: str
    all: callable
    get: callable


_sources = {}


def register_source(name, all, get):
    """Called by other apps (e.g. interaction for published replies) in AppConfig.ready()."""
    _sources[name] = Source(name, all, get)


def sources():
    return dict(_sources)


# --- sites and topics ---------------------------------------------------------------------
def site_roots():
    """[(root path, site key)] longest first; the key is the home page's slug (portal, yunyan …)."""
    roots = [(s.root_page.path, s.root_page.slug) for s in Site.objects.select_related("root_page")]
    return sorted(roots, key=lambda r: len(r[0]), reverse=True)


def site_key_for(page, roots=None):
    for path, key in roots if roots is not None else site_roots():
        if page.path.startswith(path):
            return key
    return None


@lru_cache(maxsize=1)
def topic_rules():
    rules = []
    for line in (analysis.DATA / "topics.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or ":" not in line:
            continue
        topic, words = line.split(":", 1)
        rules.append((topic.strip(), words.split()))
    return rules


def infer_topic(title, extra=""):
    """主题分类 from the shipped rules: title first, then keywords and summary."""
    for text in (title, extra):
        if not text:
            continue
        for topic, words in topic_rules():
            if any(w in text for w in words):
                return topic
    return ""


# --- text extraction ----------------------------------------------------------------------
def html_text(html):
    return re.sub(r"\s+", " ", unescape(strip_tags(html or ""))).strip()


def page_text(page):
    """Readable text of every StreamField, RichTextField and TextField of the page."""
    parts = []
    for f in page._meta.get_fields():
        if getattr(f, "model", None) in (Page,) or not hasattr(f, "attname"):
            continue
        if f.name in {"summary", "search_description", "keywords"}:
            continue
        value = getattr(page, f.attname, None)
        if not value:
            continue
        try:
            if isinstance(f, StreamField):
                parts.extend(html_text(t) for t in f.stream_block.get_searchable_content(value))
            elif isinstance(f, RichTextField):
                parts.append(html_text(value))
            elif isinstance(f, models.TextField):
                parts.append(str(value))
        except Exception:  # one odd block must not keep a page out of search
            logger.exception("could not extract text of %s.%s", page.pk, f.name)
    return "\n".join(p for p in parts if p)


# Model names of other apps' pages → result type, until they say so in search_document().
MODEL_TYPES = {"policydocumentpage": "policy", "interpretationpage": "interpretation",
               "disclosureinfopage": "disclosure", "leaderspage": "disclosure",
               "disclosurecataloguepage": "disclosure"}
# Metadata shown with a result when the page has it (GB/T 21063.3 items of policies).
FACT_FIELDS = ("index_number", "document_number", "issuing_body", "written_on", "validity")


_column_kinds = {}


def _column_kind(page):
    """Kind of the page's column, memoised for one rebuild (columns rarely change kind)."""
    parent_path = page.path[:-page.steplen]
    if parent_path not in _column_kinds:
        parent = Page.objects.filter(path=parent_path).specific().first()
        _column_kinds[parent_path] = getattr(parent, "kind", "")
    return _column_kinds[parent_path]


def _default_type(page):
    model = page._meta.model_name
    if model in MODEL_TYPES:
        return MODEL_TYPES[model]
    for word, type_ in (("policy", "policy"), ("interpretation", "interpretation"),
                        ("disclosure", "disclosure"), ("service", "service"),
                        ("topic", "topic"), ("special", "topic")):
        if word in model:
            return type_
    if model == "articlepage":
        return COLUMN_KIND_TYPES.get(_column_kind(page), "news")
    return "page"


def _page_topic(page):
    """The top-level national topic (主题分类) when the page names one."""
    topic = getattr(page, "topic", None)
    if topic is None or not hasattr(topic, "name"):
        return ""
    parent = getattr(topic, "parent", None)
    return parent.name if parent is not None else topic.name


def _page_facts(page):
    facts = []
    for name in FACT_FIELDS:
        value = getattr(page, name, None)
        if not value:
            continue
        display = getattr(page, f"get_{name}_display", None)
        value = display() if callable(display) else value
        if hasattr(value, "strftime"):
            value = value.strftime("%Y-%m-%d")
        label = str(page._meta.get_field(name).verbose_name)
        facts.append({"label": label, "value": str(value)})
    return facts


def document_for_page(page, roots=None, known_public=False):
    """The SearchDocument for a live page, or None when it must not be searchable."""
    page = page.specific
    if page._meta.model_name in SKIPPED_MODELS or not page.live:
        return None
    if not known_public:
        _column_kinds.clear()  # a single page: read its column afresh
        if page.get_view_restrictions().exists():
            return None
    site = site_key_for(page, roots)
    if site is None:
        return None
    extra = {}
    if hasattr(page, "search_document"):
        extra = page.search_document() or {}
        if extra.get("exclude"):
            return None
    title = extra.get("title") or page.title
    summary = extra.get("summary") or getattr(page, "summary", "") or page.search_description
    body = extra.get("body") or page_text(page)
    keywords = extra.get("keywords") or " ".join(
        str(getattr(page, name, "") or "") for name in
        ("keywords", "subject_words", "document_number", "index_number", "issuing_body")).strip()
    date = (extra.get("date") or getattr(page, "pub_date", None) or page.first_published_at
            or page.last_published_at)
    type_ = extra.get("type") or _default_type(page)
    meta = dict(extra.get("meta") or {})
    if "facts" not in meta:
        facts = _page_facts(page)
        if facts:
            meta["facts"] = facts
    if type_ not in TYPE_LABELS:
        meta.setdefault("type_label", str(extra.get("type_label") or page._meta.verbose_name))
    if extra.get("card"):
        meta["card"] = extra["card"]
    topic = (extra.get("topic") or _page_topic(page)
             or infer_topic(title, f"{keywords} {summary}"))
    return build_document(
        key=f"page:{page.pk}", url=extra.get("url") or page.get_full_url() or page.url or "",
        title=title, summary=summary, body=body, type=type_, site=site, date=date,
        topic=topic, keywords=keywords, meta=meta,
    )


def build_document(*, key, url, title, body, type, site, date=None, summary="", topic="",
                   keywords="", meta=None):
    """Analyse the texts once and produce the engine's document (also used by sources)."""
    text = f"{summary}\n{body}".strip() if summary and summary not in body else body
    return SearchDocument(
        key=key, url=url, title=title, text=text, type=type, site=site or "", date=date,
        topic=topic or infer_topic(title, keywords), keywords=keywords,
        title_tokens=analysis.index_text(title),
        body_tokens=analysis.index_text(text),
        keyword_tokens=analysis.index_text(keywords),
        meta=meta or {},
    )


def iter_page_documents(batch=200):
    """Every searchable page of the cluster, read in batches of one model at a time."""
    roots = site_roots()
    _column_kinds.clear()
    paths = [p for p, _ in roots]
    if not paths:
        return
    query = models.Q()
    for path in paths:
        query |= models.Q(path__startswith=path)
    base = (Page.objects.live().public().filter(query).exclude(depth__lte=2)
            .exclude(content_type__model__in=SKIPPED_MODELS))
    for content_type_id in base.values_list("content_type", flat=True).distinct().order_by():
        ids = list(base.filter(content_type_id=content_type_id).values_list("pk", flat=True)
                   .order_by("pk"))
        for start in range(0, len(ids), batch):
            chunk = Page.objects.filter(pk__in=ids[start:start + batch]).specific()
            for page in chunk:
                doc = document_for_page(page, roots, known_public=True)
                if doc is not None:
                    yield doc


def iter_all_documents():
    yield from iter_page_documents()
    for source in sources().values():
        try:
            yield from source.all()
        except Exception:
            logger.exception("search source %s failed during reindex", source.name)


def count_all_documents():
    n = Page.objects.live().public().filter(depth__gt=2).exclude(
        content_type__model__in=SKIPPED_MODELS).count()
    return n
