"""Which engine this process uses: tantivy in DATA_DIR/search, or OpenSearch when
SEARCH_URL (settings.GOVWEB_SEARCH_URL) names a cluster, e.g. https://user:pw@search:9200/govweb."""

import threading

from django.conf import settings

_engines = {}
_lock = threading.Lock()


def engine_config():
    url = getattr(settings, "GOVWEB_SEARCH_URL", "") or ""
    path = getattr(settings, "GOVWEB_SEARCH_PATH", None) or (settings.DATA_DIR / "search")
    return ("opensearch", url) if url else ("tantivy", str(path))


def get_engine():
    config = engine_config()
    engine = _engines.get(config)
    if engine is None:
        with _lock:
            engine = _engines.get(config)
            if engine is None:
                kind, where = config
                if kind == "opensearch":
                    from .opensearch_engine import OpenSearchEngine

                    engine = OpenSearchEngine.from_url(where)
                else:
                    from .tantivy_engine import TantivyEngine

                    engine = TantivyEngine(where)
                _engines[config] = engine
    return engine
