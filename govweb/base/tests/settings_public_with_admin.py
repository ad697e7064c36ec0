"""A deliberately wrong configuration: the public role mounting the admin URLs."""

from govweb.settings.base import *  # noqa: F403

ROOT_URLCONF = "govweb.urls.admin"
