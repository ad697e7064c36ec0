"""Realistic synthetic access and search logs, generated inside DuckDB (fast, deterministic
with threads=1). Used by the demo (the nine demo sites' real pages) and the benchmark
(80 sites, millions of lines)."""

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

import duckdb

SEARCH_TERMS = ["社保卡", "公积金提取", "营业执照", "新生儿落户", "医保报销", "义务教育招生",
                "住房租赁补贴", "人才引进", "不动产登记", "居住证", "托育机构", "养老保险",
                "招聘公告", "政府采购", "数博会", "大数据", "老旧小区改造", "消费券",
                "驾驶证", "出入境", "残疾人补贴", "低保申请", "创业担保贷款", "垃圾分类"]
ZERO_TERMS = ["筑城广场停车", "公租房摇号结果2019", "xyz123"]
REFERRERS = ["www.baidu.com", "m.baidu.com", "www.sogou.com", "www.so.com", "cn.bing.com",
             "www.guizhou.gov.cn", "www.gov.cn", "mp.weixin.qq.com", "weibo.com"]
CHUNK_LINES = 5_000_000


def generate(out_dir, lines, start_day, days, pages=None, sites=80, pages_per_site=2000,
             seed=0.42, threads=None, search_dir=None, visitors=4000):
    """Write out_dir/YYYY-MM-DD.jsonl access logs (and optional search events).

    pages: [(site_id, page_id, path)] to draw from; None = synthetic ids for `sites` sites."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(":memory:")
    con.execute(f"SET threads = {int(threads or os.cpu_count() or 1)}")
    con.execute(f"SELECT setseed({float(seed)})")
    if pages is None:
        con.execute(f"""
            CREATE TABLE pg AS
            SELECT s + 1 AS site_id, p AS idx,
                   CASE WHEN p = 0 THEN NULL ELSE (s + 1) * 100000 + p END AS page_id,
                   CASE WHEN p = 0 THEN '/' WHEN p = 1 THEN '/search/'
                        WHEN p < 40 THEN '/col' || p || '/'
                        ELSE '/col' || (p % 40) || '/item' || p || '/' END AS path
            FROM range({int(sites)}) a(s), range({int(pages_per_site)}) b(p)""")
    else:
        con.execute("CREATE TABLE raw_pg (site_id INTEGER, page_id INTEGER, path VARCHAR)")
        con.executemany("INSERT INTO raw_pg VALUES (?, ?, ?)", list(pages))
        con.execute("""
            CREATE TABLE pg AS SELECT site_id, CAST(row_number() OVER (PARTITION BY site_id
                ORDER BY length(path), path) - 1 AS INTEGER) AS idx, page_id, path FROM (
                SELECT * FROM raw_pg UNION ALL
                SELECT DISTINCT site_id, NULL, '/search/' FROM raw_pg)""")
    con.execute("""CREATE TABLE st AS SELECT site_id, CAST(row_number() OVER (ORDER BY site_id) - 1
                   AS INTEGER) AS sidx, count(*) AS npages FROM pg GROUP BY site_id""")
    nsites = con.execute("SELECT count(*) FROM st").fetchall()[0][0]
    # A few days at a time, so 100M lines never sit in memory at once.
    group = max(1, min(days, days * CHUNK_LINES // max(lines, 1)))
    for first in range(0, days, group):
        last = min(days, first + group)
        count = round(lines * last / days) - round(lines * first / days)
        _generate_days(con, out_dir, search_dir, count, start_day, first, last - first, nsites,
                       visitors)
    con.close()
    return int(lines)


def _generate_days(con, out_dir, search_dir, lines, start_day, first, days, nsites, visitors):
    terms = SEARCH_TERMS + ZERO_TERMS
    start = start_day.isoformat()
    con.execute(f"""
        CREATE OR REPLACE TABLE gen AS
        WITH r AS (
            SELECT i, random() r1, random() r2, random() r3, random() r4, random() r5, random() r6,
                   random() r7, random() r8, random() r9, random() r10, random() r11
            FROM range({int(lines)}) t(i)
        ), x AS (
            SELECT r.*, st.site_id, st.npages,
                   CAST(floor(pow(r2, 2.2) * st.npages) AS INTEGER) AS pidx,
                   {int(first)} + CAST(floor(r3 * {int(days)}) AS INTEGER) AS doff,
                   CAST(CASE WHEN r4 < 0.72 THEN 8 + floor(r5 * 10) ELSE floor(r5 * 24) END AS INTEGER) AS hh
            FROM r JOIN st ON st.sidx = CAST(floor(pow(r1, 1.7) * {nsites}) AS INTEGER)
        )
        SELECT x.site_id AS site, pg.path, pg.page_id AS page,
               DATE '{start}' + x.doff AS day,
               strftime(DATE '{start}' + x.doff + to_hours(x.hh) + to_seconds(CAST(floor(r6 * 3600) AS INTEGER)),
                        '%Y-%m-%dT%H:%M:%S') || '.000' AS ts,
               CASE WHEN r10 < 0.965 THEN 200 WHEN r10 < 0.985 THEN 304 WHEN r10 < 0.997 THEN 404 ELSE 500 END AS status,
               CAST(8000 + floor(r11 * 60000) AS BIGINT) AS bytes,
               round(5 + pow(r11, 3) * 400, 1) AS ms,
               left(md5(x.site_id || '-' || x.doff || '-' || CAST(floor(pow(r7, 1.4) * {int(visitors)}) AS INTEGER)), 16) AS visitor,
               CASE WHEN r8 < 0.58 THEN 'desktop' WHEN r8 < 0.91 THEN 'mobile' WHEN r8 < 0.94 THEN 'tablet'
                    WHEN r8 < 0.99 THEN 'bot' ELSE 'other' END AS ua,
               CASE WHEN r9 < 0.45 THEN NULL ELSE {REFERRERS!r}[1 + CAST(floor(pow(greatest(r9 - 0.45, 0) / 0.55, 1.5) * {len(REFERRERS)}) AS INTEGER)] END AS ref,
               CASE WHEN pg.path = '/search/' THEN {terms!r}[1 + CAST(floor(pow(r6, 1.6) * {len(terms)}) AS INTEGER)] END AS q
        FROM x JOIN pg ON pg.site_id = x.site_id AND pg.idx = x.pidx
    """)
    staging = Path(tempfile.mkdtemp(prefix="govweb-gen-", dir=out_dir))
    con.execute(f"""COPY (SELECT ts, site, path, page, status, bytes, ms, visitor, ua, ref, q, day
                   FROM gen ORDER BY ts) TO '{staging}' (FORMAT json, PARTITION_BY (day))""")
    _collect(staging, out_dir)
    if search_dir is not None:
        search_dir = Path(search_dir)
        search_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix="govweb-gen-", dir=search_dir))
        zero = ", ".join(f"'{t}'" for t in ZERO_TERMS)
        con.execute(f"""COPY (SELECT ts, site, q, CASE WHEN q IN ({zero}) THEN 0
                              ELSE 1 + CAST(floor(bytes % 37) AS INTEGER) END AS results,
                              CASE WHEN q NOT IN ({zero}) AND bytes % 3 = 0 THEN '/' END AS clicked,
                              visitor, day
                       FROM gen WHERE q IS NOT NULL AND status = 200 ORDER BY ts)
                       TO '{staging}' (FORMAT json, PARTITION_BY (day))""")
        _collect(staging, search_dir)
    con.execute("DROP TABLE gen")


def _collect(staging, out_dir):
    for day_dir in sorted(staging.glob("day=*")):
        target = out_dir / f"{day_dir.name[4:]}.jsonl"
        with open(target, "ab") as out:
            for part in sorted(day_dir.glob("*.json")):
                with open(part, "rb") as src:
                    shutil.copyfileobj(src, out, 16 * 1024 * 1024)
    shutil.rmtree(staging, ignore_errors=True)


def day_range(end_day, days):
    return end_day - dt.timedelta(days=days - 1)
