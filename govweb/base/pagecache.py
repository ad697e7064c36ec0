class PageCacheMiddleware:
    """Serves anonymous public pages from a purgeable cache (filled in by the public-front issue)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
