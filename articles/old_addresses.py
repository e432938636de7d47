"""Addresses from before the move answer 301 with where their thing lives now.

``OldAddressMiddleware`` looks at a request only when nothing else answered it (a 404), or
when it is a WordPress query address (``/?p=123``, ``?cat=``, ``?tag=``, ``?author=``), so a
normal page costs nothing more. It sits inside the security middleware, so its answers carry
the same headers (HSTS, CSP, X-Frame-Options ...) as every other; the page cache in front lets
the query addresses through (``PAGE_CACHE_PASS_PARAMETERS``). The target is read when the
request comes, so the answer is one hop to the current address whatever changed since (a new
slug, a new section). A story that is not public answers 404, as its page does.
"""

import re

from django.http import HttpResponsePermanentRedirect

from .models import OldAddress

QUERY_KEYS = ("p", "cat", "tag", "author")
# What WordPress added after an archive's or a story's address: pages, feeds, AMP.
_SUFFIX = re.compile(r"(?:page/\d+/|feed/(?:atom/|rss2?/)?|amp/|comment-page-\d+/)$")


def candidates(request) -> list[str]:
    path = request.path
    found = [path]
    if not path.endswith("/"):
        found.append(f"{path}/")
    stripped = _SUFFIX.sub("", found[-1])
    if stripped != found[-1] and stripped != "/":
        found.append(stripped)
    for key in QUERY_KEYS:
        value = request.GET.get(key)
        if value:
            found.append(f"{path.rstrip('/')}/?{key}={value}")
    return found


def redirect_for(request):
    addresses = (
        OldAddress.objects.filter(path__in=candidates(request))
        .select_related("article", "section", "tag", "author")
        .order_by("-path")
    )
    for address in addresses:
        target = address.target
        if address.article is not None and not address.article.is_public:
            continue
        response = HttpResponsePermanentRedirect(target.get_absolute_url())
        response["Cache-Control"] = "public, max-age=3600"
        return response
    return None


class OldAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD"):
            if request.GET and any(key in request.GET for key in QUERY_KEYS):
                redirect = redirect_for(request)
                if redirect is not None:
                    return redirect
            response = self.get_response(request)
            if response.status_code == 404:
                return redirect_for(request) or response
            return response
        return self.get_response(request)
