"""Who may touch which unit's guides: staff of a unit only their own, cluster admins all.

Model permissions (add/change/publish…) come from the unit's editor and reviewer groups; the
unit check on top of them is done here, so every admin view — including the ones Wagtail builds
for snippets — refuses another unit's item on the server.
"""

from django.contrib.auth.models import Permission
from wagtail.permission_policies import ModelPermissionPolicy

EDITOR_ACTIONS = ["add", "change", "publish", "view"]
REVIEWER_ACTIONS = ["change", "publish", "view"]
FOLLOW_UP_ACTIONS = ["change", "view"]


def unit_ids_for(user):
    """The ids of the units whose guides `user` maintains (None: every unit)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.is_superuser:
        return None
    cached = getattr(user, "_services_unit_ids", None)
    if cached is None:
        from govweb.cluster.queries import sites_for_user

        cached = set(sites_for_user(user).values_list("pk", flat=True))
        user._services_unit_ids = cached
    return cached


def user_may_handle_unit(user, unit_id):
    units = unit_ids_for(user)
    return units is None or unit_id in units


def filter_for_user(queryset, user, field="department"):
    units = unit_ids_for(user)
    if units is None:
        return queryset
    return queryset.filter(**{f"{field}__in": units})


class UnitPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, narrowed to the user's own units for every instance."""

    unit_field = "department_id"

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        unit_id = getattr(instance, self.unit_field, None)
        return unit_id is None or user_may_handle_unit(user, unit_id)

    def instances_user_has_any_permission_for(self, user, actions):
        queryset = super().instances_user_has_any_permission_for(user, actions)
        return filter_for_user(queryset, user)


def grant_unit_permissions(profile):
    """Give a unit's editor and reviewer groups their rights on guides and follow-ups."""
    perms = {
        p.codename: p for p in Permission.objects.filter(
            content_type__app_label="services",
            codename__in=[f"{a}_{m}" for a in {"add", "change", "publish", "view"}
                          for m in ("serviceitem", "ratingfollowup")],
        )
    }
    if not perms:  # before the app's migrations ran
        return
    for group, actions in ((profile.editors_group, EDITOR_ACTIONS),
                           (profile.reviewers_group, REVIEWER_ACTIONS)):
        if group is None:
            continue
        wanted = [perms[f"{a}_serviceitem"] for a in actions if f"{a}_serviceitem" in perms]
        wanted += [perms[f"{a}_ratingfollowup"] for a in FOLLOW_UP_ACTIONS
                   if f"{a}_ratingfollowup" in perms]
        group.permissions.add(*wanted)
