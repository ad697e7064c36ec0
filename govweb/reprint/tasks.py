"""Background work for the worker (django-tasks): reading upstream feeds is network-bound."""

from django_tasks import task


@task()
def fetch_upstream_feeds():
    """Read every active upstream feed and issue directives for new entries."""
    from .actions import do_fetch_all_feeds

    return do_fetch_all_feeds()
