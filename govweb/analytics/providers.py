"""Metric providers (指标接口): how other apps feed the site evaluation and column statistics.

An app registers a function for a kind, usually from its AppConfig.ready():

    from govweb.analytics.providers import register
    register("interaction", my_messages)

Each function takes (site_profile, start, end) — aware datetimes — and returns None when it
has nothing for that site, else:

  interpretation  [{"published_at": dt, "important": bool,
                    "interpretations": [dt, ...]}]             one per policy document
  services        {"guides": n, "complete": n, "ratings": n, "good": n}
  interaction     [{"received_at": dt, "replied_at": dt|None, "deadline": date|None,
                    "satisfied": bool|None}]                  one per message
  reposts         {column page id: n}                          items pushed/reprinted elsewhere
  service_usage   [{"name": str, "views": n, "ratings": n, "good": n}]

Built-in providers for the library, services, interaction and reprint apps live in
builtin_providers.py; they return None when those models are not there.
"""

import logging

logger = logging.getLogger("govweb.analytics")

KINDS = ("interpretation", "services", "interaction", "reposts", "service_usage")
_registry = {kind: [] for kind in KINDS}


def register(kind, func):
    if kind not in _registry:
        raise ValueError(f"unknown provider kind {kind!r}; one of {KINDS}")
    if func not in _registry[kind]:
        _registry[kind].append(func)
    return func


def unregister(kind, func):
    if func in _registry[kind]:
        _registry[kind].remove(func)


def collect(kind, profile, start, end):
    """The first provider's non-None answer (later registrations win), or None."""
    for func in reversed(_registry[kind]):
        try:
            value = func(profile, start, end)
        except Exception:  # a provider of another app must not break the evaluation
            logger.exception("metric provider %s for %s failed", func, kind)
            continue
        if value is not None:
            return value
    return None
