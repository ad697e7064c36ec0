"""Public pages of the service catalogue (/banshi/ on every site). Thin: queries + templates."""

import secrets

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from govweb.cluster.models import SiteProfile

from . import actions, queries
from .forms import RatingForm
from .models import Audience, ServiceTopic, TopicKind

VISITOR_COOKIE = "gw_visitor"
PER_PAGE = 20


def current_profile(request):
    site = getattr(request, "_wagtail_site", None)
    if site is None:
        return None
    profile = getattr(site, "_govweb_profile", None)
    if profile is None:
        profile = SiteProfile.objects.filter(site=site).select_related("site", "parent").first()
        site._govweb_profile = profile
    return profile


def _catalogue(request):
    profile = current_profile(request)
    if profile is None:
        raise Http404
    return profile, queries.catalogue_for(profile)


def _paginate(request, items, order=("code",)):
    paginator = Paginator(items.order_by(*order), PER_PAGE)
    return paginator.get_page(request.GET.get("page"))


def _listing(request, *, title, items, intro="", topics=None, current="", order=("code",)):
    query = request.GET.get("q", "").strip()[:50]
    page = _paginate(request, queries.search_catalogue(items, query), order)
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "services/listing.html", {
        "title": title, "intro": intro, "page_obj": page, "query": query,
        "querystring": params.urlencode(), "topics": topics or [], "current": current,
        "is_portal": queries.is_portal(current_profile(request)),
    })


def home(request):
    """办事服务首页: by audience, life event, theme and department; most viewed; A–Z."""
    profile, items = _catalogue(request)
    counts = queries.CatalogueCounts(profile)
    totals, per_unit = counts.units()
    topics = counts.topics([TopicKind.PERSON, TopicKind.LEGAL, TopicKind.THEME])
    is_portal = queries.is_portal(profile)
    return render(request, "services/home.html", {
        "counts": totals,
        "person_events": topics[TopicKind.PERSON],
        "legal_events": topics[TopicKind.LEGAL],
        "themes": topics[TopicKind.THEME],
        "departments": queries.departments_with_counts(per_unit) if is_portal else [],
        "popular": queries.most_viewed(items, 10),
        "is_portal": is_portal,
    })


def audience(request, audience):
    """个人办事 / 法人办事: the audience's life events, then its services."""
    profile, items = _catalogue(request)
    items = queries.for_audience(items, audience)
    individual = audience == Audience.INDIVIDUAL
    kind = TopicKind.PERSON if individual else TopicKind.LEGAL
    events = queries.CatalogueCounts(profile, audience).topics([kind])[kind]
    return _listing(request, title=_("个人办事") if individual else _("法人办事"), items=items,
                    topics=events, current=audience if individual else "legal")


def topic(request, slug):
    _profile, items = _catalogue(request)
    topic = get_object_or_404(ServiceTopic, slug=slug)
    return _listing(request, title=topic.name, items=items.filter(topics=topic),
                    intro=topic.get_kind_display())


def department(request, pk):
    profile, items = _catalogue(request)
    unit = get_object_or_404(SiteProfile, pk=pk)
    if not queries.is_portal(profile) and unit.pk != profile.pk:
        raise Http404
    return _listing(request, title=unit.organisation, items=items.filter(department=unit),
                    intro=_("按部门"))


def listing(request):
    _profile, items = _catalogue(request)
    return _listing(request, title=_("全部事项"), items=items, current="listing")


def a_to_z(request):
    """按字母: the letters with their counts; every item too while the catalogue is small."""
    profile, items = _catalogue(request)
    letters = queries.CatalogueCounts(profile).letters()
    small = sum(n for _letter, _slug, n in letters) <= queries.A_TO_Z_ON_ONE_PAGE
    return render(request, "services/a_to_z.html", {
        "letters": letters, "groups": queries.a_to_z(items) if small else None,
    })


def letter(request, letter):
    """One letter of the A–Z index, by name, a page at a time."""
    initial = queries.initial_of_slug(letter)
    if initial is None:
        raise Http404
    _profile, items = _catalogue(request)
    title = _("其他") if initial == queries.OTHER_INITIAL else initial
    return _listing(request, title=_("按字母查找：%(letter)s") % {"letter": title},
                    items=items.filter(initial=initial), current="a_to_z", order=("name", "code"))


def popular(request):
    _profile, items = _catalogue(request)
    return render(request, "services/popular.html", {"items": queries.most_viewed(items, 50)})


def _guide_or_404(request, code):
    profile = current_profile(request)
    item = queries.guide_for(profile, code) if profile else None
    if item is None:
        raise Http404
    return item


def guide(request, code):
    """办事指南: everything a visitor needs before going, printable (print CSS) and as PDF."""
    item = _guide_or_404(request, code)
    actions.do_record_view(item)
    return render(request, "services/guide.html", {
        "item": item, "ratings": queries.rating_summary(item),
    })


def guide_pdf(request, code):
    from .pdf import guide_pdf_bytes

    item = _guide_or_404(request, code)
    stamp = int(item.updated_at.timestamp() * 1000)
    key = f"services:pdf:{item.pk}:{stamp}"
    data = cache.get(key)
    if data is None:
        data = guide_pdf_bytes(item, request)
        cache.set(key, data, 24 * 3600)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{item.code}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="20/h", method="POST", block=False)
def rate(request, code):
    """好差评: one rating per visitor, item and day; floods from one address are refused."""
    item = _guide_or_404(request, code)
    visitor = request.COOKIES.get(VISITOR_COOKIE) or ""
    if len(visitor) < 20 or len(visitor) > 64:
        visitor = secrets.token_urlsafe(24)
    status, refused, done = 200, None, None
    form = RatingForm(request.POST or None)
    if request.method == "POST":
        if getattr(request, "limited", False):
            status, refused = 429, _("提交过于频繁，请稍后再试。")
        elif form.is_valid():
            try:
                done = actions.do_rate_service(
                    item, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"],
                    visitor_id=visitor, address=request.META.get("REMOTE_ADDR", ""),
                )
            except actions.RatingRefused as error:
                status, refused = 409, error.reason
        else:
            status = 400
    response = render(request, "services/rate.html", {
        "item": item, "form": form, "refused": refused, "done": done,
    }, status=status)
    response.set_cookie(VISITOR_COOKIE, visitor, max_age=365 * 24 * 3600, httponly=True,
                        samesite="Lax", secure=request.is_secure())
    return response
