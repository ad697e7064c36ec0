"""Reads: public lists (never with personal data), handling queues, statistics, smart Q&A."""

import difflib
import re
import time

from django.db.models import Avg, Count, Q
from django.utils import timezone

from govweb.cluster.models import SiteCategory, SiteProfile, SiteStatus

from . import guard
from .guard import mask_name, mask_text
from .models import (
    FAQ,
    OPEN_STATES,
    Consultation,
    ErrorReport,
    Interview,
    InterviewQuestion,
    Message,
    MessageState,
    Survey,
)
from .workdays import local_date, working_days_between

PUBLIC_STATES = [MessageState.PUBLISHED, MessageState.CLOSED]

_UNITS_TTL_SECONDS = 60
_units = {"expires": 0.0, "by_pk": {}}


def forget_units():
    """Called when a site profile changes (other processes follow within a minute)."""
    _units["expires"] = 0.0


def online_units():
    """{pk: SiteProfile} of the units a citizen may write to, in order; kept in memory for a
    minute, as every message form lists them and every submission checks one."""
    if time.monotonic() >= _units["expires"]:
        _units["by_pk"] = {unit.pk: unit for unit in
                           SiteProfile.objects.filter(status=SiteStatus.ONLINE).order_by("pk")}
        _units["expires"] = time.monotonic() + _UNITS_TTL_SECONDS
    return _units["by_pk"]


def message_by_token(token):
    """The message stored by a submission with this idempotency token, or None."""
    if not guard.valid_token(token):
        return None
    return Message.objects.filter(idempotency_token=token).order_by().first()


def site_scope(profile):
    """Sites whose items a site lists: the portal lists the whole cluster."""
    if profile.category == SiteCategory.PORTAL:
        return SiteProfile.objects.all()
    return SiteProfile.objects.filter(pk=profile.pk)


def public_messages(profile, unit=None):
    """Replied messages a site shows: consent given, not held, reply signed off."""
    qs = Message.objects.filter(state__in=PUBLIC_STATES, may_publish=True, held=False)
    if unit is not None:
        qs = qs.filter(unit=unit)
    elif profile.category != SiteCategory.PORTAL:
        qs = qs.filter(Q(unit=profile) | Q(site=profile))
    return qs.select_related("unit").order_by("-replied_at", "-pk")


def public_message_dict(message):
    """The only shape in which a message leaves the platform publicly (masked)."""
    return {
        "tracking_number": message.tracking_number,
        "kind": message.get_kind_display(),
        "title": mask_text(message.title),
        "content": mask_text(message.content),
        "writer": mask_name(message.name),
        "unit": message.unit.organisation if message.unit else "",
        "received": timezone.localtime(message.received_at).date().isoformat(),
        "reply": mask_text(message.reply),
        "replied": timezone.localtime(message.replied_at).date().isoformat()
        if message.replied_at else None,
        "rating": message.rating,
    }


def find_message(tracking_number, check_code):
    pk = Message.pk_from_tracking_number(tracking_number)
    if pk is None:
        return None
    message = Message.objects.filter(pk=pk).select_related("unit").first()
    if message is None or message.tracking_number != tracking_number.strip():
        return None
    if message.check_code != (check_code or "").strip().upper():
        return None
    return message


def consultations_for(profile, cluster_wide=False):
    qs = Consultation.objects.select_related("site")
    return qs if cluster_wide else qs.filter(site__in=site_scope(profile))


def surveys_for(profile, cluster_wide=False):
    qs = Survey.objects.select_related("site")
    return qs if cluster_wide else qs.filter(site__in=site_scope(profile))


def interviews_for(profile):
    return Interview.objects.filter(site__in=site_scope(profile)).select_related("site")


def live_answers(interview, after_id=0):
    return (InterviewQuestion.objects
            .filter(interview=interview, state=InterviewQuestion.State.APPROVED,
                    published_at__isnull=False, held=False, pk__gt=after_id)
            .order_by("published_at", "pk"))


def survey_results(survey):
    """Per question: [(option, count, percent)] or the free-text answers."""
    total = survey.responses.count()
    results = []
    for question in survey.questions.all():
        if question.kind == "text":
            texts = [mask_text(a.text) for a in question.answers.all()[:50]]
            results.append({"question": question, "texts": texts, "total": total})
            continue
        counts = dict(question.answers.values_list("value").annotate(n=Count("pk")))
        options = (question.option_list() if question.kind != "rating"
                   else [str(i) for i in range(1, 6)])
        rows = [(o, counts.get(o, 0), round(100 * counts.get(o, 0) / total) if total else 0)
                for o in options]
        results.append({"question": question, "rows": rows, "total": total})
    return results


# ---------------------------------------------------------------------------------------------
# Handling desk


def queue(messages, *, state=None, overdue=False, now=None):
    now = now or timezone.now()
    if state == "open":
        messages = messages.filter(state__in=OPEN_STATES)
    elif state:
        messages = messages.filter(state=state)
    if overdue:
        messages = messages.filter(state__in=OPEN_STATES, deadline__lt=local_date(now))
    return messages.select_related("unit", "assigned_to").order_by("deadline", "pk")


def statistics(messages, now=None):
    """Received, closed, average working days to reply, overdue and satisfaction."""
    now = now or timezone.now()
    today = local_date(now)
    received = messages.count()
    replied = list(messages.filter(replied_at__isnull=False).values_list("received_at",
                                                                           "replied_at"))
    days = [working_days_between(r, p) for r, p in replied]
    return {
        "received": received,
        "open": messages.filter(state__in=OPEN_STATES).count(),
        "closed": messages.filter(state__in=[MessageState.CLOSED, MessageState.REJECTED,
                                             MessageState.PUBLISHED]).count(),
        "rejected": messages.filter(state=MessageState.REJECTED).count(),
        "replied": len(replied),
        "avg_days": round(sum(days) / len(days), 1) if days else None,
        "overdue": messages.filter(state__in=OPEN_STATES, deadline__lt=today).count(),
        "rating": messages.aggregate(a=Avg("rating"))["a"],
        "rated": messages.filter(rating__isnull=False).count(),
    }


def statistics_by_unit(messages, units, now=None):
    return [(unit, statistics(messages.filter(unit=unit), now)) for unit in units]


def error_report_statistics(reports, now=None):
    """网民纠错 figures per site for the annual report."""
    now = now or timezone.now()
    today = local_date(now)
    answered = list(reports.filter(replied_at__isnull=False)
                    .values_list("received_at", "replied_at", "deadline"))
    return {
        "received": reports.count(),
        "answered": len(answered),
        "answered_in_time": sum(1 for _r, p, d in answered if local_date(p) <= d),
        "overdue": reports.filter(state=ErrorReport.State.OPEN, deadline__lt=today).count(),
    }


# ---------------------------------------------------------------------------------------------
# Smart Q&A

_STOP = set("的了吗呢啊吧么是在我你他她它们和与及或请问怎么如何什么哪里哪些可以需要要能办理一下")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def tokens(text):
    import rjieba

    return {t for t in (w.strip() for w in rjieba.cut(text or ""))
            if t and not _PUNCT.fullmatch(t) and not (len(t) == 1 and t in _STOP)}


def answer_question(profile, text, limit=3):
    """FAQs of the site's scope (portal: all units) ranked by token overlap and similarity."""
    asked = tokens(text)
    if not asked:
        return []
    faqs = FAQ.objects.filter(live=True).select_related("unit")
    if profile.category != SiteCategory.PORTAL:
        faqs = faqs.filter(unit=profile)
    scored = []
    for faq in faqs:
        known = tokens(faq.question) | tokens(faq.keywords.replace(",", " ").replace("，", " "))
        overlap = len(asked & known) / len(asked) if asked else 0
        ratio = difflib.SequenceMatcher(None, text, faq.question).ratio()
        score = 0.7 * overlap + 0.3 * ratio
        if score >= 0.3:
            scored.append((score, faq))
    scored.sort(key=lambda pair: (-pair[0], pair[1].pk))
    return scored[:limit]


def related_articles(profile, text, limit=3):
    """Articles of the site whose title shares the question's longest words (no search app)."""
    from govweb.library.models import ArticlePage

    words = sorted((t for t in tokens(text) if len(t) >= 2), key=len, reverse=True)[:3]
    if not words:
        return []
    condition = Q()
    for word in words:
        condition |= Q(title__contains=word)
    qs = ArticlePage.objects.live().public().filter(condition)
    if profile.category != SiteCategory.PORTAL:
        qs = qs.descendant_of(profile.site.root_page)
    return list(qs.order_by("-pub_date")[:limit])
