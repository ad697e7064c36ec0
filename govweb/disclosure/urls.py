"""Public URLs of the disclosure app (mounted on the public role, before Wagtail's page serving)."""

urlpatterns = []
