from django.dispatch import receiver
from wagtail.signals import post_page_move

from .models import LibraryItemPage


@receiver(post_page_move)
def relink_moved_items(sender, instance, **kwargs):
    """A moved item (or column) keeps `column`/`home` of its items in step with the tree."""
    items = LibraryItemPage.objects.filter(path__startswith=instance.path)
    for item in items.only("id", "path", "depth"):
        item.set_tree_links()
        LibraryItemPage.objects.filter(pk=item.pk).update(column_id=item.column_id, home_id=item.home_id)
