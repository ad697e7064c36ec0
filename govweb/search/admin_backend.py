"""The Wagtail admin's search backend, able to find Chinese (后台中文检索).

Wagtail's database backend indexes text as the database tokenises it: SQLite FTS5 and
PostgreSQL treat a run of Chinese characters as one word, so a two-character word inside a
body is never found. This backend keeps Wagtail's database backend (SQLite FTS5 or
PostgreSQL, chosen by the database) and gives it the public search's analysis:

- indexed values are normalised and segmented in search mode, words separated by spaces;
- the autocomplete column (what the admin's page search uses) holds title and body, so that
  a page is found by a word of its body, not only of its title;
- queries are normalised and segmented the same way.

Configure with WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "govweb.search.admin_backend"}}.
"""

from functools import cached_property

from modelsearch.backends import database
from modelsearch.index import AutocompleteField, SearchField

from . import analysis


def _segment(value):
    return analysis.index_text(value) if value else value


def _segmenting_indexer(base, vendor):
    class SegmentingObjectIndexer(base):
        def prepare_value(self, value):
            return _segment(super().prepare_value(value))

        def _all_text(self):
            texts = []
            for f in self.search_fields:
                for item in self.prepare_field(self.obj, f):
                    current_field, value = item[0], item[-1]
                    if isinstance(current_field, (SearchField, AutocompleteField)) and value:
                        texts.append(value)
            return texts

        @cached_property
        def autocomplete(self):
            texts = self._all_text()
            if vendor == "postgresql":
                return self.as_vector([(t, "D") for t in texts], for_autocomplete=True)
            return " ".join(texts)

    return SegmentingObjectIndexer


def _segment_query(query):
    if isinstance(query, str):
        cleaned = analysis.clean_query(query)
        words = analysis.query_terms(cleaned) if cleaned else []
        return " ".join(words) or query
    return query


def _install(module, vendor):
    """Swap the vendor module's object indexer for the segmenting one (once per process)."""
    if not getattr(module.ObjectIndexer, "_govweb_segmenting", False):
        indexer = _segmenting_indexer(module.ObjectIndexer, vendor)
        indexer._govweb_segmenting = True
        module.ObjectIndexer = indexer


def SearchBackend(params):
    backend = database.SearchBackend(params)
    module = __import__(type(backend).__module__, fromlist=["ObjectIndexer"])
    if hasattr(module, "ObjectIndexer"):
        vendor = "postgresql" if "postgres" in module.__name__ else "sqlite"
        _install(module, vendor)

    base_cls = type(backend)

    class ChineseSearchBackend(base_cls):
        def search(self, query, model_or_queryset, **kwargs):
            return super().search(_segment_query(query), model_or_queryset, **kwargs)

        def autocomplete(self, query, model_or_queryset, **kwargs):
            return super().autocomplete(_segment_query(query), model_or_queryset, **kwargs)

    backend.__class__ = ChineseSearchBackend
    return backend
