"""Work of the library done by the task worker (django-tasks)."""

from django_tasks import task

from . import actions


@task()
def index_imported_pages(page_ids):
    return actions.do_index_imported_pages(list(page_ids))
