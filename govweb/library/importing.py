"""Bottom-layer connection (底层对接, R2.2): items from outside sites in the unified format.

Input is JSON Lines or CSV (same field names; see docs/subsystems/library.md). Each record
carries an external ID; (source site, external ID) is the key, so importing the same record
again updates its page (or, when nothing changed, does nothing at all). A bad record is reported
with its line number, field and reason and skipped; good records are committed in batches.

Speed: creating Wagtail pages one by one with add_child costs dozens of queries each. New
items are instead inserted in bulk: tree paths are computed here from the column's last
child, and the three tables of an item (page, library item, specific type) are each written
with one multi-row INSERT per batch.
"""

import csv
import hashlib
import io
import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import nh3
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Locale, Page

from govweb.cluster.models import SiteProfile

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
    LibraryItemPage,
    PolicyDocumentPage,
    Validity,
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
    """Model field values of a normalised record (column and site are not fields)."""
    values = {
        "title": out["title"], "draft_title": out["title"],
        "pub_date": datetime.fromisoformat(out["pub_date"]),
        "source": out["source"], "author": out["author"], "summary": out["summary"],
        "keywords": out["keywords"], "topic_id": out["topic_id"],
        "body": [{"type": "paragraph", "value": out["body"], "id": str(uuid.uuid5(uuid.NAMESPACE_URL, out["external_id"]))}]
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
    """Import records; `run(records)` takes (line, record) pairs and returns an ImportResult."""

    def __init__(self, *, default_site=None, user=None, now=None, progress=None,
                 batch_size=BATCH_SIZE):
        self.lookups = Lookups(default_site)
        self.user = user
        self.now = now or timezone.now()
        self.today = timezone.localtime(self.now).date()
        self.progress = progress
        self.batch_size = batch_size
        self.result = ImportResult()
        self.locale = Locale.get_default()
        self.content_types = {k: ContentType.objects.get_for_model(m) for k, m in TYPES.items()}

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
            touched = self._write(batch)
        if touched:
            items_imported.send(sender=Importer, page_ids=touched)

    def _write(self, batch):
        keys = defaultdict(set)
        for _line, out in batch:
            keys[out["site_id"]].add(out["external_id"])
        existing = {}
        for site_id, ids in keys.items():
            for item in ExternalItem.objects.filter(site_id=site_id, external_id__in=ids).select_related("page"):
                existing[(site_id, item.external_id)] = item
        # Policies first, so interpretations in the same batch find them.
        ordered = sorted(batch, key=lambda pair: pair[1]["type"] == "interpretation")
        seen, creates, touched = set(), defaultdict(list), []
        for phase in ("main", "interpretation"):
            if phase == "interpretation" and creates:
                touched += self._create(creates)
                creates = defaultdict(list)
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
                    policy = ExternalItem.objects.filter(
                        site_id=out["site_id"], external_id=out["policy_external_id"]).first()
                    if policy is None or not PolicyDocumentPage.objects.filter(pk=policy.page_id).exists():
                        self.result.errors.append(ImportError_(
                            line, "policy_external_id", "找不到所解读的政策文件（须先导入该文件）。",
                            out["external_id"]))
                        continue
                    out["policy_id"] = policy.page_id
                digest = checksum(out)
                item = existing.get(key)
                if item is None:
                    creates[out["column_id"]].append((line, out, digest))
                elif item.checksum == digest:
                    self.result.unchanged += 1
                else:
                    error = self._update(item, out, digest)
                    if error:
                        self.result.errors.append(ImportError_(line, error[0], error[1], out["external_id"]))
                    else:
                        self.result.updated += 1
                        touched.append(item.page_id)
        if creates:
            touched += self._create(creates)
        return touched

    def _update(self, item, out, digest):
        model = TYPES[out["type"]]
        if item.page.content_type_id != self.content_types[out["type"]].pk:
            return ("type", "已导入的信息不能更改类型。")
        values = _field_values(out)
        instance = model(**{k: v for k, v in values.items()})
        for m in (Page, LibraryItemPage, model):
            local = {f.attname for f in m._meta.local_concrete_fields}
            fields = {k: getattr(instance, k) if k != "body" else instance.body
                      for k in values if k in local}
            if fields:
                if "body" in fields:
                    fields["body"] = m._meta.get_field("body").get_prep_value(instance.body)
                m._base_manager.filter(pk=item.page_id).update(**fields)
        Page.objects.filter(pk=item.page_id).update(last_published_at=self.now)
        item.checksum, item.imported_at = digest, self.now
        item.save(update_fields=["checksum", "imported_at"])
        return None

    def _create(self, creates):
        """Insert new items in bulk, column by column."""
        from govweb.disclosure.actions import do_issue_index_numbers
        from govweb.disclosure.models import IssuedIndexNumber

        created_ids = []
        for column_id, rows in creates.items():
            column = Page.objects.select_for_update().get(pk=column_id)
            # A range on the path index (children of the column lie between path and path+ZZZZ).
            last = (Page.objects.filter(path__gt=column.path, path__lte=column.path + "Z" * Page.steplen,
                                        depth=column.depth + 1)
                    .order_by("-path").values_list("path", flat=True).first())
            next_step = Page._str2int(last[-Page.steplen:]) + 1 if last else 1
            slugs = [f"i-{slugify(out['external_id'])[:70] or 'item'}" for _l, out, _d in rows]
            taken = set()
            for start in range(0, len(slugs), 500):  # only the candidates, not every sibling
                taken.update(slug for path, slug in Page.objects.filter(
                    depth=column.depth + 1, slug__in=slugs[start:start + 500],
                ).values_list("path", "slug") if path.startswith(column.path))
            home_id = Page.objects.filter(path=column.path[: 2 * Page.steplen]).values_list("id", flat=True).first()
            objects, by_type = [], defaultdict(list)
            for n, (_line, out, _digest) in enumerate(rows):
                model = TYPES[out["type"]]
                slug = slugs[n]
                if slug in taken:
                    slug = f"{slug}-{hashlib.sha1(out['external_id'].encode()).hexdigest()[:8]}"
                taken.add(slug)
                values = _field_values(out)
                obj = model(
                    **values, slug=slug, depth=column.depth + 1,
                    path=Page._get_path(column.path, column.depth + 1, next_step + n),
                    numchild=0, url_path=f"{column.url_path}{slug}/", live=True,
                    has_unpublished_changes=False, first_published_at=values["pub_date"],
                    last_published_at=self.now, owner=self.user, locale=self.locale,
                    content_type=self.content_types[out["type"]], column_id=column.pk, home_id=home_id,
                )
                objects.append(obj)
                by_type[out["type"]].append(obj)
            page_fields = [f for f in Page._meta.concrete_fields if not f.primary_key]
            self._insert(Page, objects, page_fields)
            ids = {}
            paths = [obj.path for obj in objects]
            for start in range(0, len(paths), 500):  # the path index gives the new ids back
                ids.update(Page.objects.filter(path__in=paths[start:start + 500]).values_list("path", "id"))
            for obj in objects:
                obj.id = obj.page_ptr_id = obj.libraryitempage_ptr_id = ids[obj.path]
            self._insert(LibraryItemPage, objects)
            policies = by_type.get("policy", [])
            if policies:
                self._number_policies(column, policies, do_issue_index_numbers, IssuedIndexNumber)
            for kind, objs in by_type.items():
                self._insert(TYPES[kind], objs)
            Page.objects.filter(pk=column_id).update(numchild=F("numchild") + len(objects))
            ExternalItem.objects.bulk_create([
                ExternalItem(site_id=out["site_id"], external_id=out["external_id"], page_id=obj.id,
                             checksum=digest, imported_at=self.now)
                for obj, (_line, out, digest) in zip(objects, rows, strict=True)
            ], batch_size=500)
            self.result.created += len(objects)
            created_ids += [obj.id for obj in objects]
        return created_ids

    @staticmethod
    def _number_policies(column, policies, issue, IssuedIndexNumber):
        from .models import site_profile_for_path

        profile = site_profile_for_path(column.path)
        org_code = (profile.org_code or profile.id_code) if profile else ""
        by_year = defaultdict(list)
        for obj in policies:
            by_year[timezone.localtime(obj.pub_date).year].append(obj)
        for year, objs in by_year.items():
            numbers = issue(org_code, year, len(objs))
            for obj, number in zip(objs, numbers, strict=True):
                obj.index_number = number
            registered = {r.number: r for r in IssuedIndexNumber.objects.filter(number__in=numbers)}
            for obj in objs:
                registered[obj.index_number].page_id = obj.id
            IssuedIndexNumber.objects.bulk_update(list(registered.values()), ["page"], batch_size=500)

    @staticmethod
    def _insert(model, objects, fields=None):
        """One executemany per table: the ORM's insert compiler costs more than SQLite itself."""
        fields = fields or list(model._meta.local_concrete_fields)
        quote = connection.ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields),
            ", ".join(["%s"] * len(fields)))
        rows = [[f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in objects]
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def import_text(text, fmt, **kwargs):
    """Convenience for the endpoint and tests: import a whole string."""
    importer = Importer(**kwargs)
    return importer.run(read_records(io.StringIO(text), fmt))
