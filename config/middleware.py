"""Project-wide middleware."""

from django.conf import settings


class PermissionsPolicyMiddleware:
    """Add a Permissions-Policy header turning off browser features Marquee never uses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.MARQUEE_PERMISSIONS_POLICY)
        return response
