"""The ``Permissions-Policy`` header on every answer: the browser features a news site never
uses (camera, microphone, location, payment, USB, sensors, interest-based ads) are off for
the page and every frame in it, so a script that got in cannot ask for them.

``PERMISSIONS_POLICY`` (settings) is the header's value; empty leaves the header out. It comes
after WhiteNoise (static files are no documents) and inside the page cache, so stored pages
carry it.
"""

from django.conf import settings


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Permissions-Policy", self.policy)
        return response
