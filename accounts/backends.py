"""The first authentication backend: refuses a locked-out login before any password is
hashed (django-axes)."""

from axes.backends import AxesStandaloneBackend


class LoginThrottleBackend(AxesStandaloneBackend):
    """axes' check, also for calls without a request.

    Every login over HTTP passes its request; a call without one (``Client.login`` in tests,
    a shell) has no client address to count against, so it is let through to the password
    check, as without throttling, rather than failing with an error."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
