"""Periodic jobs (定时任务) run by `govweb scheduler`. Other apps append to PERIODIC_JOBS."""

import logging
import time
from dataclasses import dataclass, field

from django.core.management import call_command

logger = logging.getLogger("govweb.scheduler")


@dataclass
class PeriodicJob:
    name: str
    every_seconds: int
    run: callable
    next_run: float = field(default=0.0)


def publish_scheduled():
    """Publish pages whose go-live time has come and unpublish expired ones."""
    call_command("publish_scheduled", verbosity=0)


PERIODIC_JOBS = [
    PeriodicJob("publish_scheduled", 60, publish_scheduled),
]


def run_due_jobs(now=None, jobs=None):
    """Run every job that is due; a failing job is logged and retried at its next turn."""
    now = time.monotonic() if now is None else now
    ran = []
    for job in jobs if jobs is not None else PERIODIC_JOBS:
        if now >= job.next_run:
            job.next_run = now + job.every_seconds
            try:
                job.run()
                ran.append(job.name)
            except Exception:
                logger.exception("periodic job %s failed", job.name)
    return ran


def loop(stop, tick_seconds=5):
    while not stop():
        run_due_jobs()
        time.sleep(tick_seconds)
