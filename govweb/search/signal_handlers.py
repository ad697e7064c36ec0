"""Keep the index in step with publishing: every change is queued for the worker once the
transaction that made it has committed.

Only pages reach these handlers (Wagtail's page signals, and `pre_delete` for the `Page` rows
alone), so saving any other model — a citizen's message, a log row — costs nothing here.
The work of one transaction is collected first and queued as at most one task per page (a
publication that also renames the page is one `index_subtree`, not two tasks), plus one
removal task for every page deleted in it. A bulk import (library.importing) announces each
committed batch with `items_imported`; its pages are indexed 1,000 to a task, one commit each.
"""

import threading

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from wagtail.models import Page
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from . import documents, tasks
from .queries import bump_settings_version

_local = threading.local()
IMPORT_TASK_SIZE = 1000


class PendingIndexWork:
    """Index work of one transaction, queued when it commits."""

    def __init__(self):
        self.pages = {}        # page id → "page" (the page alone) or "subtree" (with descendants)
        self.removed = []      # keys of deleted pages
        self.queued = False

    def index(self, page_id, scope):
        if self.pages.get(page_id) != "subtree":
            self.pages[page_id] = scope

    def remove(self, key):
        if key not in self.removed:
            self.removed.append(key)

    def enqueue(self):
        self.queued = True
        removed = set(self.removed)
        for page_id, scope in self.pages.items():
            if f"page:{page_id}" in removed:
                continue
            (tasks.index_subtree if scope == "subtree" else tasks.index_page).enqueue(page_id)
        if self.removed:
            tasks.remove_from_index.enqueue(list(self.removed))


def _still_registered(connection, pending):
    # A rolled-back transaction (or savepoint) drops its on-commit callbacks, and with them
    # the work collected for it: then a new batch starts.
    return any(entry[1] is pending.callback for entry in connection.run_on_commit)


def pending_work():
    """This transaction's batch (created and registered on first use)."""
    connection = transaction.get_connection()
    pending = getattr(_local, "pending", None)
    if pending is None or pending.queued or not _still_registered(connection, pending):
        pending = PendingIndexWork()
        pending.callback = pending.enqueue
        _local.pending = pending
        transaction.on_commit(pending.callback)
    return pending


def _collect(change):
    if not transaction.get_connection().in_atomic_block:
        # Autocommit: the change is already committed; queue it now.
        pending = PendingIndexWork()
        change(pending)
        pending.enqueue()
        return
    change(pending_work())


def on_published(sender, instance, **kwargs):
    if instance._meta.model_name in documents.SKIPPED_MODELS:
        return  # site homes and columns are never results themselves
    _collect(lambda pending: pending.index(instance.pk, "page"))


def on_unpublished(sender, instance, **kwargs):
    # Unpublishing a page hides its whole subtree from the public.
    _collect(lambda pending: pending.index(instance.pk, "subtree"))


def on_moved_or_renamed(sender, instance, **kwargs):
    _collect(lambda pending: pending.index(instance.pk, "subtree"))


def on_page_deleted(sender, instance, **kwargs):
    # Connected for the Page rows only: a specific page's own row (ArticlePage …) is deleted
    # in the same cascade and needs nothing more.
    _collect(lambda pending: pending.remove(f"page:{instance.pk}"))


def on_items_imported(sender, page_ids, **kwargs):
    """A committed import batch (library.importing): one task per 1,000 pages, one commit each."""
    page_ids = list(page_ids)
    for start in range(0, len(page_ids), IMPORT_TASK_SIZE):
        chunk = page_ids[start:start + IMPORT_TASK_SIZE]
        transaction.on_commit(lambda chunk=chunk: tasks.index_pages.enqueue(chunk))


def on_settings_changed(sender, **kwargs):
    transaction.on_commit(bump_settings_version)


def connect():
    from govweb.cluster.models import SiteProfile
    from govweb.library.importing import items_imported

    from .models import BestBet, HotKeyword, SynonymGroup

    items_imported.connect(on_items_imported, dispatch_uid="govweb.search.imported")
    page_published.connect(on_published, dispatch_uid="govweb.search.published")
    page_unpublished.connect(on_unpublished, dispatch_uid="govweb.search.unpublished")
    post_page_move.connect(on_moved_or_renamed, dispatch_uid="govweb.search.moved")
    page_slug_changed.connect(on_moved_or_renamed, dispatch_uid="govweb.search.slug")
    pre_delete.connect(on_page_deleted, sender=Page, dispatch_uid="govweb.search.deleted")
    for model in (BestBet, SynonymGroup, HotKeyword, SiteProfile):
        post_save.connect(on_settings_changed, sender=model,
                          dispatch_uid=f"govweb.search.settings.save.{model.__name__}")
        post_delete.connect(on_settings_changed, sender=model,
                            dispatch_uid=f"govweb.search.settings.delete.{model.__name__}")
