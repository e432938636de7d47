"""``PageCacheMiddleware``: the page cache's front door, first in ``MIDDLEWARE``.

A reader's request for a fresh stored page is answered here, before any other middleware or
the URL routing runs. A page that a ``@public_page`` view renders is stored here on its way
out, with every header the other middleware added (the security headers and the Content-
Security-Policy, the same for every reader of a public page). A request with a session cookie
goes on to the view, whose decorator tells logged-in users from readers. A request with one
of ``PAGE_CACHE_PASS_PARAMETERS`` goes on too (say, an old site's ``/?p=123``, which names
another page than the path's: middleware further in answers it).
"""

import functools
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from .pages import PER_ANSWER_HEADERS, PageInfo, duplicate_redirect, finish, keep, look_up
from .state import Visit, visiting
from .store import store


@functools.lru_cache(maxsize=10_000)
def _page_info(path: str, urlconf) -> PageInfo | None:
    # The URLconf is fixed while the process runs: remembered per path, as routing is the
    # costliest step of answering a stored page after the round trip to the cache.
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    return getattr(match.func, "page_cache", None)


def page_info(request: HttpRequest) -> PageInfo | None:
    """What ``@public_page`` says of the view at this address (None: not a public page)."""
    return _page_info(request.path_info, getattr(request, "urlconf", None) or settings.ROOT_URLCONF)


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        # Plain HTTP that SecurityMiddleware sends to HTTPS is left to it.
        if settings.SECURE_SSL_REDIRECT and not request.is_secure():
            return self.get_response(request)
        # Parameters that name another page than the path's (an old site's /?p=123).
        passing = getattr(settings, "PAGE_CACHE_PASS_PARAMETERS", ())
        if passing and request.GET and any(name in request.GET for name in passing):
            return self.get_response(request)
        info = page_info(request)
        if info is None:
            return self.get_response(request)
        redirect = duplicate_redirect(request, info.reads)
        if redirect is not None:
            return redirect
        with visiting(Visit(store=store(), now=time.time())) as visit:
            if settings.SESSION_COOKIE_NAME not in request.COOKIES:
                look_up(request, info.reads, visit)
                if visit.answer is not None:
                    return visit.answer
            response = self.get_response(request)
            entry = visit.entry
            if entry is None:  # not a page to keep (staff, an error), or answered by the view
                return response
            shareable = not response.cookies and "cookie" not in response.get("Vary", "").lower()
            if not shareable:  # say, a stale session cookie being deleted: for this client only
                response["Cache-Control"] = "private, no-store"
                return response
            entry.headers = {
                name: value
                for name, value in response.items()
                if name.lower() not in PER_ANSWER_HEADERS
            }
            if visit.store_entry:
                keep(visit, entry)
            return finish(request, response, entry, visit, "miss" if visit.store_entry else "off")
