"""Reads over the site registry."""

from .models import SiteCategory, SiteProfile


def sites_listed_on_home(site):
    """The portal's home links to every other online site of the cluster."""
    profile = SiteProfile.objects.filter(site=site).first()
    if profile is None or profile.category != SiteCategory.PORTAL:
        return []
    order = [choice.value for choice in SiteCategory]
    profiles = SiteProfile.objects.online().exclude(pk=profile.pk).select_related("site")
    return sorted(profiles, key=lambda p: (order.index(p.category), p.pk))


def sites_for_user(user):
    """The sites a user may edit: all for cluster administrators, else those of their groups."""
    if user.is_superuser:
        return SiteProfile.objects.all()
    groups = user.groups.all()
    return SiteProfile.objects.filter(editors_group__in=groups) | SiteProfile.objects.filter(
        reviewers_group__in=groups
    )
