import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govweb.settings.base")
application = get_wsgi_application()

# Page-cache hits this process has answered before are replayed before Django runs
# (govweb.base.pagecache.FrontDoor); everything else goes through the full stack.
from govweb.base.pagecache import FrontDoor  # noqa: E402

application = FrontDoor(application)
