"""Bad input: malformed lines are counted and sampled, never stopping ingestion; nginx logs."""

import datetime as dt
import json

from govweb.analytics import conf, queries
from govweb.analytics.actions import do_ingest_logs
from govweb.analytics.models import LogSource
from govweb.cluster.models import SiteProfile

DAY = dt.date(2025, 3, 3)


def _good(site_id, n, minute=0):
    return [json.dumps({"ts": f"2025-03-03T10:{minute + i:02d}:00.000", "site": site_id, "path": "/",
                        "page": None, "status": 200, "bytes": 100, "ms": 3.0,
                        "visitor": f"v{i:015d}", "ua": "desktop", "ref": None, "q": None}) + "\n"
            for i in range(n)]


def test_malformed_lines_are_counted_sampled_and_skipped(store_dir):
    site_id = SiteProfile.objects.get(site__root_page__slug="portal").site_id
    directory = conf.access_log_dir()
    directory.mkdir(parents=True)
    good = _good(site_id, 5)
    body = (good[0] + "这不是JSON\n" + good[1] + '{"ts": "2025-03-03T1\n' + good[2]
            + "[1, 2, 3]\n" + good[3] + '{"ts": "not a time", "site": 1}\n')
    raw = body.encode() + b'{"ts":"2025-03-03T11:00:00","site":1,"path":"/\xff\xfe"}\n' + good[4].encode()
    (directory / "2025-03-03.jsonl").write_bytes(raw + b'{"ts": "2025-03-03T12:00')  # cut short

    run = do_ingest_logs(settle_seconds=3600)  # the writer may still finish the last line
    assert (run.rows, run.malformed) == (5, 5)
    source = LogSource.objects.get(path=str(directory / "2025-03-03.jsonl"))
    assert source.offset == len(raw)
    assert any("这不是JSON" in s for s in source.samples)
    assert len(source.samples) == 5

    run = do_ingest_logs(settle_seconds=0)  # quiet file: the fragment is final and malformed
    assert (run.rows, run.malformed) == (0, 1)
    assert queries.site_visits(DAY, DAY, [site_id])[site_id]["pv"] == 5


NGINX_EXTRA = (
    '203.0.113.5 - - [03/Mar/2025:09:15:02 +0800] "GET /xwdt/?q=%E7%A4%BE%E4%BF%9D HTTP/1.1" '
    '200 5120 "https://www.baidu.com/s?wd=x" "Mozilla/5.0 (Windows NT 10.0)" "{host}" 0.012 "HIT"\n'
)
NGINX_COMBINED = (
    '198.51.100.23 - - [03/Mar/2025:21:40:00 +0800] "GET / HTTP/1.1" 200 9000 "-" '
    '"Mozilla/5.0 (Linux; Android 14) Mobile"\n'
)


def test_nginx_extra_and_combined_formats_are_ingested_without_addresses(store_dir, settings):
    portal = SiteProfile.objects.get(site__root_page__slug="portal")
    yunyan = SiteProfile.objects.get(site__root_page__slug="yunyan")
    logs = store_dir / "nginx"
    logs.mkdir()
    (logs / "all.log").write_text(
        NGINX_EXTRA.format(host=portal.domain)
        + NGINX_EXTRA.format(host=portal.domain).replace('"HIT"', '"MISS"')  # the app logged it
        + NGINX_EXTRA.format(host=portal.domain).replace('"HIT"', '"-"')  # a front without cache
        # Served from the edge mirror: the app never saw it.
        + NGINX_EXTRA.format(host=portal.domain).replace('"HIT"', '"NGINX"').replace("/xwdt/?q=%E7%A4%BE%E4%BF%9D", "/tzgg/")
        + "garbage line\n", encoding="utf-8")
    # Combined format carries no host: one file per server block, named after the domain.
    (logs / f"{yunyan.domain}.access.log").write_text(NGINX_COMBINED * 2, encoding="utf-8")
    settings.ANALYTICS_NGINX_LOGS = [str(logs / "all.log")]
    run = do_ingest_logs(settle_seconds=0)
    # MISS and a cacheless front's "-" skipped (the app log has them), garbage counted.
    assert (run.rows, run.malformed) == (2, 1)

    settings.ANALYTICS_APP_LOG = "0"  # combined logs are only counted with the app log off
    settings.ANALYTICS_NGINX_LOGS = [str(logs / "*.log")]
    run = do_ingest_logs(settle_seconds=0)
    assert run.rows == 2

    data = queries.dashboard(DAY, DAY)
    by_site = {r["site"]: r["pv"] for r in data["sites"]}
    assert by_site == {portal.site_id: 2, yunyan.site_id: 2}
    assert {r["ua"] for r in data["devices"]} == {"desktop", "mobile"}
    assert data["searches"][0]["q"] == "社保"
    assert {r["ref"] for r in data["referrers"]} == {"www.baidu.com", ""}
    parquet = b"".join(p.read_bytes() for p in (store_dir / "analytics").rglob("*.parquet"))
    assert b"203.0.113.5" not in parquet and b"198.51.100.23" not in parquet
