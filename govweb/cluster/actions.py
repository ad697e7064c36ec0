"""Writes on the site registry: opening a site and giving its staff their (only) rights."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page, Site

from .models import SiteProfile

EDITOR_PAGE_PERMISSIONS = ["add", "change", "publish", "lock", "unlock"]
REVIEWER_PAGE_PERMISSIONS = ["change", "publish", "lock", "unlock"]
EDITOR_COLLECTION_PERMISSIONS = [
    ("wagtaildocs", "add_document"), ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"), ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"), ("wagtailimages", "choose_image"),
]
REVIEWER_COLLECTION_PERMISSIONS = [
    ("wagtaildocs", "choose_document"), ("wagtailimages", "choose_image"),
]


def _permission(app_label, codename):
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@transaction.atomic
def do_create_site(*, home_title, home_slug, profile_fields, is_default=False):
    """Open a site: its home page, Wagtail Site, profile, collection and staff groups.

    `profile_fields` are SiteProfile fields; they are validated (full_clean) before anything is
    written, so a bad domain or identification code leaves nothing behind.
    """
    from govweb.library.models import SiteHomePage

    profile = SiteProfile(**profile_fields)
    profile.full_clean(exclude=["site"])
    root = Page.get_first_root_node()
    home = root.add_child(instance=SiteHomePage(title=home_title, slug=home_slug))
    site = Site.objects.create(
        hostname=profile.served_host, port=80, root_page=home,
        site_name=profile.organisation, is_default_site=is_default,
    )
    profile.site = site
    profile.save()
    profile.sync_site()
    provision_site_staff(profile)
    return profile


@transaction.atomic
def provision_site_staff(profile):
    """Groups "<site> editors" and "<site> reviewers" with rights on this site's tree only."""
    root_collection = Collection.get_first_root_node()
    if profile.collection is None:
        profile.collection = root_collection.add_child(name=profile.organisation)
    access_admin = _permission("wagtailadmin", "access_admin")
    for attr, suffix, page_perms, collection_perms in [
        ("editors_group", "editors", EDITOR_PAGE_PERMISSIONS, EDITOR_COLLECTION_PERMISSIONS),
        ("reviewers_group", "reviewers", REVIEWER_PAGE_PERMISSIONS, REVIEWER_COLLECTION_PERMISSIONS),
    ]:
        group = getattr(profile, attr)
        if group is None:
            group, _ = Group.objects.get_or_create(name=f"{profile.organisation} {suffix}")
            setattr(profile, attr, group)
        group.permissions.add(access_admin)
        if attr == "editors_group":
            # 英文版: editors may give their pages English versions (Wagtail "Translate").
            group.permissions.add(_permission("simple_translation", "submit_translation"))
        # The site's tree in every language: its English home is a sibling of the Chinese one.
        for home in profile.site.root_page.get_translations(inclusive=True):
            for permission_type in page_perms:
                GroupPagePermission.objects.get_or_create(
                    group=group, page=home,
                    permission=_permission("wagtailcore", f"{permission_type}_page"),
                )
        for app_label, codename in collection_perms:
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=profile.collection,
                permission=_permission(app_label, codename),
            )
    profile.save(update_fields=["collection", "editors_group", "reviewers_group"])
    return profile

