"""Writes of the library: each site's editorial workflow (审核 → 签发) and import tokens."""

import hashlib
import secrets

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from .models import ImportToken

SIGNER_PAGE_PERMISSIONS = ["change", "publish", "lock", "unlock"]


def signers_group_name(profile):
    return f"{profile.organisation} signers"


def workflow_name(profile):
    return f"{profile.organisation} 审核签发"


def _perm(app_label, codename):
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@transaction.atomic
def do_provision_site_workflow(profile):
    """The site's default workflow: edit → 审核 (reviewers) → 签发 (signers). Idempotent.

    Creates the "<site> signers" group (rights like the reviewers') and assigns the workflow
    to the site's home page in every language (its English home is a sibling of the Chinese
    one), so every page of the site, English versions included, goes through it.
    """
    signers, _ = Group.objects.get_or_create(name=signers_group_name(profile))
    signers.permissions.add(_perm("wagtailadmin", "access_admin"))
    homes = list(profile.site.root_page.get_translations(inclusive=True))
    for root in homes:
        for permission_type in SIGNER_PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=signers, page=root, permission=_perm("wagtailcore", f"{permission_type}_page"))
    if profile.collection_id:
        for app_label, codename in (("wagtaildocs", "choose_document"), ("wagtailimages", "choose_image")):
            GroupCollectionPermission.objects.get_or_create(
                group=signers, collection=profile.collection, permission=_perm(app_label, codename))
    workflow, _ = Workflow.objects.get_or_create(name=workflow_name(profile))
    steps = [(f"{profile.organisation} 审核", profile.reviewers_group), (f"{profile.organisation} 签发", signers)]
    for order, (name, group) in enumerate(steps):
        task = GroupApprovalTask.objects.filter(name=name).first() or GroupApprovalTask.objects.create(name=name)
        if group is not None:
            task.groups.set([group])
        WorkflowTask.objects.update_or_create(workflow=workflow, task=task.task_ptr,
                                              defaults={"sort_order": order})
    for root in homes:
        WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})
    return workflow


def may_publish_directly(user, page):
    """Only the last step of a page's workflow (签发) and cluster administrators publish directly.

    Editors submit to the workflow instead. Pages outside any workflow follow Wagtail's own
    publish permission.
    """
    if user.is_superuser:
        return True
    workflow = page.get_workflow() if page is not None else None
    if workflow is None or not workflow.active:
        return True
    tasks = list(workflow.tasks.filter(active=True).specific())
    if not tasks:
        return True
    last = tasks[-1]
    groups = getattr(last, "groups", None)
    if groups is None:
        return True
    return user.groups.filter(pk__in=groups.values_list("pk", flat=True)).exists()


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def do_create_import_token(profile, name):
    """A new token for an outside site; the clear text is returned once and never stored."""
    token = secrets.token_urlsafe(32)
    ImportToken.objects.create(site=profile, name=name, token_hash=_hash(token))
    return token


def token_for(clear_text):
    if not clear_text:
        return None
    return (ImportToken.objects.filter(token_hash=_hash(clear_text), active=True)
            .select_related("site__site__root_page").first())


def do_index_imported_pages(page_ids):
    """Wagtail's own indexes for pages published in bulk: the reference index (what links to
    what, used by the admin's usage views and by cache purging) and the admin search index —
    what its signals would have queued after each page an editor publishes."""
    from wagtail.models import Page, ReferenceIndex
    from wagtail.search.backends import get_search_backends

    pages = list(Page.objects.filter(pk__in=page_ids).specific())
    with transaction.atomic():
        for page in pages:
            ReferenceIndex.create_or_update_for_object(page)
    by_model = {}
    for page in pages:
        by_model.setdefault(type(page), []).append(page)
    for backend in get_search_backends():
        for model, objects in by_model.items():
            backend.add_bulk(model, objects)
    return len(pages)
