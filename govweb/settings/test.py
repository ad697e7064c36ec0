"""Test settings: the base settings with fast hashing and an isolated data dir."""

import os
import tempfile

# One data dir per test process: xdist workers inherit the controller's environment, and a
# shared search index or file cache would let one worker's tests see another's writes.
_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker:
    os.environ["GOVWEB_DATA_DIR"] = tempfile.mkdtemp(prefix=f"govweb-test-{_worker}-")
else:
    os.environ.setdefault("GOVWEB_DATA_DIR", tempfile.mkdtemp(prefix="govweb-test-"))

from .base import *  # noqa: E402,F403
from .base import DATA_DIR  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_ENABLED = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
