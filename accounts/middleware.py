"""Holds the admin back from a staff member who still owes a second factor.

After the password, the session is logged in but not verified (django-otp): every admin page
but the one step owed (the code, or the setup the policy requires), the login and the logout
redirects there, and comes back afterwards. Pages outside the admin need no staff login.
"""

from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse

from . import second_factor

OPEN_WHILE_OWED = ("admin:login", "admin:logout", "admin:jsi18n")
STEP = {"code": "accounts:verify", "setup": "accounts:second-factor"}


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            admin_root = reverse("admin:index")
        except NoReverseMatch:  # a URLconf without the admin (the page cache's tests' own)
            return self.get_response(request)
        if request.path.startswith(admin_root):
            owed = second_factor.owed(request.user)
            if owed is not None:
                step = reverse(STEP[owed])
                open_paths = {step, *(reverse(name) for name in OPEN_WHILE_OWED)}
                if request.path not in open_paths:
                    back = request.get_full_path() if request.method == "GET" else ""
                    query = f"?{urlencode({'next': back})}" if back else ""
                    return HttpResponseRedirect(step + query)
        return self.get_response(request)
