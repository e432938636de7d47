"""How failed logins are counted and what a locked-out login is told (django-axes).

axes records each failure in the database (one row per username, address and browser, so
every app server sees the same counts) and refuses a login while its username or its address
has too many. Its database handler has one limit for both; ``LoginThrottleHandler`` gives each
its own (``LOGIN_FAILURES_PER_USERNAME``, ``LOGIN_FAILURES_PER_ADDRESS``) and clears only the
username's failures when a login succeeds.

Nothing here depends on whether an account exists: a username nobody has is counted and
locked exactly as a real one, and the lockout page says the same thing to both.
"""

import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.db.models import Max, Sum
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone


def failures(*, username: str | None = None, ip_address: str | None = None) -> tuple[int, object]:
    """Failures still counting for a username or an address: how many, and the latest time."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    if username is not None:
        rows = AccessAttempt.objects.filter(username=username)
    else:
        rows = AccessAttempt.objects.filter(ip_address=ip_address)
    found = rows.filter(attempt_time__gte=since).aggregate(
        count=Sum("failures_since_start"), latest=Max("attempt_time")
    )
    return found["count"] or 0, found["latest"]


def locked_until(username: str | None, ip_address: str | None):
    """When the lock on this username or address ends, or None if neither is locked."""
    ends = []
    count, latest = failures(username=username)
    if count >= settings.LOGIN_FAILURES_PER_USERNAME:
        ends.append(latest + settings.AXES_COOLOFF_TIME)
    count, latest = failures(ip_address=ip_address)
    if count >= settings.LOGIN_FAILURES_PER_ADDRESS:
        ends.append(latest + settings.AXES_COOLOFF_TIME)
    return max(ends, default=None)


class LoginThrottleHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        """The failures axes compares with ``AXES_FAILURE_LIMIT`` (the per-username limit):
        the username's own, or that limit itself once the address has reached its own."""
        by_address, _ = failures(ip_address=request.axes_ip_address)
        if by_address >= settings.LOGIN_FAILURES_PER_ADDRESS:
            return get_failure_limit(request, credentials)
        by_username, _ = failures(username=get_client_username(request, credentials))
        return by_username

    def user_logged_in(self, sender, request, user, **kwargs):
        super().user_logged_in(sender, request, user, **kwargs)
        AccessAttempt.objects.filter(username=user.get_username()).delete()


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """The page a locked-out login gets (``AXES_LOCKOUT_CALLABLE``): 429 with Retry-After."""
    username = get_client_username(request, credentials)
    until = locked_until(username, request.axes_ip_address)
    cool_off = settings.AXES_COOLOFF_TIME.total_seconds()
    seconds = cool_off if until is None else (until - timezone.now()).total_seconds()
    seconds = max(1, math.ceil(seconds))
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed logins",
        "minutes": math.ceil(seconds / 60),
        "lockout_minutes": settings.LOGIN_LOCKOUT_MINUTES,
    }
    response = TemplateResponse(request, "accounts/locked_out.html", context, status=429)
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response.render()
