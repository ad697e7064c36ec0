"""Refused admin actions answer HTTP 403.

Wagtail's admin turns a PermissionDenied into a redirect to the dashboard with a flash message.
For a cluster where one unit must never touch another's pages, a refusal should be a real 403:
visible in access logs and audits, and unambiguous to scripts and tests. The page still tells
the editor what happened and links back to the dashboard.
"""

from django.http import HttpResponseForbidden
from django.template.loader import render_to_string


def permission_denied(request):
    html = render_to_string("403.html", {"admin": True}, request=request)
    return HttpResponseForbidden(html)


def install():
    import wagtail.admin.auth

    wagtail.admin.auth.permission_denied = permission_denied
