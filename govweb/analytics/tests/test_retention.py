"""Retention (R11.5): refuses less than 180 days; archives whole partitions past the policy."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from wagtail.models import ModelLogEntry

from govweb.analytics import store
from govweb.analytics.actions import RETENTION_LOG_ACTION, do_apply_retention
from govweb.analytics.models import AnalyticsPolicy

NOW = dt.datetime(2025, 9, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _partition(kind, days_ago):
    day = NOW.date() - dt.timedelta(days=days_ago)
    path = store.partition_dir(store.raw_dir(kind), day)
    path.mkdir(parents=True)
    (path / "part.parquet").write_bytes(b"PAR1")
    return path


def test_retention_below_180_days_is_refused(store_dir):
    with pytest.raises(ValidationError) as error:
        do_apply_retention(now=NOW, days=90)
    assert "180" in error.value.messages[0] and "90" in error.value.messages[0]
    with pytest.raises(CommandError, match="不得少于180天"):
        call_command("analytics_retention", "--days", "90")
    policy = AnalyticsPolicy.load()
    policy.retention_days = 90
    with pytest.raises(ValidationError) as error:
        policy.full_clean()
    assert "retention_days" in error.value.message_dict


def test_partitions_past_400_days_are_archived_and_logged(store_dir):
    old = _partition("access", 401)
    kept = _partition("access", 400)
    old_search = _partition("search", 500)
    logs = store_dir / "logs" / "access"
    logs.mkdir(parents=True)
    old_log = logs / f"{(NOW.date() - dt.timedelta(days=401)).isoformat()}.jsonl"
    old_log.write_text("{}\n")

    summary = do_apply_retention(now=NOW, days=400, action="archive")

    assert not old.exists() and kept.exists() and not old_search.exists()
    assert (store.archive_dir() / "raw" / "access" / old.name / "part.parquet").exists()
    assert (store.archive_dir() / "logs" / "access" / old_log.name).exists()
    assert summary["partitions"] == [f"access/{old.name}", f"search/{old_search.name}"]
    entry = ModelLogEntry.objects.filter(action=RETENTION_LOG_ACTION).latest("timestamp")
    assert entry.data["partitions"] == summary["partitions"]
    assert entry.data["days"] == 400


def test_delete_policy_removes_partitions(store_dir):
    old = _partition("access", 401)
    do_apply_retention(now=NOW, days=400, action="delete")
    assert not old.exists()
    assert not (store.archive_dir() / "raw" / "access" / old.name).exists()
