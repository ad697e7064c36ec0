"""Keep the index in step with publishing: every change is queued for the worker once the
transaction that made it has committed."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from wagtail.models import Page
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from . import tasks
from .queries import bump_settings_version


def _queue(task, *args):
    transaction.on_commit(lambda: task.enqueue(*args))


def on_published(sender, instance, **kwargs):
    _queue(tasks.index_page, instance.pk)


def on_unpublished(sender, instance, **kwargs):
    # Unpublishing a page hides its whole subtree from the public.
    _queue(tasks.index_subtree, instance.pk)


def on_moved_or_renamed(sender, instance, **kwargs):
    _queue(tasks.index_subtree, instance.pk)


def on_page_deleted(sender, instance, **kwargs):
    if isinstance(instance, Page):
        _queue(tasks.remove_from_index, [f"page:{instance.pk}"])


def on_settings_changed(sender, **kwargs):
    transaction.on_commit(bump_settings_version)


def connect():
    from govweb.cluster.models import SiteProfile

    from .models import BestBet, HotKeyword, SynonymGroup

    page_published.connect(on_published, dispatch_uid="govweb.search.published")
    page_unpublished.connect(on_unpublished, dispatch_uid="govweb.search.unpublished")
    post_page_move.connect(on_moved_or_renamed, dispatch_uid="govweb.search.moved")
    page_slug_changed.connect(on_moved_or_renamed, dispatch_uid="govweb.search.slug")
    pre_delete.connect(on_page_deleted, dispatch_uid="govweb.search.deleted")
    for model in (BestBet, SynonymGroup, HotKeyword, SiteProfile):
        post_save.connect(on_settings_changed, sender=model,
                          dispatch_uid=f"govweb.search.settings.save.{model.__name__}")
        post_delete.connect(on_settings_changed, sender=model,
                            dispatch_uid=f"govweb.search.settings.delete.{model.__name__}")
