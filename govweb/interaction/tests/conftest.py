import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters and used captchas live in the (locmem) cache, deadline rules and
    units in memory for a minute: start each test clean (a rollback sends no signal)."""
    from govweb.interaction import actions, guard, queries

    def forget():
        cache.clear()
        actions.forget_deadline_rules()
        queries.forget_units()
        guard.forget_sensitive_words()

    forget()
    yield
    forget()


@pytest.fixture
def no_captcha(settings):
    settings.GOVWEB_INTERACTION_CAPTCHA = False
