"""Interaction settings, from Django settings when present, else environment variables.

GOVWEB_INTERACTION_RATELIMIT   1 (default) / 0: per-IP and per-visitor limits on public forms
GOVWEB_INTERACTION_RATE_IP     submissions per IP (default "20/m")
GOVWEB_INTERACTION_RATE_VISITOR submissions per browser (default "6/m")
GOVWEB_INTERACTION_CAPTCHA     1 (default) / 0: the arithmetic question on public forms
GOVWEB_INTERACTION_SENDER      dotted path of the citizen notification sender
                               (default govweb.interaction.notify.OutboxSender)
GOVWEB_INTERACTION_TEST_PAUSE  "before_commit:5" or "after_commit:5": sleep that many seconds
                               inside the submission transaction, or after the commit and before
                               the receipt (demo mode only; the crash test kills the server then)
"""

import os

from django.conf import settings


def _env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _get(name, default):
    return getattr(settings, name, os.environ.get(name, default))


def ratelimit_enabled():
    return getattr(settings, "GOVWEB_INTERACTION_RATELIMIT",
                   _env_bool("GOVWEB_INTERACTION_RATELIMIT", True))


def captcha_enabled():
    return getattr(settings, "GOVWEB_INTERACTION_CAPTCHA",
                   _env_bool("GOVWEB_INTERACTION_CAPTCHA", True))


def rate_ip():
    return _get("GOVWEB_INTERACTION_RATE_IP", "20/m")


def rate_visitor():
    return _get("GOVWEB_INTERACTION_RATE_VISITOR", "6/m")


def sender_path():
    return _get("GOVWEB_INTERACTION_SENDER", "govweb.interaction.notify.OutboxSender")


def pause_configured():
    """True when the crash-test pause is set (demo mode only)."""
    return bool(os.environ.get("GOVWEB_INTERACTION_TEST_PAUSE")) and settings.DEMO


def test_pause(stage):
    """Crash-test hook: sleep at a named point of a message submission (demo mode only)."""
    if not pause_configured():
        return
    name, _sep, seconds = os.environ["GOVWEB_INTERACTION_TEST_PAUSE"].partition(":")
    if name == stage:
        import time

        time.sleep(float(seconds or 5))
