"""Publishing pages in bulk, leaving them exactly as an editor's publication does.

An editor who publishes a new page leaves: a page row in the tree (path, depth, url_path, and
the parent's numchild), the rows of its specific tables, a revision holding the page's
serialised content that is both its latest and its live revision, an audit-log entry
"wagtail.publish" naming that revision, live=True with no unpublished changes, and
first/last_published_at. `PageWriter.create()` writes the same rows for many children of one
parent with one multi-row INSERT per table (ids reserved in advance, so nothing is read back);
`PageWriter.update()` publishes a new revision of existing pages the same way. The per-page
signal work of a publication (page cache purge, search and reference indexing) is left to the
caller, who does it once per batch (see `importing.py`).
"""

import datetime as dt
import functools
import json
import uuid
from types import SimpleNamespace

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import F, Field
from django.utils.encoding import is_protected_type
from modelcluster.models import get_all_child_m2m_relations, get_all_child_relations
from wagtail.fields import StreamField
from wagtail.models import Page, PageLogEntry, Revision


def _converter(field):
    """How a Python value of `field` becomes a database parameter, decided once per field."""
    ops = connection.ops
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return _sqlite_datetime if connection.vendor == "sqlite" else ops.adapt_datetimefield_value
    if kind == "DateField":
        return ops.adapt_datefield_value
    if kind in ("CharField", "TextField", "BooleanField", "ForeignKey", "OneToOneField",
                "IntegerField", "PositiveIntegerField", "BigIntegerField", "AutoField",
                "BigAutoField", "SlugField", "URLField"):
        return None
    return lambda value: field.get_db_prep_save(value, connection)


@functools.lru_cache(maxsize=4096)
def _sqlite_datetime(value):
    # What the SQLite backend's adapt_datetimefield_value() stores (naive UTC text), remembered:
    # most datetimes of a batch are the same `now`.
    return connection.ops.adapt_datetimefield_value(value)


class Table:
    """One table of a model: its INSERT/UPDATE statements and row builder."""

    def __init__(self, model, fields=None):
        self.model = model
        self.fields = fields or list(model._meta.local_concrete_fields)
        self.pk = model._meta.pk
        quote = connection.ops.quote_name
        self.name = quote(model._meta.db_table)
        columns = [quote(f.column) for f in self.fields]
        self.insert_sql = "INSERT INTO {} ({}) VALUES ({})".format(
            self.name, ", ".join(columns), ", ".join(["%s"] * len(columns)))
        settable = [f for f in self.fields if not f.primary_key]
        self.update_fields = settable
        self.update_sql = "UPDATE {} SET {} WHERE {} = %s".format(
            self.name, ", ".join(f"{quote(f.column)} = %s" for f in settable), quote(self.pk.column))
        # (attname, converter, default or the field when its default is computed per row)
        self.prepared = [(f.attname, _converter(f), f if callable(f.default) else f.get_default())
                         for f in self.fields]

    def row(self, values, fields=None):
        row = []
        for attname, convert, default in (fields or self.prepared):
            if attname in values:
                value = values[attname]
            else:
                value = default.get_default() if isinstance(default, Field) else default
            if value is not None and convert is not None:
                value = value.value if type(value) is _RawJSON else convert(value)
            row.append(value)
        return row

    def insert(self, rows_values):
        with connection.cursor() as cursor:
            cursor.executemany(self.insert_sql, [self.row(v) for v in rows_values])

    def update(self, rows_values):
        prepared = [p for p, f in zip(self.prepared, self.fields, strict=True) if not f.primary_key]
        rows = [self.row(v, prepared) + [v[self.pk.attname]] for v in rows_values]
        with connection.cursor() as cursor:
            cursor.executemany(self.update_sql, rows)


def reserve_ids(model, count):
    """`count` new primary keys for `model`, taken before inserting (no read-back needed).

    PostgreSQL hands them out from the table's sequence (safe under concurrency). SQLite runs
    writers one at a time (IMMEDIATE transactions): the ids after the highest ever used are free
    for this transaction, and inserting them explicitly moves the AUTOINCREMENT counter on.
    """
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [table, column, count])
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor != "sqlite":  # pragma: no cover - the project runs on these two
            raise NotImplementedError(connection.vendor)
        cursor.execute(f"SELECT MAX({connection.ops.quote_name(column)}) FROM {connection.ops.quote_name(table)}")
        last = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        last = max(last, row[0] if row else 0)
    return list(range(last + 1, last + 1 + count))


class _ModelPlan:
    """Tables and revision serialisation of one specific page model."""

    def __init__(self, model):
        self.model = model
        self.content_type_id = ContentType.objects.get_for_model(model).pk
        chain = [m for m in reversed(model._meta.get_parent_list()) if issubclass(m, Page)] + [model]
        self.tables = [Table(m) for m in chain]
        # modelcluster's get_serializable_data_for_fields(), field by field.
        self.serialised = []
        for field in model._meta.fields:
            if not field.serialize:
                continue
            if field.remote_field is not None:
                kind = "fk"
            elif isinstance(field, StreamField):
                kind = "stream"
            else:
                kind = "value"
            self.serialised.append((field.name, field.attname, kind, field))
        self.children = [r.get_accessor_name() for r in get_all_child_relations(model)] + \
            [f.name for f in get_all_child_m2m_relations(model) if f.serialize]

    def parent_links(self, values, pk):
        """Every table of a multi-table page shares the page's id through its parent link."""
        values["id"] = pk
        for table in self.tables[1:]:
            values[table.pk.attname] = pk

    def content(self, values):
        """What `page.serializable_data()` returns for a page with these field values."""
        data = {"pk": values["id"]}
        for name, attname, kind, field in self.serialised:
            value = values[attname] if attname in values else field.get_default()
            if kind == "fk":
                data[name] = value
            elif kind == "stream":
                data[name] = json.dumps(field.get_prep_value(value), cls=field.json_field.encoder)
            elif isinstance(value, dt.datetime):
                data[name] = value.astimezone(dt.UTC)
            elif value is None or is_protected_type(value):
                data[name] = value
            else:
                data[name] = field.value_to_string(SimpleNamespace(**{attname: value}))
        for name in self.children:
            data[name] = []
        return data


def _json(value):
    # Revision content as Wagtail's JSONField would store it, but UTF-8 rather than \u escapes
    # on SQLite (a text column): the same JSON, half the size for Chinese text.
    if connection.vendor == "sqlite":
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    return connection.ops.adapt_json_value(value, DjangoJSONEncoder)


class PageWriter:
    """Creates or republishes many pages at once, as `user` at `now`."""

    def __init__(self, *, user=None, now, locale_id):
        self.user_id = getattr(user, "pk", None)
        self.now = now
        self.locale_id = locale_id
        self.plans = {}
        self.page_content_type_id = ContentType.objects.get_for_model(Page).pk
        self.revision_table = Table(Revision)
        log_fields = [f for f in PageLogEntry._meta.local_concrete_fields if not f.primary_key]
        self.log_table = Table(PageLogEntry, log_fields)
        self.no_data = _RawJSON(_json({}))

    def plan(self, model):
        if model not in self.plans:
            self.plans[model] = _ModelPlan(model)
        return self.plans[model]

    def create(self, parent, pages, prepare=None):
        """Publish new children of `parent` (locked by the caller) after its last child.

        `pages` is a list of (model, values), values holding the model's own fields by attname
        (title, slug, …); `prepare(values_list)` may fill in fields that need the new ids
        (values["id"]) before anything is written. Returns the new page ids in order.
        """
        step = Page.steplen
        last = (Page.objects.filter(path__gt=parent.path, path__lte=parent.path + "Z" * step,
                                    depth=parent.depth + 1)
                .order_by("-path").values_list("path", flat=True).first())
        next_step = Page._str2int(last[-step:]) + 1 if last else 1
        page_ids = reserve_ids(Page, len(pages))
        revision_ids = reserve_ids(Revision, len(pages))
        for n, (model, values) in enumerate(pages):
            plan = self.plan(model)
            plan.parent_links(values, page_ids[n])
            values.update(
                path=Page._get_path(parent.path, parent.depth + 1, next_step + n),
                depth=parent.depth + 1, numchild=0, url_path=f"{parent.url_path}{values['slug']}/",
                translation_key=uuid.uuid4(), locale_id=self.locale_id,
                content_type_id=plan.content_type_id, owner_id=self.user_id,
                draft_title=values["title"], live=True, has_unpublished_changes=False,
                first_published_at=values.get("first_published_at") or self.now,
                last_published_at=self.now,
                # As in save_revision(): the content is serialised before the revision exists.
                latest_revision_id=None, live_revision_id=None, latest_revision_created_at=None,
            )
        if prepare is not None:
            prepare([values for _model, values in pages])
        by_model, revisions, logs = {}, [], []
        for (model, values), revision_id in zip(pages, revision_ids, strict=True):
            plan = self.plan(model)
            revisions.append(self._revision(plan, values, revision_id))
            values.update(latest_revision_id=revision_id, live_revision_id=revision_id,
                          latest_revision_created_at=self.now)
            logs.append(self._log(plan, values, revision_id))
            by_model.setdefault(model, []).append(values)
        for table, rows in self._by_table(by_model):
            table.insert(rows)
        self.revision_table.insert(revisions)
        self.log_table.insert(logs)
        Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(pages))
        parent.numchild += len(pages)
        return page_ids

    def _by_table(self, by_model):
        # Shared ancestor tables (page, library item) take every model's rows in one statement.
        tables = {}
        for model, rows in by_model.items():
            for table in self.plan(model).tables:
                tables.setdefault(table.model, (table, []))[1].extend(rows)
        return list(tables.values())

    def update(self, pages):
        """Publish a new revision of existing pages: `pages` is a list of (page, values) with
        `page` the specific instance as stored and `values` the fields to change."""
        revision_ids = reserve_ids(Revision, len(pages))
        by_model, revisions, logs = {}, [], []
        for (page, changes), revision_id in zip(pages, revision_ids, strict=True):
            plan = self.plan(type(page))
            values = {f.attname: getattr(page, f.attname)
                      for table in plan.tables for f in table.fields}
            values.update(changes)
            values.update(draft_title=values["title"], latest_revision_id=page.latest_revision_id,
                          latest_revision_created_at=page.latest_revision_created_at)
            revisions.append(self._revision(plan, values, revision_id))
            values.update(latest_revision_id=revision_id, latest_revision_created_at=self.now)
            if page.live:
                values.update(live_revision_id=revision_id, has_unpublished_changes=False,
                              last_published_at=self.now)
                logs.append(self._log(plan, values, revision_id))
            else:  # unpublished by an editor: the import leaves a draft, as an edit would
                values.update(has_unpublished_changes=True)
            by_model.setdefault(type(page), []).append(values)
        for table, rows in self._by_table(by_model):
            table.update(rows)
        self.revision_table.insert(revisions)
        self.log_table.insert(logs)

    def _revision(self, plan, values, revision_id):
        return {
            "id": revision_id, "content_type_id": plan.content_type_id,
            "base_content_type_id": self.page_content_type_id, "object_id": str(values["id"]),
            "created_at": self.now, "user_id": self.user_id, "object_str": values["title"],
            "content": _RawJSON(_json(plan.content(values))), "approved_go_live_at": None,
        }

    def _log(self, plan, values, revision_id):
        return {
            "content_type_id": plan.content_type_id, "label": values["title"],
            "action": "wagtail.publish", "data": self.no_data, "timestamp": self.now,
            "uuid": None, "user_id": self.user_id, "revision_id": revision_id,
            "content_changed": True, "deleted": False, "page_id": values["id"],
        }


class _RawJSON:
    """A JSON value already encoded for the database (skips the field's own encoding)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value
