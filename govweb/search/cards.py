"""Answer cards (搜索即服务): what a query asks for, shown above the results.

A provider is a callable `provider(context) -> list[Card]`; register it with `register()` from
an AppConfig.ready(). `context` is a `CardContext` (the cleaned query, its words, the site, the
engine and the query groups already expanded with synonyms). Built in: best bets, service
guides found in the index (items whose `search_document()` gives `type="service"` and a
`card`), and department cards from the site registry.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .engines.base import EngineQuery


@dataclass
class Card:
    kind: str                    # service | department | leader | link
    title: str
    url: str
    description: str = ""
    facts: list = field(default_factory=list)      # [(label, value)]
    action_label: str = ""
    action_url: str = ""
    source: str = ""             # "bestbet:3", "page:12", "site:yunyan"

    def as_dict(self):
        return {"kind": self.kind, "title": self.title, "url": self.url,
                "description": self.description,
                "facts": [{"label": str(k), "value": str(v)} for k, v in self.facts],
                "action_label": str(self.action_label), "action_url": self.action_url,
                "source": self.source}


@dataclass
class CardContext:
    query: str                   # cleaned query, e.g. "公积金 提取"
    words: list                  # query words after stop-word removal
    groups: list                 # TermGroups with synonyms
    site_key: str
    engine: object
    settings: object             # queries.SearchSettings snapshot


_providers = []


def register(provider):
    """Add a card provider (e.g. the services app for its guides). Returns it (decorator)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def providers():
    return [best_bet_cards, service_guide_cards, department_cards, *_providers]


def cards_for(context, limit=3):
    cards, seen = [], set()
    for provider in providers():
        try:
            found = provider(context) or []
        except Exception:  # a broken provider must not break search
            import logging

            logging.getLogger("govweb.search").exception("card provider %r failed", provider)
            continue
        for card in found:
            if card.url in seen:
                continue
            seen.add(card.url)
            cards.append(card)
    return cards[:limit]


def _compact(text):
    return text.replace(" ", "")


def best_bet_cards(context):
    # 公积金怎么提取 matches the best bet 公积金提取: compare without the question words too.
    forms = {_compact(context.query), "".join(context.words)}
    cards = []
    for bet in context.settings.best_bets:
        if bet.site_key and bet.site_key != context.site_key:
            continue
        for q in bet.queries_normalised:
            if (bet.match == "exact" and q in forms) or (
                    bet.match != "exact" and any(q in form for form in forms)):
                cards.append(Card(
                    kind=bet.kind, title=bet.title, url=bet.url, description=bet.description,
                    facts=bet.fact_list, action_label=bet.action_label or (
                        _("在线办理") if bet.action_url else ""),
                    action_url=bet.action_url, source=f"bestbet:{bet.pk}"))
                break
    return cards


def service_guide_cards(context):
    """A service guide whose title holds every query word becomes a card with its key facts."""
    if not context.groups:
        return []
    # Matched on titles only: far fewer postings than the bodies of a million documents.
    result = context.engine.search(EngineQuery(
        groups=context.groups, filters={"type": ["service"]}, limit=3, facets=False,
        fields=("title",)))
    hit = next((h for h in result.hits if _holds_every_word(h.title, context.groups)), None)
    if hit is None:
        return []
    card = hit.meta.get("card") or {}
    title = hit.title
    facts = [(f.get("label", ""), f.get("value", "")) if isinstance(f, dict) else tuple(f)
             for f in card.get("facts", [])]
    return [Card(kind="service", title=title, url=hit.url,
                 description=card.get("description", ""), facts=facts,
                 action_label=card.get("action_label") or (_("在线办理") if card.get("apply_url") else ""),
                 action_url=card.get("apply_url", ""), source=hit.key)]


def _holds_every_word(title, groups):
    return all(any(all(tok in title for tok in alt) for alt in group.alternatives)
               for group in groups)


def department_cards(context):
    """Typing a unit's name (教育局, 云岩区政府) shows its contact card."""
    compact = _compact(context.query)
    if len(compact) < 2:
        return []
    cards = []
    for dept in context.settings.departments:
        names = [n for n in (dept["organisation"], dept["short_name"]) if n]
        hit = any(n in compact for n in names) or (
            len(compact) >= 3 and any(compact in n for n in names))
        if not hit:
            continue
        facts = [(label, value) for label, value in (
            (_("地址"), dept["address"]), (_("电话"), dept["phone"]),
            (_("邮箱"), dept["email"])) if value]
        cards.append(Card(kind="department", title=dept["organisation"], url=dept["url"],
                          description=dept["description"], facts=facts,
                          action_label=_("进入网站"), action_url=dept["url"],
                          source=f"site:{dept['key']}"))
    return cards[:2]
