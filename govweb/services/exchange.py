"""Catalogue exchange with the provincial online service hall (省网上办事大厅, R5.1).

One JSON format both ways (documented in docs/subsystems/services.md, served as JSON Schema at
/banshi/api/v1/schema.json). The field table below is the single source of the schema, the
validator and the serializer, so the three cannot drift apart.

Import rules: records are matched by item code; each record is validated on its own and saved
in its own transaction (a bad record is reported with field and reason, the others go on);
re-importing a record that matches what is stored writes nothing.
"""

import base64
import binascii
import datetime as dt
import hashlib
import io
import itertools
import os
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.utils.file import hash_filelike

from .exchange_file import FORMAT_NAME, CatalogueFile
from .models import (
    ApplicationCount,
    Audience,
    MaterialForm,
    MaterialMedium,
    MaterialSource,
    OnlineDepth,
    SealRequirement,
    ServiceItem,
    ServiceKind,
    ServiceMaterial,
    ServiceQuestion,
    ServiceStep,
    ServiceTopic,
    TopicKind,
    initial_of,
    missing_key_elements,
)

FORMAT_VERSION = 1
CODE_PATTERN = r"^[0-9A-Z]{12,40}$"
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
DEFAULT_MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
ATTACHMENT_SLOTS = ("blank_form", "instructions", "sample")


def max_attachment_bytes():
    return getattr(settings, "SERVICES_MAX_ATTACHMENT_BYTES", DEFAULT_MAX_ATTACHMENT_BYTES)


@dataclass
class Field:
    """One field of the exchange format."""

    name: str
    type: str  # string, text, integer, boolean, date, month, url, enum, list, attachment, topics
    title: str
    required: bool = False
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    choices: list | None = None
    pattern: str | None = None
    default: object = None
    nullable: bool = False
    items: list = field(default_factory=list)  # sub-fields of a list of objects


def _s(name, title, max_length, **kw):
    return Field(name, "string", title, max_length=max_length, default="", **kw)


def _t(name, title, **kw):
    return Field(name, "text", title, max_length=20000, default="", **kw)


STEP_FIELDS = [
    _s("name", "环节名称", 100, required=True),
    Field("time_limit_days", "integer", "环节时限（工作日）", minimum=0, maximum=32767, nullable=True),
    Field("counted_in_limit", "boolean", "计入办结时限", default=True),
    _s("fee", "环节收费", 100),
    _t("basis", "办理标准与依据"),
]
ATTACHMENT_FIELD_TITLES = {"blank_form": "空白表格", "instructions": "填写说明", "sample": "示例样表"}
MATERIAL_FIELDS = [
    _s("name", "材料名称", 200, required=True),
    _t("basis", "材料依据"),
    Field("form", "enum", "材料形式", choices=MaterialForm.values, default=MaterialForm.ORIGINAL),
    Field("medium", "enum", "载体", choices=MaterialMedium.values, default=MaterialMedium.PAPER),
    Field("copies", "integer", "份数", minimum=0, maximum=99, default=1),
    Field("seal", "enum", "签字盖章要求", choices=SealRequirement.values, default=SealRequirement.NONE),
    Field("source", "enum", "来源渠道", choices=MaterialSource.values, default=MaterialSource.APPLICANT),
    Field("required", "boolean", "必要材料", default=True),
    _s("notes", "备注", 300),
    *[Field(slot, "attachment", title, nullable=True) for slot, title in ATTACHMENT_FIELD_TITLES.items()],
]
QUESTION_FIELDS = [_s("question", "问题", 300, required=True), _t("answer", "解答", required=True)]
APPLICATION_FIELDS = [
    Field("month", "month", "月份（YYYY-MM）", required=True, pattern=MONTH_PATTERN),
    Field("total", "integer", "办件总数", minimum=0, maximum=2**31 - 1, default=0),
    Field("natural_persons", "integer", "自然人办件", minimum=0, maximum=2**31 - 1, default=0),
    Field("legal_persons", "integer", "法人办件", minimum=0, maximum=2**31 - 1, default=0),
]
ITEM_FIELDS = [
    Field("code", "string", "事项编码", required=True, max_length=40, pattern=CODE_PATTERN),
    _s("name", "事项名称", 200, required=True),
    Field("kind", "enum", "事项类型", required=True, choices=ServiceKind.values),
    _s("department", "所属单位（机构名称或网站标识码）", 100, required=True),
    _s("agency", "实施机构", 100),
    Field("audience", "enum", "服务对象", required=True, choices=Audience.values),
    Field("topics", "topics", "生命周期与主题", default=list),
    _t("legal_basis", "设定依据"),
    _t("conditions", "申请条件"),
    Field("statutory_limit_days", "integer", "法定办结时限（工作日）", minimum=0, maximum=32767,
          nullable=True),
    Field("promised_limit_days", "integer", "承诺办结时限（工作日）", minimum=0, maximum=32767,
          nullable=True),
    _t("fee_basis", "收费依据"),
    _s("fee_standard", "收费标准", 300),
    _s("place", "办理地点", 300),
    _s("hours", "办理时间", 200),
    _s("phone", "咨询电话", 100),
    _s("complaint_phone", "监督投诉电话", 100),
    Field("visits_required", "integer", "到办事现场次数", minimum=0, maximum=9, default=1),
    Field("online_url", "url", "在线办理地址", max_length=500, default=""),
    Field("online_depth", "enum", "网上办理深度", choices=OnlineDepth.values, default=OnlineDepth.GUIDE),
    _t("notes", "注意事项"),
    Field("version", "integer", "指南版本", minimum=1, maximum=2**31 - 1, default=1),
    Field("last_verified", "date", "最近核验日期（YYYY-MM-DD）", nullable=True),
    Field("published", "boolean", "已发布", default=False),
    Field("steps", "list", "办理环节", default=list, items=STEP_FIELDS),
    Field("materials", "list", "申请材料", default=list, items=MATERIAL_FIELDS),
    Field("questions", "list", "常见问题", default=list, items=QUESTION_FIELDS),
    Field("applications", "list", "办件量", default=list, items=APPLICATION_FIELDS),
]
SCALAR_ITEM_FIELDS = [f.name for f in ITEM_FIELDS if f.type not in {"list", "topics"}]


# -- JSON Schema --------------------------------------------------------------------------------


def _schema_of(spec):
    if spec.type in {"string", "text"}:
        schema = {"type": "string", "maxLength": spec.max_length}
        if spec.pattern:
            schema["pattern"] = spec.pattern
    elif spec.type == "url":
        schema = {"type": "string", "maxLength": spec.max_length,
                  "anyOf": [{"const": ""}, {"format": "uri", "pattern": "^https?://"}]}
    elif spec.type == "integer":
        schema = {"type": "integer", "minimum": spec.minimum, "maximum": spec.maximum}
    elif spec.type == "boolean":
        schema = {"type": "boolean"}
    elif spec.type == "date":
        schema = {"type": "string", "format": "date"}
    elif spec.type == "month":
        schema = {"type": "string", "pattern": spec.pattern}
    elif spec.type == "enum":
        schema = {"enum": list(spec.choices)}
    elif spec.type == "topics":
        schema = {"type": "array", "items": {
            "type": "object", "required": ["kind", "name"], "additionalProperties": False,
            "properties": {"kind": {"enum": TopicKind.values},
                           "name": {"type": "string", "maxLength": 40, "minLength": 1}}}}
    elif spec.type == "attachment":
        schema = {"type": "object", "required": ["filename", "content_base64"],
                  "properties": {
                      "title": {"type": "string", "maxLength": 255},
                      "filename": {"type": "string", "maxLength": 100},
                      "sha1": {"type": "string", "pattern": "^[0-9a-f]{40}$"},
                      "content_base64": {"type": "string", "contentEncoding": "base64",
                                         "description": f"至多 {max_attachment_bytes()} 字节"}}}
    elif spec.type == "list":
        schema = {"type": "array", "items": _object_schema(spec.items)}
    else:  # pragma: no cover - a typo in the table
        raise ValueError(spec.type)
    if spec.nullable:
        schema = {"anyOf": [schema, {"type": "null"}]}
    schema["title"] = spec.title
    return schema


def _object_schema(specs):
    return {
        "type": "object",
        "required": [s.name for s in specs if s.required],
        "properties": {s.name: _schema_of(s) for s in specs},
    }


def json_schema():
    """The JSON Schema (draft 2020-12) of an exchange file."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://www.guiyang.gov.cn/banshi/api/v1/schema.json",
        "title": "政务服务事项目录交换格式",
        "type": "object",
        "required": ["format", "version", "items"],
        "properties": {
            "format": {"const": FORMAT_NAME},
            "version": {"const": FORMAT_VERSION},
            "exported_at": {"type": "string", "format": "date-time"},
            "source": {"type": "string"},
            "items": {"type": "array", "items": _object_schema(ITEM_FIELDS)},
        },
    }


# -- validation ---------------------------------------------------------------------------------


class RecordError(Exception):
    def __init__(self, field_path, reason):
        super().__init__(f"{field_path}: {reason}")
        self.field = field_path
        self.reason = reason


def _clean_value(spec, value, path, errors):
    if value is None:
        if spec.nullable:
            return None
        if spec.required:
            errors.append((path, "必填项为空"))
            return None
        return spec.default() if callable(spec.default) else spec.default
    kind = spec.type
    if kind in {"string", "text", "url"}:
        if not isinstance(value, str):
            errors.append((path, f"应为字符串，实为{_type_name(value)}"))
            return None
        value = value.strip()
        if spec.required and not value:
            errors.append((path, "必填项为空"))
        if spec.max_length and len(value) > spec.max_length:
            errors.append((path, f"长度{len(value)}超过上限{spec.max_length}"))
        if spec.pattern and value and not re.match(spec.pattern, value):
            errors.append((path, "格式不符合要求"))
        if kind == "url" and value and not re.match(r"^https?://[^\s/$.?#].[^\s]*$", value):
            errors.append((path, "不是有效的 http(s) 网址"))
        return value
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            errors.append((path, f"应为整数，实为{_type_name(value)}"))
            return None
        if spec.minimum is not None and value < spec.minimum:
            errors.append((path, f"不能小于{spec.minimum}"))
        if spec.maximum is not None and value > spec.maximum:
            errors.append((path, f"不能大于{spec.maximum}"))
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            errors.append((path, f"应为 true 或 false，实为{_type_name(value)}"))
            return None
        return value
    if kind == "date":
        try:
            if isinstance(value, str) and len(value) == 10:
                return dt.date.fromisoformat(value)
        except ValueError:
            pass
        errors.append((path, "应为 YYYY-MM-DD 格式的日期"))
        return None
    if kind == "month":
        if not isinstance(value, str) or not re.match(MONTH_PATTERN, value):
            errors.append((path, "应为 YYYY-MM 格式的月份"))
            return None
        return dt.date(int(value[:4]), int(value[5:7]), 1)
    if kind == "enum":
        if value not in spec.choices:
            errors.append((path, f"取值“{value}”不在允许范围 {'/'.join(spec.choices)} 内"))
            return None
        return value
    if kind == "topics":
        if not isinstance(value, list):
            errors.append((path, "应为数组"))
            return []
        topics = []
        for index, topic in enumerate(value):
            sub = f"{path}[{index}]"
            if not isinstance(topic, dict):
                errors.append((sub, "应为对象"))
                continue
            if topic.get("kind") not in TopicKind.values:
                errors.append((f"{sub}.kind", f"取值不在允许范围 {'/'.join(TopicKind.values)} 内"))
                continue
            name = topic.get("name")
            if not isinstance(name, str) or not name.strip() or len(name.strip()) > 40:
                errors.append((f"{sub}.name", "应为1至40字的名称"))
                continue
            topics.append((topic["kind"], name.strip()))
        return sorted(set(topics))
    if kind == "attachment":
        return _clean_attachment(value, path, errors)
    if kind == "list":
        if not isinstance(value, list):
            errors.append((path, f"应为数组，实为{_type_name(value)}"))
            return []
        rows = []
        for index, row in enumerate(value):
            sub = f"{path}[{index}]"
            if not isinstance(row, dict):
                errors.append((sub, "应为对象"))
                continue
            rows.append(_clean_object(spec.items, row, sub, errors))
        return rows
    raise ValueError(kind)  # pragma: no cover


def _type_name(value):
    return {str: "字符串", int: "整数", float: "小数", bool: "布尔值", list: "数组",
            dict: "对象"}.get(type(value), type(value).__name__)


def _clean_attachment(value, path, errors):
    if not isinstance(value, dict):
        errors.append((path, "应为对象（filename、content_base64）"))
        return None
    filename = value.get("filename")
    if not isinstance(filename, str) or not filename.strip() or "/" in filename or "\\" in filename \
            or len(filename) > 100:
        errors.append((f"{path}.filename", "文件名为空、过长或含路径"))
        return None
    extension = os.path.splitext(filename)[1].lower().lstrip(".")
    allowed = getattr(settings, "WAGTAILDOCS_EXTENSIONS", None)
    if allowed and extension not in allowed:
        errors.append((f"{path}.filename", f"不允许的文件类型“{extension}”"))
        return None
    content = value.get("content_base64")
    if not isinstance(content, str):
        errors.append((f"{path}.content_base64", "缺少附件内容"))
        return None
    limit = max_attachment_bytes()
    if len(content) > (limit * 4) // 3 + 8:  # refuse before decoding a huge string
        errors.append((f"{path}.content_base64", f"附件超过大小上限 {limit // 1024} KB"))
        return None
    try:
        data = base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        errors.append((f"{path}.content_base64", "不是有效的 Base64 编码"))
        return None
    if len(data) > limit:
        errors.append((f"{path}.content_base64", f"附件超过大小上限 {limit // 1024} KB"))
        return None
    sha1 = hashlib.sha1(data).hexdigest()  # noqa: S324 - same content hash as Wagtail documents
    if value.get("sha1") and value["sha1"] != sha1:
        errors.append((f"{path}.sha1", "校验值与附件内容不符"))
        return None
    title = value.get("title") or os.path.splitext(filename)[0]
    if not isinstance(title, str) or len(title) > 255:
        errors.append((f"{path}.title", "标题应为255字以内的字符串"))
        return None
    return {"title": title.strip(), "filename": filename.strip(), "sha1": sha1, "data": data}


def _clean_object(specs, data, path, errors):
    clean = {}
    for spec in specs:
        sub = f"{path}.{spec.name}" if path else spec.name
        if spec.name not in data:
            if spec.required:
                errors.append((sub, "缺少必填字段"))
                clean[spec.name] = None
                continue
            clean[spec.name] = spec.default() if callable(spec.default) else spec.default
            continue
        clean[spec.name] = _clean_value(spec, data[spec.name], sub, errors)
    return clean


def validate_record(data, departments):
    """A record's clean values and its errors [(field, reason)]; `departments` maps names to units."""
    errors = []
    if not isinstance(data, dict):
        return None, [("", "记录应为 JSON 对象")]
    clean = _clean_object(ITEM_FIELDS, data, "", errors)
    if clean.get("department"):
        unit = departments.get(clean["department"])
        if unit is None:
            errors.append(("department", f"未知的单位“{clean['department']}”"))
        clean["department_obj"] = unit
    limits = (clean.get("statutory_limit_days"), clean.get("promised_limit_days"))
    if None not in limits and limits[1] > limits[0]:
        errors.append(("promised_limit_days", "承诺办结时限不能长于法定办结时限"))
    months = [row["month"] for row in clean.get("applications") or [] if row.get("month")]
    if len(months) != len(set(months)):
        errors.append(("applications", "同一月份重复出现"))
    return clean, errors


# -- serialization ------------------------------------------------------------------------------


def _attachment_out(document, mode):
    if document is None:
        return None
    filename = os.path.basename(document.file.name)
    out = {"title": document.title, "filename": filename, "sha1": document.file_hash or None}
    if mode == "embed":
        with document.file.open("rb") as handle:
            data = handle.read()
        out["sha1"] = hashlib.sha1(data).hexdigest()  # noqa: S324
        out["content_base64"] = base64.b64encode(data).decode("ascii")
    elif mode == "compare":
        return {"title": document.title, "sha1": document.file_hash}
    return out


def serialize_item(item, attachments="embed"):
    """An item as an exchange record. `attachments`: embed (base64), reference or compare."""
    record = {name: getattr(item, name) for name in SCALAR_ITEM_FIELDS
              if name not in {"department", "last_verified", "published"}}
    record["department"] = item.department.organisation
    record["last_verified"] = item.last_verified.isoformat() if item.last_verified else None
    record["published"] = item.live
    record["topics"] = [{"kind": kind, "name": name} for kind, name in
                        sorted((t.kind, t.name) for t in item.topics.all())]
    record["steps"] = [{s.name: getattr(step, s.name) for s in STEP_FIELDS} for step in item.steps.all()]
    record["materials"] = []
    for material in item.materials.all():
        row = {s.name: getattr(material, s.name) for s in MATERIAL_FIELDS if s.type != "attachment"}
        for slot in ATTACHMENT_SLOTS:
            row[slot] = _attachment_out(getattr(material, slot), attachments)
        record["materials"].append(row)
    record["questions"] = [{"question": q.question, "answer": q.answer} for q in item.questions.all()]
    record["applications"] = [
        {"month": a.month.strftime("%Y-%m"), "total": a.total,
         "natural_persons": a.natural_persons, "legal_persons": a.legal_persons}
        for a in item.applications.all()
    ]
    return record


def catalogue_queryset():
    return (
        ServiceItem.objects.select_related("department")
        .prefetch_related(
            "topics", "steps", "questions",
            Prefetch("materials", queryset=ServiceMaterial.objects.select_related(*ATTACHMENT_SLOTS)),
            Prefetch("applications", queryset=ApplicationCount.objects.order_by("month")),
        )
        .order_by("code")
    )


def iter_export(queryset=None, attachments="embed", chunk=500):
    """Records of the catalogue, streamed in chunks (memory stays flat on large catalogues)."""
    queryset = queryset if queryset is not None else catalogue_queryset()
    codes = list(queryset.values_list("code", flat=True))
    for start in range(0, len(codes), chunk):
        for item in catalogue_queryset().filter(code__in=codes[start:start + chunk]):
            yield serialize_item(item, attachments)


def write_export(handle, queryset=None, attachments="embed", now=None, progress=None):
    """Write the catalogue as one JSON document to a text handle; returns the item count."""
    import json

    now = now or timezone.now()
    source = json.dumps(getattr(settings, "WAGTAIL_SITE_NAME", "govweb"), ensure_ascii=False)
    handle.write(f'{{"format": {json.dumps(FORMAT_NAME)}, "version": {FORMAT_VERSION}, '
                 f'"exported_at": {json.dumps(now.isoformat())}, "source": {source}, "items": [\n')
    count = 0
    for record in iter_export(queryset, attachments):
        if count:
            handle.write(",\n")
        handle.write(json.dumps(record, ensure_ascii=False, sort_keys=True))
        count += 1
        if progress:
            progress(1)
    handle.write("\n]}\n")
    return count


# -- import -------------------------------------------------------------------------------------


def comparable(clean):
    """The clean record reduced to what serialize_item(..., 'compare') gives for a stored item."""
    record = {name: clean.get(name) for name in SCALAR_ITEM_FIELDS if name != "department"}
    record["department"] = clean["department_obj"].organisation
    record["last_verified"] = clean["last_verified"].isoformat() if clean.get("last_verified") else None
    # An incomplete guide is stored unpublished whatever the record says.
    record["published"] = bool(clean["published"]) and not missing_key_elements(
        clean, len(clean["materials"]), len(clean["steps"]))
    record["topics"] = [{"kind": kind, "name": name} for kind, name in clean["topics"]]
    record["steps"] = [dict(row) for row in clean["steps"]]
    record["materials"] = []
    for row in clean["materials"]:
        out = {k: v for k, v in row.items() if k not in ATTACHMENT_SLOTS}
        for slot in ATTACHMENT_SLOTS:
            att = row.get(slot)
            out[slot] = {"title": att["title"], "sha1": att["sha1"]} if att else None
        record["materials"].append(out)
    record["questions"] = [dict(row) for row in clean["questions"]]
    record["applications"] = [
        {"month": row["month"].strftime("%Y-%m"), "total": row["total"],
         "natural_persons": row["natural_persons"], "legal_persons": row["legal_persons"]}
        for row in clean["applications"]
    ]
    return record


def diff(old, new):
    """{field: [old, new]} for scalars; lists are summarised as counts."""
    changes = {}
    for key in new:
        if key == "applications":
            stored = {row["month"]: row for row in old.get("applications", [])}
            changed = [row["month"] for row in new[key] if stored.get(row["month"]) != row]
            if changed:
                changes[key] = ["", "更新月份 " + "、".join(changed)]
            continue
        if old.get(key) != new[key]:
            if isinstance(new[key], list):
                changes[key] = [f"{len(old.get(key) or [])}项", f"{len(new[key])}项（内容有变化）"]
            else:
                changes[key] = [old.get(key), new[key]]
    return changes


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    entries: list = field(default_factory=list)

    def add(self, status, index, code, **extra):
        setattr(self, status, getattr(self, status) + 1)
        self.entries.append({"index": index, "code": code, "status": status, **extra})

    @property
    def total(self):
        return self.created + self.updated + self.unchanged + self.failed

    def as_dict(self, limit=None):
        entries = self.entries if limit is None else self.entries[:limit]
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "failed": self.failed, "entries": entries,
                "truncated": limit is not None and len(self.entries) > limit}


def department_lookup():
    from govweb.cluster.models import SiteProfile

    units = {}
    for profile in SiteProfile.objects.select_related("collection"):
        units[profile.organisation] = profile
        units[profile.id_code] = profile
    return units


class _Topics:
    """Topic rows by (kind, name), created on first use."""

    def __init__(self):
        self.by_key = {(t.kind, t.name): t for t in ServiceTopic.objects.all()}
        self.slugs = {t.slug for t in self.by_key.values()}

    def ensure(self, keys):
        for kind, name in keys:
            if (kind, name) in self.by_key:
                continue
            slug, n = ServiceTopic.slug_for(kind, name), 1
            base = slug
            while slug in self.slugs:
                n += 1
                slug = f"{base[:76]}-{n}"
            topic = ServiceTopic.objects.create(kind=kind, name=name, slug=slug,
                                                position=len(self.by_key))
            self.by_key[(kind, name)] = topic
            self.slugs.add(slug)

    def get(self, keys):
        return [self.by_key[key] for key in keys]


def _document_for(attachment, collection, cache):
    """The stored document with this content and title, or a new one (so re-imports add none)."""
    Document = get_document_model()
    key = (attachment["sha1"], attachment["title"], attachment["filename"])
    if key in cache:
        return cache[key]
    candidates = Document.objects.filter(file_hash=attachment["sha1"], title=attachment["title"])
    document = next((d for d in candidates if os.path.basename(d.file.name) == attachment["filename"]),
                    None)
    if document is None:
        document = Document(title=attachment["title"], collection=collection) if collection else \
            Document(title=attachment["title"])
        document.file = ContentFile(attachment["data"], name=attachment["filename"])
        document.file_size = len(attachment["data"])
        document.file_hash = hash_filelike(io.BytesIO(attachment["data"]))
        document.save()
    cache[key] = document
    return document


def _apply(item, clean, topics, documents, now):
    """Write a clean record onto `item` (new or existing) with all its children."""
    for name in SCALAR_ITEM_FIELDS:
        if name in {"department", "published"}:
            continue
        setattr(item, name, clean[name])
    item.department = clean["department_obj"]
    missing = missing_key_elements(clean, len(clean["materials"]), len(clean["steps"]))
    item.missing_elements = missing
    go_live = bool(clean["published"]) and not missing
    if go_live and not item.live:
        item.first_published_at = item.first_published_at or now
        item.last_published_at = now
    item.live = go_live
    item.has_unpublished_changes = not go_live
    item.hall_version = clean["version"]
    item.hall_checked_at = now
    is_new = item.pk is None
    item.save(check_completeness=False)
    if not is_new:
        ServiceMaterial.objects.filter(item=item).delete()
        ServiceStep.objects.filter(item=item).delete()
        ServiceQuestion.objects.filter(item=item).delete()
    collection = clean["department_obj"].collection
    materials = []
    for position, row in enumerate(clean["materials"]):
        values = {k: v for k, v in row.items() if k not in ATTACHMENT_SLOTS}
        for slot in ATTACHMENT_SLOTS:
            att = row.get(slot)
            values[slot] = _document_for(att, collection, documents) if att else None
        materials.append(ServiceMaterial(item=item, sort_order=position, **values))
    ServiceMaterial.objects.bulk_create(materials)
    ServiceStep.objects.bulk_create(
        [ServiceStep(item=item, sort_order=i, **row) for i, row in enumerate(clean["steps"])])
    if clean["questions"]:
        ServiceQuestion.objects.bulk_create(
            [ServiceQuestion(item=item, sort_order=i, **row) for i, row in enumerate(clean["questions"])])
    wanted = topics.get(clean["topics"])
    if is_new:
        if wanted:
            ServiceItem.topics.through.objects.bulk_create(
                [ServiceItem.topics.through(serviceitem=item, servicetopic=t) for t in wanted])
    else:
        item.topics.set(wanted)
        item.topics.commit()
    counts = ("total", "natural_persons", "legal_persons")
    if is_new:
        ApplicationCount.objects.bulk_create([
            ApplicationCount(item=item, month=row["month"], **{k: row[k] for k in counts})
            for row in clean["applications"]])
    else:
        for row in clean["applications"]:
            ApplicationCount.objects.update_or_create(
                item=item, month=row["month"], defaults={k: row[k] for k in counts})
    if item.latest_revision_id:
        # Admin edits continue from what was imported, not from an older revision.
        fresh = ServiceItem.objects.get(pk=item.pk)
        revision = fresh.save_revision(clean=False, log_action=False)
        if fresh.live:
            ServiceItem.objects.filter(pk=item.pk).update(live_revision=revision,
                                                          has_unpublished_changes=False)
    return missing


def _codes_of(records):
    codes = []
    for record in records:
        code = record.get("code") if isinstance(record, dict) else None
        codes.append(code.strip() if isinstance(code, str) else None)
    return codes


def _batches(iterable, size):
    iterator = iter(iterable)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def import_records(records, *, now=None, check_only=False, progress=None, batch=500):
    """Import exchange records; returns an ImportReport. See the module docstring for the rules.

    `records`: a list of record dicts, or a `CatalogueFile` (read a batch at a time).
    """
    now = now or timezone.now()
    report = ImportReport()
    departments = department_lookup()
    topics = _Topics()
    documents = {}

    codes = {}
    for index, code in enumerate(records.codes if isinstance(records, CatalogueFile)
                                 else _codes_of(records)):
        if code is not None:
            codes.setdefault(code, []).append(index)
    duplicates = {code: indexes for code, indexes in codes.items() if len(indexes) > 1}
    del codes

    for chunk in _batches(enumerate(records), batch):
        cleaned = []
        for index, record in chunk:
            clean, errors = validate_record(record, departments)
            code = (clean or {}).get("code") or (record.get("code") if isinstance(record, dict) else None)
            if code in duplicates:
                others = [str(i + 1) for i in duplicates[code] if i != index]
                errors.append(("code", f"编码在文件中重复（另见第 {'、'.join(others)} 条）"))
            if errors:
                report.add("failed", index, code if isinstance(code, str) else None,
                           errors=[{"field": f, "reason": r} for f, r in errors])
                if progress:
                    progress(1)
                continue
            cleaned.append((index, clean))
        existing = {item.code: item for item in
                    catalogue_queryset().filter(code__in=[c["code"] for _, c in cleaned])}
        if not check_only:
            topics.ensure({key for _, clean in cleaned for key in clean["topics"]})
        fresh = [(i, c) for i, c in cleaned if c["code"] not in existing and not check_only]
        if fresh and _create_many(fresh, topics, documents, now, report):
            if progress:
                progress(len(fresh))
            cleaned = [(i, c) for i, c in cleaned if c["code"] in existing or check_only]
        for index, clean in cleaned:
            _import_one(index, clean, existing.get(clean["code"]), topics, documents, now,
                        check_only, report)
            if progress:
                progress(1)
    report.entries.sort(key=lambda entry: entry["index"])
    return report


def _create_many(entries, topics, documents, now, report):
    """New items of a batch written together, all or nothing; False means "do them one by one".

    Every record was validated before, so this normally succeeds; if anything fails (a code
    created meanwhile, a database error) the batch is rolled back and the caller imports the
    records one at a time, each in its own transaction, reporting the bad one alone.
    """
    Through = ServiceItem.topics.through
    counts = ("total", "natural_persons", "legal_persons")
    try:
        with transaction.atomic():
            items, warnings = [], {}
            for index, clean in entries:
                missing = missing_key_elements(clean, len(clean["materials"]), len(clean["steps"]))
                live = bool(clean["published"]) and not missing
                item = ServiceItem(
                    **{name: clean[name] for name in SCALAR_ITEM_FIELDS
                       if name not in {"department", "published"}},
                    department=clean["department_obj"], missing_elements=missing,
                    missing_count=len(missing), initial=initial_of(clean["name"]), live=live,
                    has_unpublished_changes=not live, first_published_at=now if live else None,
                    last_published_at=now if live else None, hall_version=clean["version"],
                    hall_checked_at=now)
                items.append(item)
                if missing and clean["published"]:
                    warnings[index] = ["缺少要素：" + "、".join(missing) + "，已保存为草稿，未发布"]
            ServiceItem.objects.bulk_create(items)
            materials, steps, questions, links, applications = [], [], [], [], []
            for item, (_, clean) in zip(items, entries, strict=True):
                collection = clean["department_obj"].collection
                for position, row in enumerate(clean["materials"]):
                    values = {k: v for k, v in row.items() if k not in ATTACHMENT_SLOTS}
                    for slot in ATTACHMENT_SLOTS:
                        att = row.get(slot)
                        values[slot] = _document_for(att, collection, documents) if att else None
                    materials.append(ServiceMaterial(item=item, sort_order=position, **values))
                steps += [ServiceStep(item=item, sort_order=i, **row) for i, row in enumerate(clean["steps"])]
                questions += [ServiceQuestion(item=item, sort_order=i, **row)
                              for i, row in enumerate(clean["questions"])]
                links += [Through(serviceitem=item, servicetopic=t) for t in topics.get(clean["topics"])]
                applications += [ApplicationCount(item=item, month=row["month"], **{k: row[k] for k in counts})
                                 for row in clean["applications"]]
            for model, rows in ((ServiceMaterial, materials), (ServiceStep, steps),
                                (ServiceQuestion, questions), (Through, links),
                                (ApplicationCount, applications)):
                model.objects.bulk_create(rows, batch_size=1000)
    except Exception:  # noqa: BLE001 - fall back to one transaction per record
        return False
    for index, clean in entries:
        extra = {"warnings": warnings[index]} if index in warnings else {}
        report.add("created", index, clean["code"], **extra)
    return True


def _import_one(index, clean, item, topics, documents, now, check_only, report):
    code = clean["code"]
    new = comparable(clean)
    changes = {}
    if item is not None:
        old = serialize_item(item, attachments="compare")
        changes = diff(old, new)
        if not changes:
            if item.hall_version != clean["version"] and not check_only:
                ServiceItem.objects.filter(pk=item.pk).update(hall_version=clean["version"],
                                                              hall_checked_at=now)
            report.add("unchanged", index, code)
            return
        if check_only or (item.live and missing_key_elements(
                clean, len(clean["materials"]), len(clean["steps"]))):
            # Only record the hall's version: the consistency check shows the gap.
            ServiceItem.objects.filter(pk=item.pk).update(hall_version=clean["version"],
                                                          hall_checked_at=now)
            if check_only:
                report.add("unchanged", index, code, changes=_jsonable(changes), check_only=True)
            else:
                missing = missing_key_elements(clean, len(clean["materials"]), len(clean["steps"]))
                report.add("failed", index, code, errors=[{
                    "field": ",".join(missing),
                    "reason": "大厅版本缺少要素，线上已发布的指南保持原样（见一致性检查）"}])
            return
    elif check_only:
        report.add("unchanged", index, code, changes={"_": ["", "新事项（仅比对，未导入）"]},
                   check_only=True)
        return
    try:
        with transaction.atomic():
            missing = _apply(item or ServiceItem(), clean, topics, documents, now)
    except Exception as error:  # one bad record never stops the rest
        report.add("failed", index, code, errors=[{"field": "", "reason": f"保存失败：{error}"}])
        return
    extra = {}
    if missing and clean["published"]:
        extra["warnings"] = ["缺少要素：" + "、".join(missing) + "，已保存为草稿，未发布"]
    if item is None:
        report.add("created", index, code, **extra)
    else:
        report.add("updated", index, code, changes=_jsonable(changes), **extra)


def _jsonable(changes):
    out = {}
    for key, (old, new) in changes.items():
        out[key] = [str(old) if old is not None else None, str(new) if new is not None else None]
    return out
