"""Abuse containment and privacy for public forms: captcha, rate limits, sensitive words,
plain-text cleaning, attachment checks by content, and masking of personal data."""

import html
import re
import secrets
import time
import uuid

import nh3
from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext as _

from . import conf

VISITOR_COOKIE = "gw_vid"
CAPTCHA_SALT = "govweb.interaction.captcha"
CAPTCHA_MAX_AGE = 3600
_NUMBERS = "零一二三四五六七八九十"

# ---------------------------------------------------------------------------------------------
# Visitor id and idempotency tokens


def visitor_id(request):
    """The browser's random id from its cookie (None before the first form page)."""
    value = request.COOKIES.get(VISITOR_COOKIE, "")
    return value if re.fullmatch(r"[0-9a-f]{32}", value) else None


def ensure_visitor_cookie(request, response):
    if visitor_id(request) is None:
        vid = getattr(request, "_gw_new_vid", None) or uuid.uuid4().hex
        response.set_cookie(VISITOR_COOKIE, vid, max_age=365 * 86400, httponly=True,
                            samesite="Lax", secure=request.is_secure())
    return response


def new_idempotency_token():
    return secrets.token_hex(16)


def valid_token(value):
    return bool(value) and re.fullmatch(r"[0-9a-f]{32}", value) is not None


# ---------------------------------------------------------------------------------------------
# Captcha: an arithmetic question in words, readable by screen readers (no image)


def new_captcha():
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    question = _("验证问题：%(a)s 加 %(b)s 等于多少？") % {
        "a": _NUMBERS[a], "b": _NUMBERS[b]}
    token = signing.dumps({"s": a + b, "n": secrets.token_hex(8)}, salt=CAPTCHA_SALT)
    return question, token


def check_captcha(token, answer, bind=""):
    """True when the answer is right. Each solved question is accepted for one submission
    only (`bind`, its idempotency token): a retry of that same submission still passes."""
    if not conf.captcha_enabled():
        return True
    try:
        data = signing.loads(token or "", salt=CAPTCHA_SALT, max_age=CAPTCHA_MAX_AGE)
    except signing.BadSignature:
        return False
    if str(data.get("s")) != (answer or "").strip():
        return False
    key = f"interaction:captcha:{data['n']}"
    return cache.add(key, bind or "-", CAPTCHA_MAX_AGE) or (bool(bind) and cache.get(key) == bind)


# ---------------------------------------------------------------------------------------------
# Rate limits (django-ratelimit counters in the Django cache: Redis in production)


def rate_limited(request, group):
    """True when this POST exceeds the per-IP or per-visitor limit for the form group."""
    if not conf.ratelimit_enabled():
        return False
    from django_ratelimit.core import is_ratelimited

    limited = is_ratelimited(request, group=f"interaction.{group}.ip", key="ip",
                             rate=conf.rate_ip(), method="POST", increment=True)
    vid = visitor_id(request)
    if vid:
        limited = is_ratelimited(
            request, group=f"interaction.{group}.visitor", key=lambda _g, _r: vid,
            rate=conf.rate_visitor(), method="POST", increment=True) or limited
    return limited


# ---------------------------------------------------------------------------------------------
# Text


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain_text(value):
    """Strip every HTML tag (and control characters) from a plain-text field."""
    if not value:
        return ""
    if "<" not in value and "&" not in value:
        # No tag and no entity: the parser would only drop a leading BOM and turn CR LF / CR
        # into LF (the same result, checked on random text in the tests), at a fraction of
        # the cost — most citizens' text is like this.
        value = value.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        return _CONTROL.sub("", value).strip()
    return parsed_plain_text(value)


def parsed_plain_text(value):
    """plain_text() through the HTML parser (nh3), for any text."""
    cleaned = html.unescape(nh3.clean(value, tags=set(), clean_content_tags={"script", "style"}))
    return _CONTROL.sub("", cleaned).strip()


def safe_html(value):
    """Sanitize user rich text to a small set of tags."""
    return nh3.clean(value or "", tags={"p", "br", "strong", "em", "ul", "ol", "li", "a"},
                     url_schemes={"http", "https", "mailto"})


_words = {"expires": 0.0, "words": []}


def forget_sensitive_words():
    _words["expires"] = 0.0


def sensitive_words():
    if time.monotonic() >= _words["expires"]:
        from .models import SensitiveWord

        _words["words"] = list(SensitiveWord.objects.values_list("word", flat=True))
        _words["expires"] = time.monotonic() + 60
    return _words["words"]


def contains_sensitive(*texts):
    words = sensitive_words()
    joined = "\n".join(t for t in texts if t)
    return any(word in joined for word in words)


# ---------------------------------------------------------------------------------------------
# Masking personal data on public pages and in the public API


def mask_name(name):
    name = (name or "").strip()
    if not name:
        return _("匿名")
    return name[0] + "*" * max(1, len(name) - 1)


def mask_phone(phone):
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if len(digits) < 7:
        return "****"
    return digits[:3] + "****" + digits[-4:]


_ID_RE = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?!\d)")
_MOBILE_RE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_LANDLINE_RE = re.compile(r"(?<!\d)(0\d{2,3}-?)\d{7,8}(?!\d)")
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def mask_text(text):
    """Hide ID numbers, phone numbers and email addresses a citizen wrote into free text."""
    text = _ID_RE.sub(lambda m: m.group(1) + "********" + m.group(2), text or "")
    text = _MOBILE_RE.sub(lambda m: m.group(1) + "****" + m.group(2), text)
    text = _LANDLINE_RE.sub(lambda m: m.group(1) + "********", text)
    return _EMAIL_RE.sub("***@***", text)


# ---------------------------------------------------------------------------------------------
# Attachments: type from the first bytes, never from the name

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS = 3
_SIGNATURES = [
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"%PDF-", "application/pdf", "pdf"),
]


def sniff_attachment(uploaded):
    """(content_type, extension) from the file's content, or None if not JPEG/PNG/PDF."""
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    for signature, content_type, extension in _SIGNATURES:
        if head.startswith(signature):
            if content_type.startswith("image/"):
                try:
                    from PIL import Image

                    with Image.open(uploaded) as image:
                        image.verify()
                except Exception:
                    return None
                finally:
                    uploaded.seek(0)
            return content_type, extension
    return None
