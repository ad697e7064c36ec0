"""Batched ingestion: many files per DuckDB pass, yet counts per file, no double count after a
crash or when a file grows while it is read, and big files read in bounded pieces."""

import datetime as dt
import json

import pytest

from govweb.analytics import conf, ingest, queries, store
from govweb.analytics.actions import do_ingest_logs
from govweb.analytics.models import LogSource
from govweb.cluster.models import SiteProfile

DAY = dt.date(2025, 3, 3)


def _lines(site_id, n, hour=10):
    return "".join(
        json.dumps({"ts": f"2025-03-03T{hour:02d}:{i % 60:02d}:00.000", "site": site_id, "path": "/",
                    "page": None, "status": 200, "bytes": 100, "ms": 3.0,
                    "visitor": f"v{i:015d}", "ua": "desktop", "ref": None, "q": None}) + "\n"
        for i in range(n))


@pytest.fixture
def portal(store_dir):
    conf.access_log_dir().mkdir(parents=True)
    return SiteProfile.objects.get(site__root_page__slug="portal").site_id


def _pv(site_id):
    return queries.site_visits(DAY, DAY, [site_id]).get(site_id, {}).get("pv", 0)


def test_files_parsed_together_keep_their_own_counts(portal):
    logs = conf.access_log_dir()
    (logs / "a.jsonl").write_text(_lines(portal, 3), encoding="utf-8")
    (logs / "b.jsonl").write_text(_lines(portal, 2, hour=11) + "garbage\n\n{\"ts\": 1}\n",
                                  encoding="utf-8")
    run = do_ingest_logs(settle_seconds=0)
    assert (run.files, run.lines, run.rows, run.malformed) == (2, 7, 5, 2)
    a = LogSource.objects.get(path=str(logs / "a.jsonl"))
    b = LogSource.objects.get(path=str(logs / "b.jsonl"))
    assert (a.lines, a.rows, a.malformed, a.samples) == (3, 3, 0, [])
    assert (b.lines, b.rows, b.malformed) == (4, 2, 2)  # the blank line is neither
    assert "garbage" in b.samples
    assert _pv(portal) == 5


def test_a_crash_before_the_offsets_are_saved_is_undone(portal, monkeypatch):
    (conf.access_log_dir() / "a.jsonl").write_text(_lines(portal, 4), encoding="utf-8")

    def crash(self, chunks, validator):
        raise RuntimeError("power cut")

    with monkeypatch.context() as patch:
        patch.setattr(ingest.Ingestor, "_save", crash)
        with pytest.raises(RuntimeError):
            do_ingest_logs(settle_seconds=0)
    assert store.raw_files("access")  # the parts were written before the crash
    run = do_ingest_logs(settle_seconds=0)
    assert run.rows == 4
    assert _pv(portal) == 4
    assert not (store.root() / ingest.JOURNAL).exists()


def test_a_file_growing_while_read_is_not_counted_twice(portal, monkeypatch):
    log = conf.access_log_dir() / "a.jsonl"
    log.write_text(_lines(portal, 5), encoding="utf-8")
    real_copy = store.copy_partitioned
    appended = []

    def copy_then_append(*args, **kwargs):
        result = real_copy(*args, **kwargs)
        if not appended:  # the writer appends while DuckDB reads the file itself
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(_lines(portal, 1, hour=12))
            appended.append(True)
        return result

    monkeypatch.setattr(store, "copy_partitioned", copy_then_append)
    assert do_ingest_logs(settle_seconds=0).rows == 5
    assert _pv(portal) == 5
    assert do_ingest_logs(settle_seconds=0).rows == 1  # the appended line, once
    assert _pv(portal) == 6


def test_a_big_file_is_read_in_pieces(portal, monkeypatch):
    log = conf.access_log_dir() / "a.jsonl"
    body = _lines(portal, 40)
    log.write_text(body, encoding="utf-8")
    monkeypatch.setattr(ingest, "BATCH_BYTES", 1000)  # about four lines a piece
    run = do_ingest_logs(settle_seconds=0)
    assert (run.lines, run.rows, run.malformed) == (40, 40, 0)
    assert LogSource.objects.get(path=str(log)).offset == len(body.encode())
    assert len(store.raw_files("access")) >= 3  # several passes (pieces of about 1000 bytes)
    assert _pv(portal) == 40
