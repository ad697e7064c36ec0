"""Public interaction pages (互动交流), served on every site under /hudong/.

Each view checks input, calls an action, renders. Submissions are committed before the page
says "received"; forms carry an idempotency token so that a retry returns the same receipt.
"""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from govweb.cluster.models import SiteProfile

from . import actions, conf, guard, queries
from .forms import (
    CommentForm,
    ErrorReportForm,
    InterviewQuestionForm,
    LookupForm,
    MessageForm,
    RatingForm,
    SurveyForm,
)
from .models import ConsultationComment, ErrorReport, Message, MessageKind, visitor_hash


def current_profile(request):
    site = getattr(request, "_wagtail_site", None)
    profile = getattr(site, "_govweb_profile", None) if site else None
    if profile is None:
        profile = SiteProfile.objects.filter(site=site).select_related("site").first()
        if profile is None:
            raise Http404
        site._govweb_profile = profile
    return profile


def _render(request, template, context, status=200):
    response = render(request, template, context, status=status)
    return guard.ensure_visitor_cookie(request, response)


def _limited(request, template, context):
    context["limited"] = True
    return _render(request, template, context, status=429)


def _page(request, queryset, per_page=20):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


# ---------------------------------------------------------------------------------------------
# Index and messages


@require_GET
def index(request):
    profile = current_profile(request)
    now = timezone.now()
    return render(request, "interaction/index.html", {
        "messages_list": queries.public_messages(profile)[:8],
        "consultations": queries.consultations_for(profile)[:5],
        "surveys": queries.surveys_for(profile)[:5],
        "interviews": queries.interviews_for(profile)[:5],
        "now": now,
    })


@require_GET
def message_list(request):
    profile = current_profile(request)
    unit = None
    if request.GET.get("unit", "").isdigit():
        unit = SiteProfile.objects.filter(pk=request.GET["unit"]).first()
    page = _page(request, queries.public_messages(profile, unit))
    rows = [(m, queries.public_message_dict(m)) for m in page.object_list]
    units = queries.site_scope(profile) if profile.category == "portal" else [profile]
    return render(request, "interaction/message_list.html",
                  {"items_page": page, "rows": rows, "unit": unit, "units": units})


@require_GET
def message_detail(request, number):
    pk = Message.pk_from_tracking_number(number)
    message = Message.objects.filter(pk=pk).select_related("unit").first() if pk else None
    if message is None or message.tracking_number != number or not message.is_public:
        raise Http404
    return render(request, "interaction/message_detail.html",
                  {"item": queries.public_message_dict(message)})


@never_cache
def message_write(request):
    profile = current_profile(request)
    template = "interaction/message_form.html"
    if request.method != "POST":
        initial = {"kind": MessageKind.CONSULTATION}
        if request.GET.get("unit", "").isdigit():
            initial["unit"] = request.GET["unit"]
        question = guard.plain_text(request.GET.get("q", ""))[:3000]
        if question:
            initial["title"], initial["content"] = question[:100], question
        return _render(request, template, {"form": MessageForm(initial=initial)})

    form = MessageForm(request.POST, request.FILES)
    limited = guard.rate_limited(request, "message")
    if not limited and form.is_valid() and form.check_captcha():
        data = form.cleaned_data
        # A retry of a stored submission (same token) gets the first message back.
        message, _created = actions.do_submit_message(
            site=profile, unit=data["unit"], kind=data["kind"], title=data["title"],
            content=data["content"], name=data["name"], phone=data["phone"],
            email=data["email"], may_publish=data["may_publish"], token=data["token"],
            attachments=data["attachments"],
            held=guard.contains_sensitive(data["title"], data["content"]),
        )
        conf.test_pause("after_commit")
        return _to_receipt(request, message)
    # Refused — unless it is the retry of a submission that was stored (its captcha used,
    # the rate limit reached since): that one gets its receipt, never an error.
    existing = queries.message_by_token(request.POST.get("token", ""))
    if existing is not None:
        return _to_receipt(request, existing)
    form.refresh_captcha()
    if limited:
        return _limited(request, template, {"form": form})
    return _render(request, template, {"form": form})


RECEIPT_COOKIE = "gw_receipt"
RECEIPT_SALT = "govweb.interaction.receipt"
RECEIPT_SECONDS = 3600


def _to_receipt(request, message):
    """303 to the receipt page (post/redirect/get: the POST renders no page, a reload does not
    resubmit). The message is committed already. A signed cookie scoped to that one page lets
    only this browser open it for an hour: the check code never appears in a URL, and a
    guessed tracking number shows a stranger nothing."""
    number = message.tracking_number
    url = reverse("interaction:message_receipt", args=[number])
    response = HttpResponseRedirect(url)
    response.status_code = 303
    response.set_signed_cookie(RECEIPT_COOKIE, number, salt=RECEIPT_SALT,
                               max_age=RECEIPT_SECONDS, path=url, httponly=True,
                               samesite="Lax", secure=request.is_secure())
    return guard.ensure_visitor_cookie(request, response)


@never_cache
@require_GET
def message_receipt(request, number):
    """留言回执: tracking number and check code, in the browser that sent the message."""
    shown = request.get_signed_cookie(RECEIPT_COOKIE, default=None, salt=RECEIPT_SALT,
                                      max_age=RECEIPT_SECONDS)
    pk = Message.pk_from_tracking_number(number) if shown == number else None
    message = Message.objects.filter(pk=pk).select_related("unit").first() if pk else None
    if message is None or message.tracking_number != number:
        return _render(request, "interaction/message_receipt.html", {"expired": True},
                       status=404)
    return _render(request, "interaction/message_receipt.html", {"message": message})


@never_cache
def message_lookup(request):
    """留言查询 and 评价: POST only, so that the check code never appears in a URL."""
    template = "interaction/message_lookup.html"
    if request.method != "POST":
        return _render(request, template, {"form": LookupForm()})
    if guard.rate_limited(request, "lookup"):
        return _limited(request, template, {"form": LookupForm(request.POST)})
    rating_form = None
    form = RatingForm(request.POST) if "rating" in request.POST else LookupForm(request.POST)
    if not form.is_valid() and not isinstance(form, RatingForm):
        return _render(request, template, {"form": form})
    number = form.data.get("tracking_number", "").strip()
    message = queries.find_message(number, form.data.get("check_code", ""))
    if message is None:
        form.add_error(None, _("未找到该留言，请核对受理编号和查询码。"))
        return _render(request, template, {"form": form})
    rated = False
    if isinstance(form, RatingForm):
        if form.is_valid():
            try:
                message = actions.do_rate_message(message, rating=form.cleaned_data["rating"],
                                                  comment=form.cleaned_data["comment"])
                rated = True
            except actions.ActionError as error:
                form.add_error(None, error.messages[0])
        rating_form = form
    if message.rating is None and message.state in ("published", "closed") and not rated:
        rating_form = rating_form or RatingForm(initial={"tracking_number": number,
                                                         "check_code": message.check_code})
    response = _render(request, template, {
        "form": LookupForm(initial={"tracking_number": number}), "message": message,
        "rating_form": rating_form if message.rating is None else None, "rated": rated,
        "events": message.events.exclude(action__in=["note", "remind", "escalate"]),
    })
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def message_api(request):
    """Public JSON of published messages: masked, no phone, email or ID numbers, ever."""
    profile = current_profile(request)
    page = _page(request, queries.public_messages(profile), per_page=50)
    return JsonResponse({
        "site": profile.organisation, "page": page.number, "pages": page.paginator.num_pages,
        "results": [queries.public_message_dict(m) for m in page.object_list],
    }, json_dumps_params={"ensure_ascii": False})


# ---------------------------------------------------------------------------------------------
# Error reports


@never_cache
def error_report(request):
    profile = current_profile(request)
    template = "interaction/error_report_form.html"
    if request.method != "POST":
        page_url = request.GET.get("url", "")[:500]
        return _render(request, template, {"form": ErrorReportForm(initial={"page_url": page_url})})
    token = request.POST.get("token", "")
    if guard.valid_token(token):
        existing = ErrorReport.objects.filter(idempotency_token=token).first()
        if existing is not None:
            return _render(request, "interaction/error_report_receipt.html", {"report": existing})
    form = ErrorReportForm(request.POST)
    if guard.rate_limited(request, "error"):
        form.refresh_captcha()
        return _limited(request, template, {"form": form})
    if not (form.is_valid() and form.check_captcha()):
        form.refresh_captcha()
        return _render(request, template, {"form": form})
    data = form.cleaned_data
    report, _created = actions.do_submit_error_report(
        site=profile, page_url=data["page_url"], kind=data["kind"],
        description=data["description"], name=data["name"], contact=data["contact"],
        token=data["token"])
    return _render(request, "interaction/error_report_receipt.html", {"report": report})


# ---------------------------------------------------------------------------------------------
# Consultations and surveys


@require_GET
def consultation_list(request):
    profile = current_profile(request)
    cluster_wide = request.GET.get("all") == "1"
    page = _page(request, queries.consultations_for(profile, cluster_wide))
    return render(request, "interaction/consultation_list.html",
                  {"items_page": page, "cluster_wide": cluster_wide, "now": timezone.now()})


@never_cache
def consultation_detail(request, pk):
    profile = current_profile(request)
    consultation = get_object_or_404(queries.consultations_for(profile), pk=pk)
    now = timezone.now()
    context = {"consultation": consultation, "now": now,
               "is_open": consultation.is_open(now)}
    approved = consultation.comments.filter(state=ConsultationComment.State.APPROVED,
                                            held=False)
    context["comments"] = approved
    if consultation.feedback_published_at:
        context["adopted"] = approved.filter(adopted=True).count()
        context["not_adopted"] = approved.filter(adopted=False).count()
        context["total_comments"] = consultation.comments.count()
    form = CommentForm() if context["is_open"] else None
    if request.method == "POST":
        if not context["is_open"]:
            context["closed_error"] = _("该意见征集已截止，不再接受意见。")
            return _render(request, "interaction/consultation_detail.html", context, status=403)
        form = CommentForm(request.POST)
        if guard.rate_limited(request, "comment"):
            form.refresh_captcha()
            context["form"] = form
            return _limited(request, "interaction/consultation_detail.html", context)
        if form.is_valid() and form.check_captcha():
            data = form.cleaned_data
            actions.do_submit_comment(
                consultation, name=data["name"], phone=data["phone"], content=data["content"],
                token=data["token"], held=guard.contains_sensitive(data["content"]), now=now)
            context["submitted"] = True
            form = CommentForm()
        else:
            form.refresh_captcha()
    context["form"] = form
    return _render(request, "interaction/consultation_detail.html", context)


@require_GET
def survey_list(request):
    profile = current_profile(request)
    cluster_wide = request.GET.get("all") == "1"
    page = _page(request, queries.surveys_for(profile, cluster_wide))
    return render(request, "interaction/survey_list.html",
                  {"items_page": page, "cluster_wide": cluster_wide, "now": timezone.now()})


def _visitor(request):
    """The browser's cookie id, or (first visit without cookie) one issued now."""
    vid = guard.visitor_id(request)
    if vid is None:
        import uuid

        vid = request._gw_new_vid = uuid.uuid4().hex
    return visitor_hash(vid)


@never_cache
def survey_detail(request, pk):
    profile = current_profile(request)
    survey = get_object_or_404(queries.surveys_for(profile), pk=pk)
    now = timezone.now()
    visitor = _visitor(request)
    responded = survey.responses.filter(visitor_hash=visitor).exists()
    context = {"survey": survey, "now": now, "is_open": survey.is_open(now),
               "responded": responded}
    if not survey.is_open(now) and now >= survey.closes_at:
        context["results"] = queries.survey_results(survey)
    status = 200
    form = SurveyForm(survey) if context["is_open"] and not responded else None
    if request.method == "POST":
        if guard.rate_limited(request, "survey"):
            context["limited"] = True
            status = 429
        elif responded:
            context["already"] = _("您已提交过本问卷，每位访客只能提交一次。")
            status = 409
        elif not context["is_open"]:
            context["already"] = _("该问卷不在调查期内。")
            status = 403
        else:
            form = SurveyForm(survey, request.POST)
            if form.is_valid():
                try:
                    actions.do_submit_survey_response(survey, visitor=visitor,
                                                      answers=form.answers(), now=now)
                    context["submitted"], context["responded"], form = True, True, None
                except actions.AlreadyResponded as error:
                    context["already"], form, status = error.messages[0], None, 409
    context["form"] = form
    return _render(request, "interaction/survey_detail.html", context, status=status)


# ---------------------------------------------------------------------------------------------
# Online interviews


@require_GET
def interview_list(request):
    profile = current_profile(request)
    return render(request, "interaction/interview_list.html", {
        "items_page": _page(request, queries.interviews_for(profile)), "now": timezone.now()})


@never_cache
def interview_detail(request, pk):
    profile = current_profile(request)
    interview = get_object_or_404(queries.interviews_for(profile), pk=pk)
    now = timezone.now()
    context = {"interview": interview, "phase": interview.phase(now),
               "answers": list(queries.live_answers(interview))}
    form = InterviewQuestionForm() if interview.accepts_questions(now) else None
    if request.method == "POST" and form is not None:
        form = InterviewQuestionForm(request.POST)
        if guard.rate_limited(request, "interview"):
            form.refresh_captcha()
            context["form"] = form
            return _limited(request, "interaction/interview_detail.html", context)
        if form.is_valid() and form.check_captcha():
            data = form.cleaned_data
            actions.do_submit_interview_question(
                interview, asker=data["asker"], content=data["content"], token=data["token"],
                held=guard.contains_sensitive(data["content"]), now=now)
            context["submitted"], form = True, InterviewQuestionForm()
        else:
            form.refresh_captcha()
    context["form"] = form
    context["last_id"] = max((a.pk for a in context["answers"]), default=0)
    return _render(request, "interaction/interview_detail.html", context)


@require_GET
def interview_live(request, pk):
    """New answered questions after `after` (polled by the live page every few seconds)."""
    profile = current_profile(request)
    interview = get_object_or_404(queries.interviews_for(profile), pk=pk)
    after = int(request.GET["after"]) if request.GET.get("after", "").isdigit() else 0
    answers = [{
        "id": q.pk, "asker": q.asker, "question": guard.mask_text(q.content),
        "answer": q.answer, "guest": q.answered_by,
        "time": timezone.localtime(q.published_at).strftime("%H:%M"),
    } for q in queries.live_answers(interview, after)[:50]]
    response = JsonResponse({"phase": interview.phase(timezone.now()), "answers": answers},
                            json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-cache"
    return response


# ---------------------------------------------------------------------------------------------
# Smart Q&A


@require_GET
def smart_qa(request):
    profile = current_profile(request)
    question = guard.plain_text(request.GET.get("q", ""))[:200]
    context = {"question": question}
    if question:
        context["answers"] = queries.answer_question(profile, question)
        context["articles"] = queries.related_articles(profile, question)
    return render(request, "interaction/smart_qa.html", context)

