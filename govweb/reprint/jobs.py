"""Periodic jobs of the reprint app, registered in `ReprintConfig.ready()`."""

from govweb.base.scheduler import PeriodicJob

DEADLINE_CHECK_SECONDS = 300
FEED_FETCH_SECONDS = 900


def check_reprint_deadlines():
    """Alert the editors of every site that missed a reprint deadline (once per task)."""
    from .actions import do_alert_late_tasks

    do_alert_late_tasks()


def enqueue_feed_fetch():
    """The scheduler stays quick: the worker does the network reads."""
    from .tasks import fetch_upstream_feeds

    fetch_upstream_feeds.enqueue()


JOBS = [
    PeriodicJob("reprint_deadlines", DEADLINE_CHECK_SECONDS, check_reprint_deadlines),
    PeriodicJob("reprint_upstream_feeds", FEED_FETCH_SECONDS, enqueue_feed_fetch),
]
