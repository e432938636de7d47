"""``canonical_url`` for every template: the page's own address, without the query parameters
it does not read (a cached page must never keep a visitor's ``?next=...`` in its canonical
link), and the ones it reads once each."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .pages import canonical_url


def page(request: HttpRequest) -> dict:
    def address() -> str:
        match = getattr(request, "resolver_match", None)
        info = getattr(match.func, "page_cache", None) if match else None
        return canonical_url(request, info.reads if info else ())

    return {"canonical_url": SimpleLazyObject(address)}
