"""Who may see and act on what: officials of a unit handle only that unit's items.

Officials of a unit are the members of its site's editors and reviewers groups; reviewers are
the unit's leaders and sign replies off. Cluster administrators (superusers, the general
office 市政府办公厅) triage the "not sure" queue and see everything.
"""

from django.db.models import Q

from govweb.cluster.models import SiteProfile


def is_general_office(user):
    return user.is_active and user.is_superuser


def units_of(user):
    """The units whose queues the user works on."""
    if is_general_office(user):
        return SiteProfile.objects.all()
    group_ids = list(user.groups.values_list("pk", flat=True))
    return SiteProfile.objects.filter(
        Q(editors_group__in=group_ids) | Q(reviewers_group__in=group_ids)).distinct()


def is_official(user):
    return user.is_authenticated and (is_general_office(user) or units_of(user).exists())


def can_handle_unit(user, unit):
    if is_general_office(user):
        return True
    if unit is None:
        return False
    group_ids = set(user.groups.values_list("pk", flat=True))
    return bool(group_ids & {unit.editors_group_id, unit.reviewers_group_id})


def is_leader_of(user, unit):
    if is_general_office(user):
        return True
    return unit is not None and user.groups.filter(pk=unit.reviewers_group_id).exists()


def can_handle_message(user, message):
    return can_handle_unit(user, message.unit)


def visible_messages(user, queryset):
    if is_general_office(user):
        return queryset
    return queryset.filter(unit__in=units_of(user))
