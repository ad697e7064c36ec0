"""Writes of the analytics app: ingest logs, apply the retention policy, compute scores."""

import datetime as dt
import json
import logging
import shutil

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from . import conf, store
from .models import AnalyticsPolicy, RelatedReading, RetentionAction, validate_retention_days

logger = logging.getLogger("govweb.analytics")

RETENTION_LOG_ACTION = "govweb_analytics.retention"


def do_ingest_logs(now=None, settle_seconds=600, threads=None):
    """Ingest every new log line and rebuild the affected days' aggregates (日志入库)."""
    from .ingest import Ingestor

    run = Ingestor(now=now, settle_seconds=settle_seconds, threads=threads).run()
    if run.malformed:
        logger.warning("analytics ingest: %s malformed lines skipped", run.malformed)
    return run


def check_retention_days(days):
    """Raise ValidationError (in Chinese) for a retention below 180 days."""
    validate_retention_days(days)
    return days


def do_apply_retention(now=None, days=None, action=None, user=None):
    """Archive or delete whole day partitions (and raw log files, and platform audit log
    entries) older than the retention period; record an audit entry (R11.5).

    A partition is past retention when its day is more than `days` days before today."""
    policy = AnalyticsPolicy.load()
    days = policy.retention_days if days is None else days
    action = action or policy.retention_action
    check_retention_days(days)
    if action not in RetentionAction.values:
        raise ValidationError({"retention_action": f"未知的到期处理方式：{action}"})
    today = timezone.localdate(now or timezone.now())
    cutoff = today - dt.timedelta(days=days)
    archive = store.archive_dir()
    summary = {"days": days, "action": action, "cutoff": cutoff.isoformat(),
               "partitions": [], "log_files": [], "audit_entries": 0}
    with store.writer_lock():
        for kind in store.RAW_KINDS:
            for day, path in sorted(store.partitions(store.raw_dir(kind)).items()):
                if day < cutoff:
                    _retire(path, archive / "raw" / kind / path.name, action)
                    summary["partitions"].append(f"{kind}/{path.name}")
        for kind, directory in (("access", conf.access_log_dir()), ("search", conf.search_log_dir())):
            if not directory.exists():
                continue
            for path in sorted(directory.glob("*.jsonl")):
                try:
                    day = dt.date.fromisoformat(path.stem[:10])
                except ValueError:
                    continue
                if day < cutoff:
                    _retire(path, archive / "logs" / kind / path.name, action)
                    summary["log_files"].append(f"{kind}/{path.name}")
        summary["audit_entries"] = _retire_platform_logs(cutoff, action, archive)
    with transaction.atomic():
        log(policy, RETENTION_LOG_ACTION, user=user, data=summary)
    logger.info("retention: %s", summary)
    return summary


def _retire(source, target, action):
    if action == RetentionAction.DELETE:
        if source.is_dir():
            shutil.rmtree(source)
        else:
            source.unlink()
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():  # archived before under the same name: keep both
        target = target.with_name(f"{target.name}.{timezone.now():%Y%m%d%H%M%S}")
    shutil.move(str(source), str(target))


def _retire_platform_logs(cutoff, action, archive):
    """The platform's own operation/audit log (Wagtail's page and model log entries)."""
    from wagtail.models import ModelLogEntry, PageLogEntry

    moment = timezone.make_aware(dt.datetime.combine(cutoff, dt.time.min))
    total = 0
    for model in (PageLogEntry, ModelLogEntry):
        old = model.objects.filter(timestamp__lt=moment).exclude(action=RETENTION_LOG_ACTION)
        if not old.exists():
            continue
        if action == RetentionAction.ARCHIVE:
            target = archive / "audit" / f"{model._meta.model_name}-before-{cutoff.isoformat()}.jsonl"
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "a", encoding="utf-8") as handle:
                for entry in old.values("id", "content_type_id", "label", "action", "data",
                                        "timestamp", "user_id", "uuid", "object_id"):
                    entry["timestamp"] = entry["timestamp"].isoformat()
                    entry["uuid"] = str(entry["uuid"]) if entry["uuid"] else None
                    handle.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
        count, _ = old.delete()
        total += count
    return total


def do_compute_scores(now=None, sites=None):
    """Recompute today's evaluation score of every online site (网站评估)."""
    from govweb.cluster.models import SiteProfile

    from .scoring import evaluate_site, save_score

    now = now or timezone.now()
    profiles = sites if sites is not None else SiteProfile.objects.online().select_related("site")
    policy = AnalyticsPolicy.load()
    return [save_score(profile, evaluate_site(profile, now, policy), now) for profile in profiles]


def do_refresh_related_reading(today=None, batch=5000):
    """Rebuild 相关阅读 (RelatedReading) from the co-view aggregates of the last 30 days."""
    from .queries import related_reading_lists

    today = today or timezone.localdate()
    try:
        lists = related_reading_lists(today)
    except Exception:  # no aggregates yet
        logger.warning("analytics: no co-view aggregates to build related reading from")
        return 0
    with transaction.atomic():
        RelatedReading.objects.all().delete()
        for first in range(0, len(lists), batch):
            RelatedReading.objects.bulk_create(
                RelatedReading(site_id=site, page_id=page, related=list(related), day=today)
                for site, page, related in lists[first:first + batch])
    return len(lists)
