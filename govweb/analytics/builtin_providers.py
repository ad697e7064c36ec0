"""Providers reading the other apps' models; each returns None if those models are absent."""

from django.apps import apps

from .providers import register


def _model(label):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def interpretation(profile, start, end):
    policy_model = _model("library.PolicyDocumentPage")
    if policy_model is None or not hasattr(policy_model, "is_important"):
        return None
    root = profile.site.root_page
    policies = (policy_model.objects.descendant_of(root).live()
                .filter(pub_date__gte=start, pub_date__lt=end, is_important=True)
                .prefetch_related("interpretations"))
    result = []
    for policy in policies:
        result.append({
            "published_at": policy.pub_date, "important": True,
            "exempt": bool((getattr(policy, "interpretation_exemption_reason", "") or "").strip()),
            "interpretations": [i.pub_date for i in policy.interpretations.all() if i.live],
        })
    return result


def services(profile, start, end):
    item_model, rating_model = _model("services.ServiceItem"), _model("services.ServiceRating")
    if item_model is None:
        return None
    items = item_model.objects.filter(department=profile)
    if hasattr(item_model, "live"):
        items = items.filter(live=True)
    guides = complete = 0
    for item in items:
        guides += 1
        missing = getattr(item, "missing_elements", None)
        if missing is None:
            missing = item.compute_missing_elements()
        complete += 0 if missing else 1
    ratings = good = 0
    if rating_model is not None:
        rated = rating_model.objects.filter(department=profile, created_at__gte=start,
                                            created_at__lt=end)
        ratings = rated.count()
        good = rated.filter(score__gte=4).count()
    if not guides and not ratings:
        return None
    return {"guides": guides, "complete": complete, "ratings": ratings, "good": good}


def interaction(profile, start, end):
    message_model = _model("interaction.Message")
    if message_model is None:
        return None
    messages = message_model.objects.filter(received_at__gte=start, received_at__lt=end)
    field_names = {f.name for f in message_model._meta.get_fields()}
    messages = messages.filter(unit=profile) if "unit" in field_names else messages.filter(site=profile)
    rejected = {"rejected", "spam", "withdrawn"}
    result = []
    for m in messages.only("received_at", "replied_at", "deadline", "rating", "state"):
        if getattr(m, "state", "") in rejected:
            continue
        rating = getattr(m, "rating", None)
        result.append({"received_at": m.received_at, "replied_at": m.replied_at,
                       "deadline": getattr(m, "deadline", None),
                       "satisfied": None if rating is None else rating >= 4})
    return result or None


def reposts(profile, start, end):
    push_model = _model("reprint.PushRecord")
    if push_model is None:
        return None
    from wagtail.models import Page

    counts = {}
    pushes = push_model.objects.filter(source_site=profile, pushed_at__gte=start, pushed_at__lt=end,
                                       withdrawn_at__isnull=True, source_page__isnull=False)
    paths = list(pushes.values_list("source_page__path", flat=True))
    if not paths:
        return None
    parents = {p[: -Page.steplen] for p in paths}
    ids = dict(Page.objects.filter(path__in=parents).values_list("path", "pk"))
    for path in paths:
        column_id = ids.get(path[: -Page.steplen])
        if column_id:
            counts[column_id] = counts.get(column_id, 0) + 1
    return counts


def service_usage(profile, start, end):
    rating_model = _model("services.ServiceRating")
    if rating_model is None:
        return None
    from django.db.models import Count, Q

    rows = (rating_model.objects.filter(department=profile, created_at__gte=start, created_at__lt=end)
            .values("item__name").annotate(ratings=Count("pk"), good=Count("pk", filter=Q(score__gte=4)))
            .order_by("-ratings")[:20])
    return [{"name": r["item__name"], "views": None, "ratings": r["ratings"], "good": r["good"]}
            for r in rows] or None


def register_builtin():
    for kind, func in (("interpretation", interpretation), ("services", services),
                       ("interaction", interaction), ("reposts", reposts),
                       ("service_usage", service_usage)):
        register(kind, func)
