"""Public URLs of the reprint app (mounted on the public role, before Wagtail's page serving)."""

urlpatterns = []
