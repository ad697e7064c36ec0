"""One access record (访问记录): what is kept about a request, and nothing personal.

The visitor is a salted hash that rotates every day: the salt is derived from SECRET_KEY and
the date, so the same browser is one visitor within a day and unlinkable across days. No raw
IP address, no full user-agent and no full referrer URL is ever stored.
"""

import hashlib
import hmac
import re
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings

UA_BOT = re.compile(r"bot|spider|crawl|slurp|curl|wget|python-requests|monitor|headless", re.I)
UA_TABLET = re.compile(r"ipad|tablet|kindle|silk", re.I)
UA_MOBILE = re.compile(r"mobile|android|iphone|ipod|harmonyos|micromessenger", re.I)

# The same rules as SQL, used when ingesting nginx logs (keep both in step).
UA_CLASS_SQL = """CASE
  WHEN regexp_matches({ua}, 'bot|spider|crawl|slurp|curl|wget|python-requests|monitor|headless', 'i') THEN 'bot'
  WHEN regexp_matches({ua}, 'ipad|tablet|kindle|silk', 'i') THEN 'tablet'
  WHEN regexp_matches({ua}, 'mobile|android|iphone|ipod|harmonyos|micromessenger', 'i') THEN 'mobile'
  WHEN {ua} IS NULL OR {ua} = '' OR {ua} = '-' THEN 'other'
  ELSE 'desktop' END"""

UA_LABELS = {"desktop": "电脑", "mobile": "手机", "tablet": "平板", "bot": "爬虫", "other": "其他"}


@lru_cache(maxsize=2048)  # a site sees few distinct browsers; three regexes per hit add up
def ua_class(user_agent):
    """电脑 / 手机 / 平板 / 爬虫: the only trace of the user-agent that is kept."""
    if not user_agent or user_agent == "-":
        return "other"
    if UA_BOT.search(user_agent):
        return "bot"
    if UA_TABLET.search(user_agent):
        return "tablet"
    if UA_MOBILE.search(user_agent):
        return "mobile"
    return "desktop"


def referrer_domain(referrer):
    """The referring host only (e.g. www.baidu.com); None for direct visits."""
    if not referrer or referrer == "-":
        return None
    try:
        host = urlsplit(referrer).hostname
    except ValueError:
        return None
    return host.lower()[:100] if host else None


@lru_cache(maxsize=512)
def daily_salt(day_iso):
    """The visitor-hash salt of one day (YYYY-MM-DD), derived from SECRET_KEY."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"govweb-analytics-visitor:{day_iso}".encode(), hashlib.sha256).hexdigest()[:32]


def visitor_hash(day_iso, ip, user_agent):
    """16 hex digits; the same formula as the SQL used for nginx logs: sha256(salt|ip|ua)."""
    raw = f"{daily_salt(day_iso)}|{ip or ''}|{user_agent or ''}"
    return hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()[:16]


VISITOR_SQL = "left(sha256(salt || '|' || coalesce({ip}, '') || '|' || coalesce({ua}, '')), 16)"


def client_ip(request):
    """The client address; behind a local proxy (nginx) its X-Forwarded-For first hop."""
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if forwarded and (remote.startswith(("127.", "10.", "192.168.", "172.")) or remote in {"::1", ""}):
        return forwarded.split(",")[0].strip()
    return remote
