"""Public URLs of the supervision app (mounted on the public role, before Wagtail's page serving)."""

urlpatterns = []
