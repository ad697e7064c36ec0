"""Appends access records to DATA_DIR/logs/access/YYYY-MM-DD.jsonl off the request path.

Requests only put a small dict on an in-process queue; a daemon thread batches the records and
appends them with one O_APPEND write per file and batch, so several gunicorn workers can share
the same day file without interleaving lines. `flush()` drains the queue (tests, shutdown).
"""

import atexit
import json
import logging
import os
import queue
import threading

from . import conf

logger = logging.getLogger("govweb.analytics")

_BATCH = 500
_state = {"queue": None, "thread": None, "pid": None}
_lock = threading.Lock()


def _ensure_thread():
    # A forked worker inherits no thread: start one per process.
    if _state["pid"] == os.getpid() and _state["thread"] is not None:
        return _state["queue"]
    with _lock:
        if _state["pid"] != os.getpid() or _state["thread"] is None:
            _state["queue"] = queue.Queue(maxsize=100_000)
            thread = threading.Thread(target=_run, args=(_state["queue"],), name="access-log", daemon=True)
            _state.update(thread=thread, pid=os.getpid())
            thread.start()
    return _state["queue"]


def submit(record):
    """Queue one record; drops it (and says so) rather than ever blocking a request."""
    try:
        _ensure_thread().put_nowait((conf.access_log_dir(), record))
    except queue.Full:
        logger.warning("access log queue full: record dropped")


def _run(q):
    while True:
        first = q.get()
        batch = [first]
        while len(batch) < _BATCH:
            try:
                batch.append(q.get_nowait())
            except queue.Empty:
                break
        try:
            write_records(batch)
        except Exception:
            logger.exception("access log write failed (%d records)", len(batch))
        finally:
            for _ in batch:
                q.task_done()


def write_records(batch):
    """Append [(directory, record)] grouped by day file, one write() per file."""
    files = {}
    for directory, record in batch:
        day = record["ts"][:10]
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        files.setdefault(directory / f"{day}.jsonl", []).append(line)
    for path, lines in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, "".join(lines).encode("utf-8"))
        finally:
            os.close(fd)


def flush():
    """Block until every queued record is on disk."""
    if _state["pid"] == os.getpid() and _state["queue"] is not None:
        _state["queue"].join()


atexit.register(flush)
