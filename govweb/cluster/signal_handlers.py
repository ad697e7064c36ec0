from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Site

from govweb.base import hosts


@receiver(post_save, sender=Site)
@receiver(post_delete, sender=Site)
def forget_known_hosts(**kwargs):
    hosts.forget()
