"""Log ingestion (日志入库): JSONL and nginx access logs → date-partitioned Parquet.

Each file is identified by the hash of its first line and read from the byte offset reached
last time, so re-running, renaming (log rotation) or copying a file never counts a line twice.
Only complete lines are read; a trailing fragment is left for the next run unless the file has
been quiet for `settle_seconds`. Malformed lines (truncated, wrong encoding, garbage, unknown
site) are counted and sampled, and never stop the run.
"""

import datetime as dt
import glob
import hashlib
import json
import re
import time
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from . import conf, store
from .records import UA_CLASS_SQL, VISITOR_SQL, daily_salt

SAMPLE_LIMIT = 5
FIRST_LINE_MAX = 65536

ACCESS_COLUMNS = (
    "{'ts': 'TIMESTAMP', 'site': 'INTEGER', 'path': 'VARCHAR', 'page': 'INTEGER', "
    "'status': 'SMALLINT', 'bytes': 'BIGINT', 'ms': 'FLOAT', 'visitor': 'VARCHAR', "
    "'ua': 'VARCHAR', 'ref': 'VARCHAR', 'q': 'VARCHAR'}"
)
SEARCH_COLUMNS = (
    "{'ts': 'TIMESTAMP', 'site': 'INTEGER', 'q': 'VARCHAR', 'results': 'INTEGER', "
    "'clicked': 'VARCHAR', 'visitor': 'VARCHAR'}"
)

# nginx "combined", optionally followed by the govweb extra fields: "$host" $request_time
# "$upstream_cache_status" (see docs/subsystems/analytics.md for the log_format lines).
NGINX_PATTERN = (
    r'^(\S+) \S+ (\S+) \[([^\]]+)\] "(\S+) ([^" ]+)[^"]*" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"'
    r'(?: "([^"]*)" ([0-9.]+|-) "([^"]*)")?'
)
NGINX_FIELDS = ["ip", "user", "time", "method", "target", "status", "bytes", "ref", "ua",
                "host", "rt", "cache"]
CACHE_SERVED = ("HIT", "STALE", "UPDATING", "REVALIDATED")
_nginx_re = re.compile(NGINX_PATTERN)
_host_in_name = re.compile(r"^(?P<host>[a-z0-9.-]+\.[a-z]{2,})[._-]access", re.I)


def fingerprint(path):
    """sha256 of the file's first line (None while the file has no complete line)."""
    with open(path, "rb") as handle:
        head = handle.read(FIRST_LINE_MAX)
    end = head.find(b"\n")
    if end < 0:
        return None
    return hashlib.sha256(head[: end + 1]).hexdigest()


def _valid_json_record(line, required):
    try:
        record = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return False
    if not isinstance(record, dict):
        return False
    try:
        dt.datetime.fromisoformat(str(record.get("ts")))
        return all(record.get(name) is not None for name in required) and int(record["site"]) >= 0
    except (TypeError, ValueError):
        return False


def _valid_nginx(line, host_ids, file_host):
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    match = _nginx_re.match(text)
    if not match:
        return False
    host = (match.group(10) or file_host or "").lower()
    return host in host_ids


def _samples(chunk, is_valid):
    found = []
    for line in chunk.split(b"\n"):
        if line and not is_valid(line):
            found.append(line[:300].decode("utf-8", "backslashreplace"))
            if len(found) >= SAMPLE_LIMIT:
                break
    return found


class Ingestor:
    """One ingestion run over every known log file."""

    def __init__(self, now=None, settle_seconds=600, threads=None):
        self.now = now or timezone.now()
        self.settle_seconds = settle_seconds
        self.con = store.connect(threads=threads)
        self.days = set()
        self.totals = {"files": 0, "lines": 0, "rows": 0, "malformed": 0}
        self._host_ids = None

    # -- discovery ---------------------------------------------------------------------
    def candidates(self):
        found = []
        for kind, directory in (("access", conf.access_log_dir()), ("search", conf.search_log_dir())):
            if directory.exists():
                found += [(kind, path) for path in sorted(directory.glob("*.jsonl"))]
        for pattern in conf.nginx_log_globs():
            found += [("nginx", Path(p)) for p in sorted(glob.glob(pattern)) if Path(p).is_file()]
        return found

    def run(self):
        from .models import IngestRun

        started, clock = timezone.now(), time.perf_counter()
        with store.writer_lock():
            refresh_dimensions(self.con)
            for kind, path in self.candidates():
                self.ingest_file(kind, path)
            if self.days:
                from .aggregates import aggregate_days

                aggregate_days(sorted(self.days), con=self.con)
        run = IngestRun.objects.create(
            started_at=started, seconds=round(time.perf_counter() - clock, 3),
            days=sorted(d.isoformat() for d in self.days), **self.totals,
        )
        return run

    # -- one file ----------------------------------------------------------------------
    def ingest_file(self, kind, path):
        from .models import LogSource

        path = Path(path)
        fp = fingerprint(path)
        if fp is None:
            return 0
        source, _created = LogSource.objects.get_or_create(
            fingerprint=fp, defaults={"kind": kind, "path": str(path)})
        size = path.stat().st_size
        if size <= source.offset:
            if source.path != str(path):
                LogSource.objects.filter(pk=source.pk).update(path=str(path))
            return 0
        with open(path, "rb") as handle:
            handle.seek(source.offset)
            chunk = handle.read(size - source.offset)
        quiet = time.time() - path.stat().st_mtime >= self.settle_seconds
        end = chunk.rfind(b"\n") + 1
        if end < len(chunk) and quiet:
            end = len(chunk)  # the writer is gone: the fragment is final (and malformed)
        chunk = chunk[:end]
        if not chunk:
            return 0
        lines = chunk.count(b"\n") + (0 if chunk.endswith(b"\n") else 1)
        lines -= chunk.count(b"\n\n") + (1 if chunk.startswith(b"\n") else 0)  # blank lines
        name = f"part-{fp[:12]}-{source.offset:013d}"
        if source.offset == 0 and end == size:
            input_path, temp = path, None
        else:
            temp = store.staging_dir() / "chunk.log"
            temp.write_bytes(chunk)
            input_path = temp
        staged = store.staging_dir()
        try:
            rows, parsed, valid = self._copy(kind, input_path, staged, path)
        finally:
            if temp is not None:
                temp.unlink(missing_ok=True)
        days = store.place_partitioned(staged, store.raw_dir("search" if kind == "search" else "access"), name)
        self.days.update(dt.date.fromisoformat(day) for day in days)
        malformed = max(lines - parsed, 0)
        samples = list(source.samples)
        if malformed and len(samples) < SAMPLE_LIMIT * 4:
            samples += _samples(chunk, valid)[: SAMPLE_LIMIT]
        with transaction.atomic():
            LogSource.objects.filter(pk=source.pk).update(
                path=str(path), offset=source.offset + end, lines=source.lines + lines,
                rows=source.rows + rows, malformed=source.malformed + malformed,
                samples=samples[-SAMPLE_LIMIT * 4:], updated_at=timezone.now(),
            )
        self.totals["files"] += 1
        self.totals["lines"] += lines
        self.totals["rows"] += rows
        self.totals["malformed"] += malformed
        return rows

    def _copy(self, kind, input_path, staged, original):
        """COPY the valid rows of a file into staged/day=…/; (row count, python validator)."""
        target = "(FORMAT parquet, PARTITION_BY (day), COMPRESSION zstd, OVERWRITE_OR_IGNORE)"
        if kind == "access":
            sql = (
                f"SELECT ts, site, path, page, status, bytes, ms, visitor, ua, ref, q, "
                f"'app' AS source, CAST(ts AS DATE) AS day FROM read_json('{input_path}', "
                f"format = 'newline_delimited', columns = {ACCESS_COLUMNS}, ignore_errors = true)"
                f" WHERE ts IS NOT NULL AND site IS NOT NULL"
            )
            validator = lambda line: _valid_json_record(line, ("ts", "site"))  # noqa: E731
        elif kind == "search":
            sql = (
                f"SELECT ts, site, q, results, clicked, visitor, CAST(ts AS DATE) AS day "
                f"FROM read_json('{input_path}', format = 'newline_delimited', "
                f"columns = {SEARCH_COLUMNS}, ignore_errors = true)"
                f" WHERE ts IS NOT NULL AND site IS NOT NULL"
            )
            validator = lambda line: _valid_json_record(line, ("ts", "site"))  # noqa: E731
        else:
            sql, validator = self._nginx_sql(input_path, original)
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE nginx_rows AS {sql}")
            parsed = self.con.execute("SELECT count(*) FROM nginx_rows").fetchall()[0][0]
            keep = f"cache IN {CACHE_SERVED}" if conf.app_log_enabled() else "true"
            result = self.con.execute(
                f"COPY (SELECT * EXCLUDE (cache) FROM nginx_rows WHERE {keep}) TO '{staged}' {target}"
            ).fetchall()
            self.con.execute("DROP TABLE nginx_rows")
            return int(result[0][0]), int(parsed), validator
        result = self.con.execute(f"COPY ({sql}) TO '{staged}' {target}").fetchall()
        return int(result[0][0]), int(result[0][0]), validator

    def host_ids(self):
        if self._host_ids is None:
            self._host_ids = {}
            for site_id, host, domain in self.con.execute(
                    "SELECT site_id, host, domain FROM dim_sites").fetchall():
                for name in (host, domain):
                    if name:
                        self._host_ids[name.lower()] = site_id
        return self._host_ids

    def _nginx_sql(self, input_path, original):
        """Parse nginx lines in DuckDB: regex → fields, host → site, ip+ua → daily hash."""
        match = _host_in_name.match(Path(original).name)
        file_host = match.group("host").lower() if match else ""
        host_ids = self.host_ids()
        self.con.execute("CREATE OR REPLACE TEMP TABLE nginx_hosts (host VARCHAR, site INTEGER)")
        if host_ids:
            self.con.executemany("INSERT INTO nginx_hosts VALUES (?, ?)", list(host_ids.items()))
        csv = (f"read_csv('{input_path}', columns = {{'line': 'VARCHAR'}}, delim = '\x1e', "
               "quote = '', escape = '', header = false, auto_detect = false, "
               "ignore_errors = true, strict_mode = false)")
        # One salt per day present in the file (the visitor hash rotates daily).
        found = self.con.execute(
            f"SELECT DISTINCT try_strptime(regexp_extract(line, '\\[(\\d{{2}}/\\w{{3}}/\\d{{4}})', 1), "
            f"'%d/%b/%Y')::DATE AS day FROM {csv}").fetchall()
        salts = [(row[0], daily_salt(row[0].isoformat())) for row in found if row[0] is not None]
        self.con.execute("CREATE OR REPLACE TEMP TABLE nginx_salts (day DATE, salt VARCHAR)")
        if salts:
            self.con.executemany("INSERT INTO nginx_salts VALUES (?, ?)", salts)
        fields = ", ".join(f"'{name}'" for name in NGINX_FIELDS)
        pattern = NGINX_PATTERN.replace("'", "''")
        sql = f"""
            WITH lines AS (
                SELECT regexp_extract(line, '{pattern}', [{fields}]) AS f
                FROM {csv}
            ), parsed AS (
                SELECT strptime(substr(f.time, 1, 20), '%d/%b/%Y:%H:%M:%S') AS ts,
                       lower(coalesce(nullif(f.host, ''), '{file_host}')) AS host,
                       split_part(f.target, '?', 1) AS path,
                       CAST(f.status AS SMALLINT) AS status,
                       CAST(CASE WHEN f.bytes = '-' THEN '0' ELSE f.bytes END AS BIGINT) AS bytes,
                       CAST(CASE WHEN f.rt IN ('', '-') THEN NULL ELSE f.rt END AS FLOAT) * 1000 AS ms,
                       f.ip AS ip, f.ua AS ua_raw, f.cache AS cache,
                       nullif(lower(regexp_extract(f.ref, '^[a-zA-Z]+://([^/:?#]+)', 1)), '') AS ref,
                       nullif(trim(replace(url_decode(replace(regexp_extract(f.target,
                           '[?&](?:q|keyword|keywords)=([^&]*)', 1), '+', ' ')), chr(0), '')), '') AS q
                FROM lines WHERE f.status <> ''
            )
            SELECT p.ts, h.site, left(p.path, 500) AS path, CAST(NULL AS INTEGER) AS page, p.status,
                   p.bytes, p.ms, {VISITOR_SQL.format(ip="p.ip", ua="p.ua_raw")} AS visitor,
                   {UA_CLASS_SQL.format(ua="p.ua_raw")} AS ua, p.ref, left(p.q, 100) AS q,
                   'nginx' AS source, CAST(p.ts AS DATE) AS day, upper(p.cache) AS cache
            FROM parsed p
            JOIN nginx_hosts h ON h.host = p.host
            JOIN nginx_salts s ON s.day = CAST(p.ts AS DATE)
            WHERE p.ts IS NOT NULL
        """

        def validator(line):
            return _valid_nginx(line, host_ids, file_host)

        return sql, validator


def refresh_dimensions(con=None):
    """Export page → site/column/path/title and site → host from the database to Parquet."""
    from wagtail.models import Page, Site

    from govweb.cluster.models import SiteProfile
    from govweb.library.models import ColumnPage

    con = con or store.connect()
    sites = list(Site.objects.select_related("root_page"))
    domains = dict(SiteProfile.objects.values_list("site_id", "domain"))
    names = dict(SiteProfile.objects.values_list("site_id", "organisation"))
    from django.contrib.contenttypes.models import ContentType

    column_type = ContentType.objects.get_for_model(ColumnPage).pk
    page_rows, site_rows = [], []
    for site in sites:
        root = site.root_page
        site_rows.append((site.pk, names.get(site.pk, site.site_name or site.hostname),
                          site.hostname.lower(), (domains.get(site.pk) or "").lower()))
        pages = list(Page.objects.descendant_of(root, inclusive=True).live()
                     .values_list("pk", "path", "url_path", "title", "content_type_id", "depth"))
        by_path = {p[1]: p for p in pages}
        base = root.url_path
        for pk, path, url_path, title, ctype, _depth in pages:
            column_id = None
            if ctype == column_type:
                column_id = pk
            else:
                parent = by_path.get(path[:-Page.steplen])
                if parent is not None and parent[4] == column_type:
                    column_id = parent[0]
            relative = "/" + url_path[len(base):] if url_path.startswith(base) else url_path
            page_rows.append((pk, site.pk, column_id, relative, title, relative, ctype == column_type))
    con.execute(f"CREATE OR REPLACE TEMP TABLE new_pages ({store.EMPTY_SCHEMAS['pages']})")
    if page_rows:
        con.executemany("INSERT INTO new_pages VALUES (?, ?, ?, ?, ?, ?, ?)", page_rows)
    con.execute(f"CREATE OR REPLACE TEMP TABLE new_sites ({store.EMPTY_SCHEMAS['sites']})")
    if site_rows:
        con.executemany("INSERT INTO new_sites VALUES (?, ?, ?, ?)", site_rows)
    store.write_single(con, "SELECT * FROM new_pages", store.dim_dir() / "pages.parquet")
    store.write_single(con, "SELECT * FROM new_sites", store.dim_dir() / "sites.parquet")
    for dim in ("pages", "sites"):
        for kind in ("VIEW", "TABLE"):
            try:
                con.execute(f"DROP {kind} IF EXISTS dim_{dim}")
            except Exception:  # duckdb: the name is the other kind of object
                pass
        con.execute(f"CREATE VIEW dim_{dim} AS SELECT * FROM read_parquet('{store.dim_dir() / (dim + '.parquet')}')")
    return len(page_rows)
