import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters and used captchas live in the (locmem) cache: start each test clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def no_captcha(settings):
    settings.GOVWEB_INTERACTION_CAPTCHA = False
