from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtail.signals import post_page_move

from govweb.base.i18n import is_translation, source_of

from .models import LibraryItemPage, SiteHomePage


@receiver(post_page_move)
def relink_moved_items(sender, instance, **kwargs):
    """A moved item (or column) keeps `column`/`home` of its items in step with the tree."""
    items = LibraryItemPage.objects.filter(path__startswith=instance.path)
    for item in items.only("id", "path", "depth"):
        item.set_tree_links()
        LibraryItemPage.objects.filter(pk=item.pk).update(column_id=item.column_id, home_id=item.home_id)


@receiver(post_save)
def english_home_gets_site_staff(sender, instance, created, raw=False, **kwargs):
    """A site home's new English version (a sibling of the Chinese home, outside its tree)
    gives the site's editors, reviewers and signers the same rights there as on the Chinese
    home, and the same 审核 → 签发 workflow."""
    if raw or not created or not isinstance(instance, SiteHomePage) or not is_translation(instance):
        return
    from govweb.cluster.actions import provision_site_staff
    from govweb.cluster.models import SiteProfile

    from .actions import do_provision_site_workflow

    source = source_of(instance)
    for profile in SiteProfile.objects.filter(site__root_page=source).select_related("site__root_page"):
        provision_site_staff(profile)
        do_provision_site_workflow(profile)
