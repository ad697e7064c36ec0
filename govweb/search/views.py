"""Public search: the results page, the JSON API, suggestions and the click-through redirect."""

from contextlib import nullcontext
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django_ratelimit.core import is_ratelimited

from . import actions, queries
from .engines import get_engine
from .engines.base import FACET_FIELDS

CLICK_SALT = "govweb.search.click"


def _site_key(request):
    site = getattr(request, "_wagtail_site", None)
    return site.root_page.slug if site is not None else ""


def _int(value, default=1):
    try:
        return max(1, min(int(str(value)[:6]), 10**6))
    except (TypeError, ValueError):
        return default


def params_from(request):
    get = request.GET
    scope = get.get("scope", "cluster")
    return queries.SearchParams(
        q=get.get("q", "")[:2000],
        site_key=_site_key(request),
        scope=scope if scope in {"cluster", "site"} else "cluster",
        filters={name: get.getlist(name)[:5] for name in FACET_FIELDS if get.getlist(name)},
        sort="date" if get.get("sort") == "date" else "relevance",
        page=_int(get.get("page")),
    )


def _limited(request, group):
    rate = getattr(settings, "GOVWEB_SEARCH_RATE_LIMIT", "120/m")
    if not rate:
        return False
    return is_ratelimited(request, group=group, key="ip", rate=rate, increment=True)


def _language(request):
    lang = request.GET.get("lang")
    return lang if lang in {"en", "zh-hans"} else None


def click_url(log, hit_key, position):
    token = signing.dumps([log.pk, hit_key, position], salt=CLICK_SALT, compress=False)
    return f"/search/go/?{urlencode({'t': token})}"


def _query_string(params, **changes):
    data = {"q": params.q}
    if params.scope != "cluster":
        data["scope"] = params.scope
    if params.sort != "relevance":
        data["sort"] = params.sort
    for name, values in params.filters.items():
        if name == "site" and params.scope == "site":
            continue
        data[name] = list(values)
    data.update(changes)
    data = {k: v for k, v in data.items() if v not in (None, "", [])}
    return "?" + urlencode(data, doseq=True)


def _decorate(outcome, log):
    """Links the page needs: click-through for each result, toggles for facets, pages."""
    p = outcome.params
    for item in outcome.results:
        item.link = click_url(log, item.key, item.position) if log else item.url
        if item.date:  # formatted here once: the template's date filter costs more
            local = timezone.localtime(item.date) if timezone.is_aware(item.date) else item.date
            item.date_iso, item.date_text = local.isoformat(), local.strftime("%Y-%m-%d")
    for facet in outcome.facets:
        name = facet["field"]
        current = [str(v) for v in p.filters.get(name, [])]
        facet["locked"] = name == "site" and p.scope == "site"
        for value in facet["values"]:
            chosen = [v for v in current if v != value["value"]] if value["selected"] else [
                value["value"]]
            value["url"] = _query_string(p, **{name: chosen})
        facet["clear_url"] = _query_string(p, **{name: []}) if current else ""
    outcome.sort_urls = {"relevance": _query_string(p, sort=None),
                         "date": _query_string(p, sort="date")}
    if outcome.has_previous:
        outcome.previous_url = _query_string(p, page=outcome.page - 1)
    if outcome.has_next:
        outcome.next_url = _query_string(p, page=outcome.page + 1)
    if outcome.did_you_mean:
        outcome.did_you_mean_url = "?" + urlencode({"q": outcome.did_you_mean})
    return outcome


@require_GET
@cache_control(private=True, max_age=0)
def search_page(request):
    """站内搜索: /search/?q=… on every site."""
    lang = _language(request)
    with translation.override(lang) if lang else nullcontext():
        if _limited(request, "search"):
            return render(request, "search/search.html", {
                "params": queries.SearchParams(), "too_many": True,
                "hot": []}, status=429)
        params = params_from(request)
        outcome = queries.search(params)
        log = actions.do_log_search(outcome, request) if outcome.query else None
        _decorate(outcome, log)
        context = {
            "params": params, "outcome": outcome, "log": log,
            "hot": queries.hot_keywords(params.site_key),
            "lang": lang or "",
        }
        return render(request, "search/search.html", context)


def outcome_json(outcome, log):
    p = outcome.params
    results = []
    for item in outcome.results:
        data = item.as_dict()
        if log:
            data["click_url"] = click_url(log, item.key, item.position)
        results.append(data)
    return {
        "query": outcome.query, "words": outcome.words, "scope": p.scope, "sort": p.sort,
        "filters": p.filters, "total": outcome.total, "page": outcome.page,
        "page_size": queries.PAGE_SIZE, "num_pages": outcome.num_pages,
        "results": results, "facets": [
            {"field": f["field"], "label": str(f["label"]),
             "values": [{k: v for k, v in value.items() if k != "url"} for value in f["values"]]}
            for f in outcome.facets],
        "cards": [c.as_dict() for c in outcome.cards],
        "did_you_mean": outcome.did_you_mean or None, "broadened": outcome.broadened,
        "message": str(outcome.message) if outcome.message else None,
        "took_ms": round(outcome.took_ms, 2),
    }


@require_GET
def search_api(request):
    """JSON API: the same search as the page (for the open-data API and apps)."""
    lang = _language(request)
    with translation.override(lang) if lang else nullcontext():
        if _limited(request, "search"):
            return JsonResponse({"error": _("请求过于频繁，请稍后再试。")}, status=429)
        params = params_from(request)
        outcome = queries.search(params)
        log = actions.do_log_search(outcome, request, channel="api") if outcome.query else None
        response = JsonResponse(outcome_json(outcome, log),
                                json_dumps_params={"ensure_ascii": False})
        response["Cache-Control"] = "private, max-age=0"
        return response


@require_GET
def suggest_api(request):
    """Completions as one types: /search/suggest/?q=gjj → ["公积金", …]."""
    if _limited(request, "suggest"):
        return JsonResponse({"error": _("请求过于频繁，请稍后再试。")}, status=429)
    prefix = request.GET.get("q", "")[:60]
    suggestions = queries.suggest(prefix, site_key=_site_key(request))
    response = JsonResponse({"query": prefix, "suggestions": suggestions},
                            json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "public, max-age=60"
    return response


@require_GET
def click(request):
    """Record which result was opened, then go there. Only indexed URLs: no open redirect."""
    try:
        log_id, key, position = signing.loads(request.GET.get("t", ""), salt=CLICK_SALT,
                                              max_age=86400)
    except (signing.BadSignature, ValueError, TypeError):
        raise Http404(_("链接无效"))
    hit = get_engine().get(str(key))
    if hit is None or not hit.url:
        raise Http404(_("该内容已不存在"))
    actions.do_record_click(int(log_id), str(key), int(position))
    return HttpResponseRedirect(hit.url)
