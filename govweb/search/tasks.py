"""Index work done by the task worker (django-tasks): publishing never waits for the index."""

from django_tasks import task

from . import actions


@task()
def index_page(page_id):
    return actions.do_index_page(page_id)


@task()
def index_pages(page_ids):
    return actions.do_index_pages(page_ids)


@task()
def index_subtree(page_id):
    return actions.do_index_subtree(page_id)


@task()
def remove_from_index(keys):
    actions.do_remove_from_index(list(keys))


@task()
def index_item(source_name, pk):
    return actions.do_index_item(source_name, pk)


@task()
def rebuild_index():
    return actions.do_rebuild_index()
