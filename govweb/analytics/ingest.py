"""Log ingestion (日志入库): JSONL and nginx access logs → date-partitioned Parquet.

Each file is identified by the hash of its first line and read from the byte offset reached
last time, so re-running, renaming (log rotation) or copying a file never counts a line twice.
Only complete lines are read; a trailing fragment is left for the next run unless the file has
been quiet for `settle_seconds`. Malformed lines (truncated, wrong encoding, garbage, unknown
site) are counted and sampled, and never stop the run.

Speed: DuckDB does all the parsing. New JSONL chunks of many files go through one
`read_json → COPY … PARTITION_BY (day)` (up to BATCH_BYTES at a time, so DuckDB works on
several files in parallel), written straight into the day partitions; Python only counts
newlines. A journal names the batch being written, so a crash before the offsets are saved is
undone at the next run rather than counted twice.
"""

import datetime as dt
import glob
import hashlib
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import conf, store
from .records import UA_CLASS_SQL, VISITOR_SQL, daily_salt

SAMPLE_LIMIT = 5
FIRST_LINE_MAX = 65536
# New bytes parsed by one COPY, and the largest piece of one file read at a time (memory bound).
BATCH_BYTES = 256 * 2**20
JOURNAL = ".ingest-journal.json"
RAW_ZSTD_LEVEL = 1  # measured: less CPU than the default level 3, and files no larger

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
# "$govweb_cache_status" (see docs/subsystems/analytics.md for the log_format lines).
NGINX_PATTERN = (
    r'^(\S+) \S+ (\S+) \[([^\]]+)\] "(\S+) ([^" ]+)[^"]*" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"'
    r'(?: "([^"]*)" ([0-9.]+|-) "([^"]*)")?'
)
NGINX_FIELDS = ["ip", "user", "time", "method", "target", "status", "bytes", "ref", "ua",
                "host", "rt", "cache"]
# Lines nginx answered without the app (so the app's own log lacks them): its proxy cache, or
# NGINX — no upstream at all (the edge mirror, base/edgemirror.py; docs/deploy/govweb-edge-maps.conf).
CACHE_SERVED = ("HIT", "STALE", "UPDATING", "REVALIDATED", "NGINX")
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


def _blank_lines(data):
    """Empty (or whitespace-only) lines: neither records nor malformed."""
    parts = data.split(b"\n")
    if data.endswith(b"\n"):
        parts.pop()
    return sum(1 for part in parts if not part.strip())


def _stat(path):
    info = os.stat(path)
    return info.st_size, info.st_mtime_ns


@dataclass
class Chunk:
    """New complete lines of one file: bytes [start, end) read in this run."""

    source: object  # LogSource
    kind: str
    path: Path
    start: int
    end: int
    data: bytes
    stat: tuple  # (size, mtime_ns) when read: DuckDB may read the file itself while unchanged
    direct: bool
    input: str = ""
    rows: int = 0
    parsed: int = 0
    newlines: int = 0  # lines, blank ones included

    def __post_init__(self):
        self.newlines = self.data.count(b"\n") + (0 if self.data.endswith(b"\n") else 1)


def recover():
    """Undo the raw parts of a batch whose offsets were never saved (a crash mid-batch)."""
    from .models import LogSource

    journal = store.root() / JOURNAL
    if journal.exists():
        try:
            entry = json.loads(journal.read_text())
        except ValueError:
            entry = None
        if entry:
            starts = dict(entry["sources"])
            saved = dict(LogSource.objects.filter(pk__in=starts).values_list("pk", "offset"))
            if not any(saved.get(int(pk), 0) > start for pk, start in starts.items()):
                for part in store.raw_dir(entry["kind"]).glob(f"day=*/part-{entry['batch']}-*.parquet"):
                    part.unlink()
        journal.unlink()
    for temp in store.temp_dir().glob("*.log"):
        temp.unlink()


class Ingestor:
    """One ingestion run over every known log file."""

    def __init__(self, now=None, settle_seconds=600, threads=None, dimensions=True):
        self.now = now or timezone.now()
        self.settle_seconds = settle_seconds
        self.dimensions = dimensions  # False: keep dim/*.parquet as it is (the benchmark's own)
        self.con = store.connect(threads=threads)
        self.con.execute(f"SET temp_directory = '{store.temp_dir() / 'duckdb'}'")
        limit = conf.memory_limit()
        if limit:
            self.con.execute(f"SET memory_limit = '{limit}'")
        self.days = set()
        self.totals = {"files": 0, "lines": 0, "rows": 0, "malformed": 0}
        self.seconds = {}  # wall and CPU seconds of the run's two phases
        self._host_ids = None
        self._pending = {"access": [], "search": []}
        self._files = set()

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
        from .aggregates import aggregate_days, compact_periods
        from .models import IngestRun

        started, clock, cpu = timezone.now(), time.perf_counter(), time.process_time()
        with store.writer_lock():
            recover()
            if self.dimensions:
                refresh_dimensions(self.con)
            self.ingest_all()
            mark, mark_cpu = time.perf_counter(), time.process_time()
            today = timezone.localdate(self.now)
            if self.days:
                aggregate_days(sorted(self.days), con=self.con, today=today)
            else:  # nothing new: still rebuild sums an interrupted run left missing or stale
                compact_periods(self.con, today=today)
        self.seconds = {"parse": mark - clock, "parse_cpu": mark_cpu - cpu,
                        "aggregate": time.perf_counter() - mark,
                        "aggregate_cpu": time.process_time() - mark_cpu}
        run = IngestRun.objects.create(
            started_at=started, seconds=round(time.perf_counter() - clock, 3),
            days=sorted(d.isoformat() for d in self.days), **self.totals,
        )
        return run

    def ingest_all(self):
        """Every new complete line of every candidate file → raw partitions."""
        for kind, path in self.candidates():
            for chunk in self._chunks(kind, path):
                if kind == "nginx":
                    self._write([chunk])  # one file at a time: its name may carry the host
                    continue
                pending = self._pending[kind]
                pending.append(chunk)
                if sum(len(c.data) for c in pending) >= BATCH_BYTES:
                    self._write(pending)
                    self._pending[kind] = []
        for kind, pending in self._pending.items():
            if pending:
                self._write(pending)
            self._pending[kind] = []

    # -- reading -----------------------------------------------------------------------
    def _chunks(self, kind, path):
        """The new complete lines of one file, in pieces of at most BATCH_BYTES."""
        from .models import LogSource

        path = Path(path)
        fp = fingerprint(path)
        if fp is None:
            return
        source, _created = LogSource.objects.get_or_create(
            fingerprint=fp, defaults={"kind": kind, "path": str(path)})
        stat = _stat(path)
        size = stat[0]
        if size <= source.offset:
            if source.path != str(path):
                LogSource.objects.filter(pk=source.pk).update(path=str(path))
            return
        quiet = time.time() - stat[1] / 1e9 >= self.settle_seconds
        offset = source.offset
        with open(path, "rb") as handle:
            while offset < size:
                handle.seek(offset)
                data = handle.read(min(BATCH_BYTES, size - offset))
                last = offset + len(data) >= size
                end = data.rfind(b"\n") + 1
                if last and end < len(data) and quiet:
                    end = len(data)  # the writer is gone: the fragment is final (and malformed)
                elif end == 0 and not last:
                    end = len(data)  # one line longer than a batch: parsed (or refused) as is
                if end == 0:
                    return  # only a fragment the writer may still finish
                yield Chunk(source, kind, path, offset, offset + end, data[:end], stat,
                            direct=offset == 0 and end == size)
                offset += end

    def _inputs(self, chunks, batch):
        """What DuckDB reads: the file itself when the chunk is the whole file, else a copy."""
        for index, chunk in enumerate(chunks):
            if chunk.direct:
                chunk.input = str(chunk.path)
            else:
                temp = store.temp_dir() / f"{batch}-{index}.log"
                temp.write_bytes(chunk.data)
                chunk.input = str(temp)

    # -- writing -----------------------------------------------------------------------
    def _write(self, chunks):
        """Parse chunks of one kind in one COPY into the day partitions, then save offsets."""
        kind = chunks[0].kind
        raw_kind = "search" if kind == "search" else "access"
        batch = store.token()
        self._inputs(chunks, batch)
        journal = store.root() / JOURNAL
        journal.write_text(json.dumps({
            "batch": batch, "kind": raw_kind,
            "sources": [[c.source.pk, c.start] for c in chunks]}))
        try:
            while True:
                written, validator = self._copy(kind, chunks, batch)
                # A file that grew or was truncated while DuckDB read it: read our copy instead.
                moved = [c for c in chunks if c.direct and _stat(c.path) != c.stat]
                if not moved:
                    break
                for files in written.values():
                    for part in files:
                        part.unlink(missing_ok=True)
                for chunk in moved:
                    chunk.direct = False
                self._inputs(moved, batch + "-again")
            self._save(chunks, validator)
        finally:
            for chunk in chunks:
                if not chunk.direct and chunk.input:
                    Path(chunk.input).unlink(missing_ok=True)
        journal.unlink()
        self.days.update(written)

    def _copy(self, kind, chunks, batch):
        base = store.raw_dir("search" if kind == "search" else "access")
        pattern = f"part-{batch}"
        if kind == "nginx":
            chunk = chunks[0]
            sql, validator = self._nginx_sql(chunk.input, chunk.path)
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE nginx_rows AS {sql}")
            chunk.parsed = self.con.execute("SELECT count(*) FROM nginx_rows").fetchall()[0][0]
            keep = f"cache IN {CACHE_SERVED}" if conf.app_log_enabled() else "true"
            chunk.rows, written = store.copy_partitioned(
                self.con, f"SELECT * EXCLUDE (cache) FROM nginx_rows WHERE {keep}", base, pattern,
                level=RAW_ZSTD_LEVEL)
            self.con.execute("DROP TABLE nginx_rows")
            return written, validator
        rows, written = store.copy_partitioned(self.con, self._json_sql(kind, chunks), base, pattern,
                                               level=RAW_ZSTD_LEVEL)
        if rows == sum(c.newlines for c in chunks):
            for chunk in chunks:  # the usual case: every line was a record
                chunk.rows = chunk.parsed = chunk.newlines
        else:  # some lines were refused: attribute the records to their files
            counts = dict(self.con.execute(
                f"SELECT filename, count(*) FROM ({self._json_sql(kind, chunks, filename=True)}) "
                "GROUP BY filename").fetchall())
            for chunk in chunks:
                chunk.rows = chunk.parsed = int(counts.get(chunk.input, 0))
        return written, lambda line: _valid_json_record(line, ("ts", "site"))

    def _json_sql(self, kind, chunks, filename=False):
        files = store.file_list(c.input for c in chunks)
        options = (f"format = 'newline_delimited', ignore_errors = true, "
                   f"columns = {ACCESS_COLUMNS if kind == 'access' else SEARCH_COLUMNS}")
        if filename:
            options += ", filename = true"
        if kind == "access":
            fields = "ts, site, path, page, status, bytes, ms, visitor, ua, ref, q, 'app' AS source"
        else:
            fields = "ts, site, q, results, clicked, visitor"
        extra = ", filename" if filename else ""
        return (f"SELECT {fields}, CAST(ts AS DATE) AS day{extra} FROM read_json({files}, {options}) "
                "WHERE ts IS NOT NULL AND site IS NOT NULL")

    def _save(self, chunks, validator):
        """Offsets, counts and samples of malformed lines, all in one transaction."""
        from .models import LogSource

        with transaction.atomic():
            for chunk in chunks:
                lines = chunk.newlines
                if chunk.parsed < lines:
                    lines -= _blank_lines(chunk.data)
                malformed = max(lines - chunk.parsed, 0)
                source = chunk.source
                if malformed and len(source.samples) < SAMPLE_LIMIT * 4:
                    source.samples = (list(source.samples)
                                      + _samples(chunk.data, validator)[:SAMPLE_LIMIT])[-SAMPLE_LIMIT * 4:]
                LogSource.objects.filter(pk=source.pk).update(
                    path=str(chunk.path), offset=chunk.end, lines=F("lines") + lines,
                    rows=F("rows") + chunk.rows, malformed=F("malformed") + malformed,
                    samples=source.samples, updated_at=timezone.now(),
                )
                if source.pk not in self._files:
                    self._files.add(source.pk)
                    self.totals["files"] += 1
                self.totals["lines"] += lines
                self.totals["rows"] += chunk.rows
                self.totals["malformed"] += malformed

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
