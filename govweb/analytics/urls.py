"""Public URLs of the analytics app (mounted on the public role, before Wagtail's page serving)."""

urlpatterns = []
