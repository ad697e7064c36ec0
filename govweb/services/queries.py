"""Reads over the services catalogue: public listings, reports and statistics."""

import datetime as dt

from django.core.cache import cache
from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone

from govweb.cluster.models import SiteCategory, SiteProfile

from .models import (
    VETO_ITEMS,
    VETO_MISSING,
    ApplicationCount,
    Audience,
    FollowUpStatus,
    OnlineDepth,
    RatingFollowUp,
    ServiceItem,
    ServiceRating,
    ServiceTopic,
)

STALE_AFTER_DAYS = 365


def is_portal(profile):
    return profile is not None and profile.category == SiteCategory.PORTAL


def catalogue_for(profile):
    """The published items a site shows: the portal every unit's, another site its own."""
    items = ServiceItem.objects.filter(live=True).select_related("department")
    if profile is None:
        return items.none()
    if not is_portal(profile):
        items = items.filter(department=profile)
    return items


def for_audience(items, audience):
    return items.filter(audience__in=[audience, Audience.BOTH])


# Up to this many items the A–Z page lists them all; a bigger catalogue gets a page per letter.
A_TO_Z_ON_ONE_PAGE = 300
OTHER_INITIAL, OTHER_SLUG = "#", "qita"


def letter_slug(letter):
    return OTHER_SLUG if letter == OTHER_INITIAL else letter


def initial_of_slug(slug):
    """The initial a letter page lists ("qita" → "#"), or None for anything else."""
    if slug == OTHER_SLUG:
        return OTHER_INITIAL
    return slug if len(slug) == 1 and "A" <= slug <= "Z" else None


def topic_counts(items, kind=None):
    """{topic pk: how many of `items` it holds}, counted on the link table alone (each link is
    one item, so no DISTINCT), for one kind or every kind at once."""
    links = ServiceItem.topics.through.objects.filter(serviceitem__in=items.values("pk"))
    if kind is not None:
        links = links.filter(servicetopic__kind=kind)
    return dict(links.values_list("servicetopic").annotate(n=Count("pk")).values_list("servicetopic", "n"))


def topics_by_kind(counts, kinds):
    """{kind: [topics with some items, each with `item_count`]} from `topic_counts`."""
    grouped = {kind: [] for kind in kinds}
    for topic in ServiceTopic.objects.filter(kind__in=kinds, pk__in=list(counts)):
        topic.item_count = counts[topic.pk]
        grouped[topic.kind].append(topic)
    return grouped


def unit_counts(items):
    """Totals and per-unit counts of `items` in one query: ({total, fully_online}, {unit pk: n})."""
    per_unit, totals = {}, {"total": 0, "fully_online": 0}
    for unit, n, online in (items.order_by().values_list("department")
                            .annotate(n=Count("pk"), online=Count("pk", filter=Q(online_depth=OnlineDepth.FULL)))
                            .values_list("department", "n", "online")):
        per_unit[unit] = n
        totals["total"] += n
        totals["fully_online"] += online
    return totals, per_unit


def departments_with_counts(counts):
    """Units with some items, each with `item_count` (`counts`: {unit pk: n})."""
    units = list(SiteProfile.objects.filter(pk__in=list(counts)).order_by("id"))
    for unit in units:
        unit.item_count = counts[unit.pk]
    return units


def letter_counts(items):
    """{initial: how many of `items`} ("" counted as "#")."""
    counts = {}
    for initial, n in items.order_by().values_list("initial").annotate(n=Count("pk")).values_list("initial", "n"):
        letter = initial or OTHER_INITIAL
        counts[letter] = counts.get(letter, 0) + n
    return counts


def catalogue_stamp():
    """Changes whenever a guide is saved, published, unpublished or deleted: the number of
    live guides and the latest save time (an index read each)."""
    live = ServiceItem.objects.filter(live=True).count()
    latest = ServiceItem.objects.order_by("-updated_at").values_list("updated_at", flat=True).first()
    return f"{live}-{latest.timestamp() if latest else 0}"


class CatalogueCounts:
    """The counts the catalogue pages show for one site (and audience), kept in the cache.

    They are aggregates over every item of the site — tens of milliseconds for a portal with
    20,000 guides — yet change only when a guide does, so each is computed once per
    `catalogue_stamp()`; COUNTS_SECONDS bounds staleness should a write bypass `save()`.
    """

    COUNTS_SECONDS = 300

    def __init__(self, profile, audience=""):
        self.items = catalogue_for(profile)
        if audience:
            self.items = for_audience(self.items, audience)
        self.scope = f"{profile.pk if profile else '-'}:{audience}"
        self._stamp = None

    def _cached(self, part, compute):
        if self._stamp is None:
            self._stamp = catalogue_stamp()
        key = f"services:counts:{part}:{self.scope}:{self._stamp}"
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, self.COUNTS_SECONDS)
        return value

    def units(self):
        """({total, fully_online}, {unit pk: n})."""
        return self._cached("units", lambda: unit_counts(self.items))

    def topics(self, kinds):
        """{kind: [topics with `item_count`]} (topic names read fresh, counts cached)."""
        kind = kinds[0] if len(kinds) == 1 else None
        counts = self._cached(f"topics-{kind or 'all'}", lambda: topic_counts(self.items, kind))
        return topics_by_kind(counts, kinds)

    def letters(self):
        """[(letter, slug, count)] in letter order, "#" (not a pinyin letter) last."""
        counts = self._cached("letters", lambda: letter_counts(self.items))
        return [(letter, letter_slug(letter), counts[letter])
                for letter in sorted(counts, key=lambda letter: (letter == OTHER_INITIAL, letter))]


def most_viewed(items, limit=10):
    return list(items.order_by("-view_count", "code")[:limit])


def a_to_z(items):
    """[(letter, slug, [items])] in letter order, items by name within a letter."""
    groups = {}
    for item in items.order_by("initial", "name").only("code", "name", "initial", "department"):
        groups.setdefault(item.initial or OTHER_INITIAL, []).append(item)
    return [(letter, letter_slug(letter), groups[letter])
            for letter in sorted(groups, key=lambda letter: (letter == OTHER_INITIAL, letter))]


def search_catalogue(items, query):
    query = (query or "").strip()[:50]
    if not query:
        return items
    return items.filter(Q(name__icontains=query) | Q(code=query.upper())
                        | Q(agency__icontains=query))


def guide_for(profile, code):
    """A published guide by code, as this site may show it, with everything the page needs."""
    # Children are read by the template only when its cached guide body has expired.
    return catalogue_for(profile).filter(code=code).first()


def rating_summary(item):
    data = item.ratings.aggregate(n=Count("pk"), avg=Avg("score"), good=Count("pk", filter=Q(score__gte=4)),
                                  bad=Count("pk", filter=Q(score__lte=2)))
    data["good_rate"] = round(100 * data["good"] / data["n"], 1) if data["n"] else None
    data["avg"] = round(data["avg"], 2) if data["avg"] is not None else None
    return data


# -- reports for the general office --------------------------------------------------------------


def latest_missing(item):
    """Missing elements of the version being worked on (a draft of a live item counts too)."""
    if item.has_unpublished_changes and item.latest_revision_id:
        return item.latest_revision.as_object().compute_missing_elements()
    return list(item.missing_elements)


def completeness_report(units=None, now=None):
    """Per unit: items missing key elements, stale items, and whether the veto line is reached.

    Returns a list of dicts (unit, items, incomplete [(item, missing)], severe count, veto).
    """
    now = now or timezone.now()
    stale_before = timezone.localtime(now).date() - dt.timedelta(days=STALE_AFTER_DAYS)
    items = ServiceItem.objects.select_related("department", "latest_revision")
    if units is not None:
        items = items.filter(department__in=units)
    rows = {}
    for item in items.order_by("department_id", "code"):
        row = rows.setdefault(item.department_id, {
            "unit": item.department, "items": 0, "live": 0, "incomplete": [], "stale": [],
            "behind_hall": [], "severe": 0})
        row["items"] += 1
        row["live"] += item.live
        missing = latest_missing(item) if (item.missing_count or item.has_unpublished_changes) \
            else []
        if missing:
            row["incomplete"].append((item, missing))
            if len(missing) >= VETO_MISSING:
                row["severe"] += 1
        if item.last_verified is None or item.last_verified < stale_before:
            row["stale"].append(item)
        if item.hall_version and item.hall_version > item.version:
            row["behind_hall"].append(item)
    for row in rows.values():
        row["veto"] = row["severe"] >= VETO_ITEMS
        row["incomplete_labels"] = [(item, _labels(missing)) for item, missing in row["incomplete"]]
    return sorted(rows.values(), key=lambda r: (-len(r["incomplete"]), r["unit"].pk))


def _labels(missing):
    from .models import KEY_ELEMENT_LABELS

    return [str(KEY_ELEMENT_LABELS[key]) for key in missing]


def consistency_check(units=None):
    """Items whose online guide is older than the provincial hall's version (线上线下不一致)."""
    items = ServiceItem.objects.filter(hall_version__isnull=False).select_related("department")
    if units is not None:
        items = items.filter(department__in=units)
    return [item for item in items.order_by("department_id", "code") if item.hall_version > item.version]


def service_statistics(year, units=None):
    """For the annual report: per unit items, items fully online, views, ratings, applications."""
    items = ServiceItem.objects.all()
    if units is not None:
        items = items.filter(department__in=units)
    per_unit = {}
    for row in items.values("department").annotate(
            n_items=Count("pk"), n_live=Count("pk", filter=Q(live=True)),
            n_online=Count("pk", filter=Q(live=True, online_depth=OnlineDepth.FULL)),
            n_views=Sum("view_count")):
        per_unit[row["department"]] = {
            "department": row["department"], "items": row["n_items"], "live": row["n_live"],
            "fully_online": row["n_online"], "views": row["n_views"]}
    ratings = ServiceRating.objects.filter(day__year=year, item__in=items)
    for row in ratings.values("department").annotate(
            n=Count("pk"), avg=Avg("score"), bad=Count("pk", filter=Q(score__lte=2))):
        per_unit.setdefault(row["department"], {"department": row["department"]}).update(
            ratings=row["n"], avg_score=round(row["avg"], 2), bad=row["bad"])
    applications = ApplicationCount.objects.filter(month__year=year, item__in=items)
    for row in applications.values("item__department").annotate(
            total=Sum("total"), natural=Sum("natural_persons"), legal=Sum("legal_persons")):
        per_unit.setdefault(row["item__department"], {"department": row["item__department"]}).update(
            applications=row["total"], applications_natural=row["natural"],
            applications_legal=row["legal"])
    units_by_id = SiteProfile.objects.in_bulk(list(per_unit))
    result = []
    keys = ("items", "live", "fully_online", "views", "ratings", "bad", "applications",
            "applications_natural", "applications_legal")
    for unit_id, row in per_unit.items():
        for key in keys:
            row[key] = row.get(key) or 0
        row.setdefault("avg_score", None)
        row["unit"] = units_by_id[unit_id]
        result.append(row)
    result.sort(key=lambda r: r["unit"].pk)
    totals = {key: sum(r[key] for r in result) for key in keys}
    return result, totals


def item_statistics(item, year):
    summary = rating_summary(item)
    months = list(item.applications.filter(month__year=year).order_by("month"))
    return {"ratings": summary, "months": months,
            "applications": sum(m.total for m in months)}


def open_follow_ups(units=None):
    follow_ups = RatingFollowUp.objects.filter(status=FollowUpStatus.OPEN)
    if units is not None:
        follow_ups = follow_ups.filter(department__in=units)
    return follow_ups.select_related("rating__item", "department")


# -- search integration -------------------------------------------------------------------------


def service_cards(query, limit=3, profile=None):
    """Service cards for the search page ("search is service"): the best matching guides.

    Returns dicts with name, department, time limit, fee, place, phone, apply URL and guide URL
    (the guide URL is site-relative: /banshi/shixiang/<code>/).
    """
    query = (query or "").strip()
    if not query:
        return []
    items = ServiceItem.objects.filter(live=True).select_related("department")
    if profile is not None and not is_portal(profile):
        items = items.filter(department=profile)
    matches = list(items.filter(name__icontains=query).order_by("-view_count", "code")[:limit])
    if len(matches) < limit:
        # Every word of a longer query (e.g. "公积金 提取") must appear in the name.
        words = [w for w in query.replace("　", " ").split() if w]
        if len(words) > 1:
            more = items.exclude(pk__in=[m.pk for m in matches])
            for word in words:
                more = more.filter(name__icontains=word)
            matches += list(more.order_by("-view_count", "code")[:limit - len(matches)])
    return [card_of(item) for item in matches]


def card_of(item):
    from django.urls import reverse

    if item.promised_limit_days == 0:
        limit = "即办"
    elif item.promised_limit_days:
        limit = f"{item.promised_limit_days}个工作日"
    elif item.statutory_limit_days:
        limit = f"{item.statutory_limit_days}个工作日"
    else:
        limit = ""
    return {
        "name": item.name, "code": item.code, "department": item.agency_name,
        "time_limit": limit, "fee": item.fee_standard, "place": item.place,
        "phone": item.phone, "apply_url": item.online_url,
        "guide_url": reverse("services:guide", args=[item.code]),
    }
