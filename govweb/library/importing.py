"""Bottom-layer connection (底层对接, R2.2): items from outside sites in the unified format.

Input is JSON Lines or CSV (same field names; see docs/subsystems/library.md). Each record
carries an external ID; (source site, external ID) is the key, so importing the same record
again updates its page (or, when nothing changed, does nothing at all). A bad record is reported
with its line number, field and reason and skipped; good records are committed in batches.

Speed: publishing Wagtail pages one by one costs dozens of queries and several queued tasks
each. New and changed items are instead written in bulk by `bulk.PageWriter` (one INSERT per
table per batch, pages left exactly as an editor's publication leaves them), and what
publishing does after each page — purging cached listings, Wagtail's reference and search
indexing — is done once per batch (`announce_published`).
"""

import csv
import hashlib
import io
import json
import os
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import nh3
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.encoding import iri_to_uri
from django.utils.text import slugify
from wagtail.models import Locale, Page, Site

from govweb.cluster.models import SiteProfile

from .bulk import PageWriter, Table
from .models import (
    DOCUMENT_NUMBER_RE,
    LONG_ORIGINAL,
    SUMMARY_LONG_LIMIT,
    SUMMARY_SHORT_LIMIT,
    ArticlePage,
    ColumnPage,
    ExternalItem,
    InterpretationKind,
    InterpretationPage,
    PolicyDocumentPage,
    Validity,
    site_profile_for_path,
)

# Sent after each committed batch with the ids of pages created or updated (for indexers).
items_imported = Signal()

BATCH_SIZE = 1000
TYPES = {"article": ArticlePage, "policy": PolicyDocumentPage, "interpretation": InterpretationPage}
COMMON_FIELDS = ["external_id", "type", "site", "column", "title", "pub_date", "source", "author",
                 "summary", "keywords", "topic", "body"]
POLICY_FIELDS = ["issuing_body", "document_number", "written_on", "genre", "audience",
                 "subject_words", "validity", "validity_changed_on"]
INTERPRETATION_FIELDS = ["policy_external_id", "kind", "video_url"]
ALL_FIELDS = COMMON_FIELDS + POLICY_FIELDS + INTERPRETATION_FIELDS
BODY_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "a", "h2", "h3", "h4",
             "blockquote", "table", "thead", "tbody", "tr", "th", "td"}


@dataclass
class ImportError_:
    line: int
    field: str
    reason: str
    external_id: str = ""

    def as_dict(self):
        return {"line": self.line, "field": self.field, "reason": self.reason,
                "external_id": self.external_id}

    def __str__(self):
        return f"第{self.line}行 [{self.field}] {self.reason}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)

    @property
    def failed(self):
        return len(self.errors)

    @property
    def total(self):
        return self.created + self.updated + self.unchanged + self.failed

    def as_dict(self):
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "failed": self.failed, "errors": [e.as_dict() for e in self.errors]}


class RecordError(Exception):
    def __init__(self, field_name, reason):
        super().__init__(reason)
        self.field = field_name
        self.reason = reason


# --- reading -------------------------------------------------------------------------------

def read_records(stream, fmt):
    """Yield (line number, dict or RecordError) from a text stream of JSON Lines or CSV."""
    if fmt == "csv":
        reader = csv.DictReader(stream)
        for row in reader:
            yield reader.line_num, {k.strip(): (v or "") for k, v in row.items() if k}
        return
    for number, line in enumerate(stream, start=1):
        line = line.strip()
        if not line:
            continue
        try:
            record = json.loads(line)
        except ValueError as error:
            yield number, RecordError("(整行)", f"不是有效的JSON：{error.msg}")
            continue
        if not isinstance(record, dict):
            yield number, RecordError("(整行)", "每行必须是一个JSON对象。")
            continue
        yield number, record


def detect_format(name, explicit=None):
    if explicit:
        return explicit
    return "csv" if str(name).lower().endswith(".csv") else "jsonl"


# --- validation ----------------------------------------------------------------------------

class Lookups:
    """Sites, columns and taxonomy terms, each read once per import."""

    def __init__(self, default_site=None):
        from govweb.disclosure.models import Audience, Genre, TopicCategory

        self.default_site = default_site
        self.sites = {p.domain: p for p in SiteProfile.objects.select_related("site__root_page")}
        self.columns = {}
        self.topics = {}
        for topic in TopicCategory.objects.select_related("parent"):
            self.topics[topic.code] = topic
            self.topics[topic.full_name] = topic
            self.topics[topic.full_name.replace("\\", "/")] = topic
        self.genres = {}
        for genre in Genre.objects.all():
            self.genres[genre.code] = genre
            self.genres[genre.name] = genre
        self.audiences = {}
        for audience in Audience.objects.all():
            self.audiences[audience.code] = audience
            self.audiences[audience.name] = audience

    def site(self, value):
        if self.default_site is not None:
            if value and value != self.default_site.domain:
                raise RecordError("site", f"令牌只能导入本网站（{self.default_site.domain}）的信息。")
            return self.default_site
        if not value:
            raise RecordError("site", "必填：来源网站的英文域名，如 jyj.guiyang.gov.cn。")
        profile = self.sites.get(value.strip().lower())
        if profile is None:
            raise RecordError("site", f"站群中没有域名为“{value}”的网站。")
        return profile

    def column(self, profile, value):
        if not value:
            raise RecordError("column", "必填：目标栏目的路径，如 zwgk/zcwj 或 tzgg。")
        key = (profile.pk, value.strip("/"))
        if key not in self.columns:
            root = profile.site.root_page
            parts = value.strip("/").split("/")
            url_path = f"{root.url_path}{'/'.join(parts)}/"
            # Indexed slug lookup, then the tree checks in Python (LIKE on paths scans the table).
            candidates = [c for c in ColumnPage.objects.filter(slug=parts[-1]).order_by("depth")
                          if c.path.startswith(root.path)]
            column = next((c for c in candidates if c.url_path == url_path), None)
            if column is None and len(parts) == 1 and candidates:  # a bare slug anywhere in the site
                column = candidates[0]
            self.columns[key] = column
        column = self.columns[key]
        if column is None:
            raise RecordError("column", f"网站“{profile.organisation}”没有栏目“{value}”。")
        return column


def _text(record, name, max_length, required=False):
    value = record.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        value = str(value)
    value = value.strip()
    if required and not value:
        raise RecordError(name, "必填项不能为空。")
    if len(value) > max_length:
        raise RecordError(name, f"不能超过{max_length}字（当前{len(value)}字）。")
    return value


def _datetime(record, name, required=True):
    value = _text(record, name, 40, required)
    if not value:
        return None
    tz = _local_tz()
    if len(value) == 16 and value[4] == "-" and value[10] == " ":  # the unified YYYY-MM-DD HH:MM
        try:
            return datetime(int(value[:4]), int(value[5:7]), int(value[8:10]), int(value[11:13]),
                            int(value[14:16]), tzinfo=tz)
        except ValueError:
            pass
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=tz)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise RecordError(name, f"时间格式应为 YYYY-MM-DD HH:MM，而不是“{value}”。") from None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _local_tz():
    # Looked up once: get_current_timezone() per record costs more than the parsing itself.
    global _TZ
    if _TZ is None:
        _TZ = timezone.get_default_timezone()
    return _TZ


_TZ = None


def _date(record, name, required=True):
    value = _text(record, name, 20, required)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RecordError(name, f"日期格式应为 YYYY-MM-DD，而不是“{value}”。") from None


def normalise(record, lookups, today):
    """A validated, canonical record (dict of plain values) or RecordError naming the field."""
    unknown = [k for k in record if k not in ALL_FIELDS]
    if unknown:
        raise RecordError(unknown[0], "未知字段（统一格式中没有此字段）。")
    out = {"external_id": _text(record, "external_id", 100, required=True)}
    kind = _text(record, "type", 20) or "article"
    if kind not in TYPES:
        raise RecordError("type", f"类型应为 article、policy 或 interpretation，而不是“{kind}”。")
    out["type"] = kind
    profile = lookups.site(_text(record, "site", 253))
    column = lookups.column(profile, _text(record, "column", 255))
    out["site_id"], out["column_id"] = profile.pk, column.pk
    out["title"] = _text(record, "title", 255, required=True)
    pub_date = _datetime(record, "pub_date")
    if pub_date > timezone.now() + timedelta(days=1):
        raise RecordError("pub_date", "发布时间不能晚于当前时间。")
    out["pub_date"] = pub_date.isoformat()
    for name, limit in (("source", 100), ("author", 100), ("keywords", 200)):
        out[name] = _text(record, name, limit)
    body = record.get("body") or ""
    if not isinstance(body, str):
        raise RecordError("body", "正文应为HTML字符串。")
    body = nh3.clean(body, tags=BODY_TAGS, attributes={"a": {"href", "title"}, "td": {"colspan", "rowspan"},
                                                        "th": {"colspan", "rowspan"}},
                     link_rel="noopener noreferrer")
    out["body"] = body
    summary = _text(record, "summary", SUMMARY_LONG_LIMIT)
    length = len(nh3.clean(body, tags=set()))
    limit = SUMMARY_LONG_LIMIT if length > LONG_ORIGINAL else SUMMARY_SHORT_LIMIT
    if len(summary) > limit:
        raise RecordError("summary", f"内容概述不得超过{limit}字（正文{length}字），当前{len(summary)}字。")
    out["summary"] = summary
    topic = _text(record, "topic", 100)
    if topic:
        if topic not in lookups.topics:
            raise RecordError("topic", f"“{topic}”不是标准主题分类（请用分类代码或“一级\\二级”名称）。")
        out["topic_id"] = lookups.topics[topic].pk
    else:
        out["topic_id"] = None
    if kind == "policy":
        _normalise_policy(record, out, lookups, today, pub_date)
        if not out["topic_id"]:
            raise RecordError("topic", "政策文件必须填写主题分类。")
    elif kind == "interpretation":
        out["policy_external_id"] = _text(record, "policy_external_id", 100, required=True)
        interp_kind = _text(record, "kind", 12) or InterpretationKind.TEXT
        if interp_kind not in InterpretationKind.values:
            raise RecordError("kind", f"解读形式应为 {'、'.join(InterpretationKind.values)} 之一。")
        out["kind"] = interp_kind
        out["video_url"] = _text(record, "video_url", 200)
    return out


def _normalise_policy(record, out, lookups, today, pub_date):
    out["issuing_body"] = _text(record, "issuing_body", 100, required=True)
    number = _text(record, "document_number", 60)
    if number and not DOCUMENT_NUMBER_RE.match(number):
        raise RecordError("document_number", f"发文字号“{number}”格式不正确，应如“筑府办发〔2018〕2号”。")
    out["document_number"] = number
    written = _date(record, "written_on")
    if written > today:
        raise RecordError("written_on", "成文日期不能晚于今天。")
    if written > timezone.localtime(pub_date).date():
        raise RecordError("written_on", "成文日期不能晚于发布日期。")
    out["written_on"] = written.isoformat()
    genre = _text(record, "genre", 40, required=True)
    if genre not in lookups.genres:
        raise RecordError("genre", f"“{genre}”不是标准体裁分类。")
    out["genre_id"] = lookups.genres[genre].pk
    audience = _text(record, "audience", 40)
    if audience and audience not in lookups.audiences:
        raise RecordError("audience", f"“{audience}”不是标准服务对象。")
    out["audience_id"] = lookups.audiences[audience].pk if audience else None
    out["subject_words"] = _text(record, "subject_words", 200)
    validity = _text(record, "validity", 10) or Validity.IN_FORCE
    if validity not in Validity.values:
        raise RecordError("validity", f"有效性应为 {'、'.join(Validity.values)} 之一。")
    out["validity"] = validity
    changed = _date(record, "validity_changed_on", required=validity != Validity.IN_FORCE)
    out["validity_changed_on"] = changed.isoformat() if changed else None


def checksum(out):
    return hashlib.sha1(json.dumps(out, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# --- writing -------------------------------------------------------------------------------

def _field_values(out):
    """The page's own field values, by attname, for a normalised record."""
    values = {
        "title": out["title"], "pub_date": datetime.fromisoformat(out["pub_date"]),
        "source": out["source"], "author": out["author"], "summary": out["summary"],
        "keywords": out["keywords"], "topic_id": out["topic_id"],
        "body": [{"type": "paragraph", "value": out["body"],
                  "id": str(uuid.uuid5(uuid.NAMESPACE_URL, out["external_id"]))}]
        if out["body"] else [],
    }
    if out["type"] == "policy":
        values.update(
            issuing_body=out["issuing_body"], document_number=out["document_number"],
            written_on=date.fromisoformat(out["written_on"]), genre_id=out["genre_id"],
            audience_id=out["audience_id"], subject_words=out["subject_words"],
            validity=out["validity"],
            validity_changed_on=date.fromisoformat(out["validity_changed_on"])
            if out["validity_changed_on"] else None,
        )
    elif out["type"] == "interpretation":
        values.update(kind=out["kind"], video_url=out["video_url"], policy_id=out["policy_id"])
    return values


class Importer:
    """Import records; `run(records)` takes (line, record) pairs and returns an ImportResult.

    Pages are written by `bulk.PageWriter` (as an editor's publication leaves them); after each
    committed batch the cached listings are purged, Wagtail's reference and admin search
    indexes are queued for the worker (`tasks.index_imported_pages`) and `items_imported` is
    sent — once per batch instead of once per page.
    """

    def __init__(self, *, default_site=None, user=None, now=None, progress=None,
                 batch_size=BATCH_SIZE):
        self.lookups = Lookups(default_site)
        self.user = user
        self.now = now or timezone.now()
        self.today = timezone.localtime(self.now).date()
        self.progress = progress
        self.batch_size = batch_size
        self.result = ImportResult()
        self.content_types = {k: ContentType.objects.get_for_model(m).pk for k, m in TYPES.items()}
        self.writer = PageWriter(user=user, now=self.now, locale_id=Locale.get_default().pk)
        self.external_items = Table(ExternalItem, [f for f in ExternalItem._meta.local_concrete_fields
                                                   if not f.primary_key])
        self.org_codes = {}

    def run(self, records):
        batch = []
        for line, record in records:
            if isinstance(record, RecordError):
                self.result.errors.append(ImportError_(line, record.field, record.reason))
            else:
                try:
                    out = normalise(record, self.lookups, self.today)
                    batch.append((line, out))
                except RecordError as error:
                    self.result.errors.append(ImportError_(
                        line, error.field, error.reason, str(record.get("external_id", ""))[:100]))
            if self.progress:
                self.progress(1)
            if len(batch) >= self.batch_size:
                self._commit(batch)
                batch = []
        if batch:
            self._commit(batch)
        self.result.errors.sort(key=lambda e: e.line)
        return self.result

    def _commit(self, batch):
        with transaction.atomic():
            created, updated, columns = self._write(batch)
        if created or updated:
            announce_published(created + updated, columns, updated)

    def _existing(self, batch):
        """(site, external id) → (item id, page id, checksum, content type) of known records."""
        keys = defaultdict(set)
        for _line, out in batch:
            keys[out["site_id"]].add(out["external_id"])
        existing = {}
        for site_id, ids in keys.items():
            for item_id, external_id, page_id, digest, content_type in ExternalItem.objects.filter(
                    site_id=site_id, external_id__in=ids).values_list(
                    "id", "external_id", "page_id", "checksum", "page__content_type_id"):
                existing[(site_id, external_id)] = (item_id, page_id, digest, content_type)
        return existing

    def _policies(self, batch):
        """(site, external id) → page id of the policies the batch's interpretations name."""
        wanted = defaultdict(set)
        for _line, out in batch:
            if out["type"] == "interpretation":
                wanted[out["site_id"]].add(out["policy_external_id"])
        found = {}
        for site_id, ids in wanted.items():
            found.update(((site_id, external_id), page_id) for external_id, page_id in
                         ExternalItem.objects.filter(
                             site_id=site_id, external_id__in=ids,
                             page__content_type_id=self.content_types["policy"],
                         ).values_list("external_id", "page_id"))
        return found

    def _write(self, batch):
        existing = self._existing(batch)
        # Policies first, so interpretations in the same batch find them.
        ordered = sorted(batch, key=lambda pair: pair[1]["type"] == "interpretation")
        seen, creates, updates, created = set(), defaultdict(list), [], []
        for phase in ("main", "interpretation"):
            if phase == "interpretation":
                if creates:
                    created += self._create(creates)
                    creates = defaultdict(list)
                policies = self._policies(batch)
            for line, out in ordered:
                if (out["type"] == "interpretation") != (phase == "interpretation"):
                    continue
                key = (out["site_id"], out["external_id"])
                if key in seen:
                    self.result.errors.append(ImportError_(line, "external_id", "同一批数据中外部编号重复。",
                                                           out["external_id"]))
                    continue
                seen.add(key)
                if out["type"] == "interpretation":
                    out["policy_id"] = policies.get((out["site_id"], out["policy_external_id"]))
                    if out["policy_id"] is None:
                        self.result.errors.append(ImportError_(
                            line, "policy_external_id", "找不到所解读的政策文件（须先导入该文件）。",
                            out["external_id"]))
                        continue
                digest = checksum(out)
                item = existing.get(key)
                if item is None:
                    creates[out["column_id"]].append((line, out, digest))
                elif item[2] == digest:
                    self.result.unchanged += 1
                elif item[3] != self.content_types[out["type"]]:
                    self.result.errors.append(ImportError_(line, "type", "已导入的信息不能更改类型。",
                                                           out["external_id"]))
                else:
                    updates.append((out, digest, item))
        if creates:
            created += self._create(creates)
        updated = self._update(updates) if updates else []
        return created, updated, set(out["column_id"] for _line, out in batch)

    def _update(self, updates):
        """Publish a new revision of each changed record's page (its column and type stay)."""
        ids = [item[1] for _out, _digest, item in updates]
        pages = {}
        for kind in {out["type"] for out, _digest, _item in updates}:
            pages.update((p.pk, p) for p in TYPES[kind].objects.filter(pk__in=ids))
        self.writer.update([(pages[item[1]], _field_values(out)) for out, _digest, item in updates])
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE library_externalitem SET checksum = %s, imported_at = %s WHERE id = %s",
                [(digest, connection.ops.adapt_datetimefield_value(self.now), item[0])
                 for _out, digest, item in updates])
        # Items pushed to other sites are Wagtail aliases: they follow their source's new
        # revision, as when an editor publishes it.
        for page_id in Page.objects.filter(alias_of_id__in=ids).values_list("alias_of_id", flat=True).distinct():
            source = Page.objects.get(pk=page_id).specific
            source.update_aliases(revision=source.latest_revision, _content=source.latest_revision.content)
        self.result.updated += len(updates)
        return ids

    def _create(self, creates):
        """Publish new items, column by column, in bulk."""
        created = []
        for column_id, rows in creates.items():
            column = Page.objects.select_for_update().get(pk=column_id)
            slugs = [f"i-{slugify(out['external_id'])[:70] or 'item'}" for _l, out, _d in rows]
            taken = set()
            for start in range(0, len(slugs), 500):  # only the candidates, not every sibling
                taken.update(slug for path, slug in Page.objects.filter(
                    depth=column.depth + 1, slug__in=slugs[start:start + 500],
                ).values_list("path", "slug") if path.startswith(column.path))
            home_id = Page.objects.filter(path=column.path[: 2 * Page.steplen]).values_list("id", flat=True).first()
            pages = []
            for n, (_line, out, _digest) in enumerate(rows):
                slug = slugs[n]
                if slug in taken:
                    slug = f"{slug}-{hashlib.sha1(out['external_id'].encode()).hexdigest()[:8]}"
                taken.add(slug)
                values = _field_values(out)
                values.update(slug=slug, first_published_at=values["pub_date"],
                              column_id=column.pk, home_id=home_id)
                pages.append((TYPES[out["type"]], values))
            ids = self.writer.create(column, pages, prepare=lambda rows, c=column: self._number(c, rows))
            self.external_items.insert([
                {"site_id": out["site_id"], "external_id": out["external_id"], "page_id": page_id,
                 "checksum": digest, "imported_at": self.now}
                for page_id, (_line, out, digest) in zip(ids, rows, strict=True)
            ])
            self.result.created += len(ids)
            created += ids
        return created

    def _number(self, column, rows):
        """Index numbers (索引号) for the new policies, in blocks per year, registered to their
        pages: the same counter and registry as a policy an editor publishes."""
        from govweb.disclosure.actions import do_issue_index_numbers

        policies = [v for v in rows if "issuing_body" in v]
        if not policies:
            return
        if column.pk not in self.org_codes:
            profile = site_profile_for_path(column.path)
            self.org_codes[column.pk] = (profile.org_code or profile.id_code) if profile else ""
        by_year = defaultdict(list)
        for values in policies:
            by_year[timezone.localtime(values["pub_date"]).year].append(values)
        for year, group in by_year.items():
            numbers = do_issue_index_numbers(self.org_codes[column.pk], year, len(group),
                                             page_ids=[v["id"] for v in group])
            for values, number in zip(group, numbers, strict=True):
                values["index_number"] = number


def announce_published(page_ids, column_ids, updated_ids):
    """What publishing does after each page, once for a committed batch: purge the cached
    listings that show the new items (the columns and their ancestors up to the site home, as
    for an editor's publication) and the changed pages with their aliases, queue Wagtail's
    reference and admin search indexing for the worker, and tell other apps (`items_imported`).
    """
    from govweb.base import pagecache, purge

    from .tasks import index_imported_pages

    paths = list(Page.objects.filter(pk__in=column_ids).values_list("path", flat=True))
    if updated_ids:
        paths += Page.objects.filter(pk__in=updated_ids).values_list("path", flat=True)
        paths += Page.objects.filter(alias_of_id__in=updated_ids).values_list("path", flat=True)
    purged = {p for path in paths for p in purge.ancestor_paths(path)}
    # One purge for the batch (each tag is a write to the shared cache).
    pagecache.purge_tags({"cluster"} | {f"p:{p}" for p in purged})
    if os.environ.get("GOVWEB_PURGE_URLS"):  # nginx fronts refetch those pages at once
        purge.refresh_front_caches(_public_urls(purged))
    for start in range(0, len(page_ids), BATCH_SIZE):
        index_imported_pages.enqueue(page_ids[start:start + BATCH_SIZE])
    items_imported.send(sender=Importer, page_ids=page_ids)


def _public_urls(paths):
    # From url_path under the site root, not get_url_parts(): the import endpoint runs on the
    # admin role, which does not load the public URLconf (as in base/purge.py).
    roots = Site.get_site_root_paths()
    urls = []
    for url_path in Page.objects.filter(path__in=paths, depth__gte=2).values_list("url_path", flat=True):
        root = next((r for r in roots if url_path.startswith(r.root_path)), None)
        if root is not None:
            urls.append(root.root_url.rstrip("/") + iri_to_uri("/" + url_path[len(root.root_path):]))
    return sorted(urls)


def import_text(text, fmt, **kwargs):
    """Convenience for the endpoint and tests: import a whole string."""
    importer = Importer(**kwargs)
    return importer.run(read_records(io.StringIO(text), fmt))
