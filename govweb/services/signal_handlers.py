"""A unit's staff groups get their rights on guides as soon as the unit's site is provisioned."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from govweb.cluster.models import SiteProfile

from .permissions import grant_unit_permissions


@receiver(post_save, sender=SiteProfile)
def grant_guide_permissions(sender, instance, raw=False, **kwargs):
    if raw or (instance.editors_group_id is None and instance.reviewers_group_id is None):
        return
    grant_unit_permissions(instance)
