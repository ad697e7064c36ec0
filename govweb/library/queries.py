"""Reads of the library: a column's listing, paginated without scanning to the page asked for."""

import os
from functools import cached_property

from django.core.cache import cache

COUNT_SECONDS = 300


def tree_generation(path):
    """A token that changes whenever a page at or below `path` is published, unpublished,
    moved or deleted: the page cache's generations (base/pagecache.py) of the `p:<path>` tag,
    which every such change bumps through base/purge.py in every process, and of `g`, bumped
    when the whole page cache is cleared."""
    from govweb.base import pagecache

    store = pagecache.store()
    keys = [pagecache.GEN + "g", pagecache.GEN + f"p:{path}"]
    generations = store.get_many(keys)
    for key in keys:
        if key not in generations:  # never purged yet: fix one, so that the next purge is noticed
            store.add(key, os.urandom(6).hex(), None)
            generations[key] = store.get(key)
    return "-".join(generations[key] for key in keys)


def cached_count(queryset, path, name):
    """`queryset.count()`, kept until something below `path` changes (or a few minutes)."""
    key = f"library:count:{name}:{tree_generation(path)}"
    count = cache.get(key)
    if count is None:
        count = queryset.count()
        cache.set(key, count, COUNT_SECONDS)
    return count


class ColumnListing:
    """A column's live public items, newest first, as a sequence for Django's Paginator.

    Page N of a listing needs the items after the first 20·(N-1). Counting past them through
    the (column, date, id) index alone is cheap; checking that each is live costs a lookup in
    the page table per item skipped. So when every item of the column is visible (the usual
    case: both counts agree) a page is found on the index alone and only its 20 rows are read;
    otherwise the exact query with the checks runs. Both counts are cached until the column
    changes.
    """

    def __init__(self, column):
        from .models import LibraryItemPage

        self.column = column
        self.visible = column.items()
        self.stored = LibraryItemPage.objects.filter(column_id=column.pk)

    def count(self):
        return self.visible_count

    @cached_property
    def visible_count(self):
        return cached_count(self.visible, self.column.path, f"column-visible:{self.column.pk}")

    @cached_property
    def stored_count(self):
        return cached_count(self.stored, self.column.path, f"column-stored:{self.column.pk}")

    def __len__(self):
        return self.visible_count

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self[key:key + 1][0]
        if key.start and self.stored_count == self.visible_count:
            ids = list(self.stored.order_by("-pub_date", "-pk").values_list("pk", flat=True)[key])
            rows = {item.pk: item for item in self.visible.filter(pk__in=ids)}
            return [rows[pk] for pk in ids if pk in rows]
        return list(self.visible[key])
