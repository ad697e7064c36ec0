"""Background work for the worker (django-tasks): the crawl is network-bound."""

from django_tasks import task


@task()
def run_daily_checks():
    from .actions import do_run_checks

    run = do_run_checks()
    return {"run": run.pk, "found": run.found, "new": run.new, "resolved": run.resolved}
