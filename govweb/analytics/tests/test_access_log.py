"""Access logging on the public role and idempotent ingestion (acceptance: one record per
request; a day ingested twice counts once)."""

import datetime as dt
import json
import shutil

from conftest import host_of
from govweb.analytics import conf, logwriter, queries
from govweb.analytics.actions import do_ingest_logs
from govweb.cluster.models import SiteProfile


def _records(tmp_path):
    logwriter.flush()
    lines = []
    for path in sorted((tmp_path / "logs" / "access").glob("*.jsonl")):
        lines += path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_a_public_page_request_produces_exactly_one_record(client, store_dir):
    profile = SiteProfile.objects.get(site__root_page__slug="yunyan")
    response = client.get("/?q=社保", HTTP_HOST=host_of("yunyan"), REMOTE_ADDR="203.0.113.9",
                          HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile",
                          HTTP_REFERER="https://www.baidu.com/s?wd=云岩区")
    assert response.status_code == 200
    records = _records(store_dir)
    assert len(records) == 1
    record = records[0]
    assert record["site"] == profile.site_id
    assert record["page"] == profile.site.root_page_id
    assert record["path"] == "/"
    assert record["status"] == 200 and record["bytes"] == len(response.content)
    assert record["ua"] == "mobile" and record["ref"] == "www.baidu.com" and record["q"] == "社保"
    assert len(record["visitor"]) == 16
    # No raw address, user-agent or full referrer anywhere in the log.
    raw = "".join(p.read_text(encoding="utf-8") for p in (store_dir / "logs").rglob("*.jsonl"))
    assert "203.0.113.9" not in raw and "iPhone" not in raw and "wd=" not in raw


def test_the_visitor_hash_is_stable_within_a_day_and_not_an_address(client, store_dir):
    for _ in range(2):
        client.get("/", HTTP_HOST=host_of("portal"), REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT="UA")
    client.get("/", HTTP_HOST=host_of("portal"), REMOTE_ADDR="198.51.100.8", HTTP_USER_AGENT="UA")
    visitors = [r["visitor"] for r in _records(store_dir)]
    assert visitors[0] == visitors[1] != visitors[2]


def test_admin_role_and_unknown_hosts_are_not_logged(client, store_dir, admin_role):
    client.get("/admin/login/", HTTP_HOST="127.0.0.1:8001")
    assert _records(store_dir) == []


def test_unknown_host_is_not_logged(client, store_dir):
    client.get("/", HTTP_HOST="www.example.com")
    assert _records(store_dir) == []


def test_a_day_ingested_twice_counts_once(client, store_dir):
    host = host_of("nanming")
    for path in ("/", "/", "/"):
        client.get(path, HTTP_HOST=host)
    profile = SiteProfile.objects.get(site__root_page__slug="nanming")
    records = _records(store_dir)
    assert len(records) == 3
    day = dt.date.fromisoformat(records[0]["ts"][:10])

    first = do_ingest_logs(settle_seconds=0)
    assert first.rows == 3
    assert queries.site_visits(day, day, [profile.site_id])[profile.site_id]["pv"] == 3

    again = do_ingest_logs(settle_seconds=0)
    assert again.rows == 0
    # The same file under another name (log rotation, a copy) is recognised too.
    log = next(conf.access_log_dir().glob("*.jsonl"))
    shutil.copy(log, log.with_name("copy-" + log.name))
    do_ingest_logs(settle_seconds=0)
    assert queries.site_visits(day, day, [profile.site_id])[profile.site_id]["pv"] == 3

    # New lines appended later are picked up, and only they.
    client.get("/", HTTP_HOST=host)
    _records(store_dir)
    assert do_ingest_logs(settle_seconds=0).rows == 1
    assert queries.site_visits(day, day, [profile.site_id])[profile.site_id]["pv"] == 4


def test_app_log_can_be_switched_off_when_nginx_logs_are_ingested(client, store_dir, settings):
    settings.ANALYTICS_APP_LOG = "0"
    client.get("/", HTTP_HOST=host_of("portal"))
    assert _records(store_dir) == []
