"""Where analytics keeps its files and how it is tuned: Django settings first, then env vars.

Variables (all optional):
  GOVWEB_ANALYTICS_NGINX_LOGS   comma-separated globs of nginx access logs to ingest
  GOVWEB_ANALYTICS_APP_LOG      1 (default) = the public role writes its own access log
  GOVWEB_ANALYTICS_INGEST_EVERY seconds between ingestion runs of the scheduler (300)
  GOVWEB_ANALYTICS_MEMORY_LIMIT DuckDB memory limit of an ingestion run ("4GB"; it spills to
                                DATA_DIR/analytics/tmp beyond it; empty = DuckDB's default)
"""

import os
from pathlib import Path

from django.conf import settings

# Refused below this many days: operation logs are kept at least 6 months (R11.5).
MIN_RETENTION_DAYS = 180
DEFAULT_RETENTION_DAYS = 400


def _get(name, default):
    value = getattr(settings, name, None)
    if value is not None:
        return value
    return os.environ.get(f"GOVWEB_{name}", default)


def data_dir():
    return Path(settings.DATA_DIR)


def access_log_dir():
    """The public role's own access log: one JSONL file per day (本地访问日志)."""
    return data_dir() / "logs" / "access"


def search_log_dir():
    """Search events written by the search app: DATA_DIR/logs/search/YYYY-MM-DD.jsonl."""
    return data_dir() / "logs" / "search"


def store_dir():
    return data_dir() / "analytics"


def nginx_log_globs():
    value = _get("ANALYTICS_NGINX_LOGS", "")
    if isinstance(value, list | tuple):
        return list(value)
    return [part.strip() for part in str(value).split(",") if part.strip()]


def app_log_enabled():
    return str(_get("ANALYTICS_APP_LOG", "1")).strip().lower() in {"1", "true", "yes", "on"}


def ingest_every_seconds():
    return int(_get("ANALYTICS_INGEST_EVERY", "300"))


def memory_limit():
    return str(_get("ANALYTICS_MEMORY_LIMIT", "4GB")).strip()
