"""Whole pages for anonymous readers: ``@public_page``, what is stored, and each answer.

``look_up`` answers a request from this process's copy (when the clock has not moved since it
was checked), else from the shared cache (when the page's tags have not moved since it was
rendered), and otherwise leaves the page to be rendered. When a stored page went stale less
than ``STALE_WHILE_RENDERING`` seconds ago, one process (holding a short lock) renders it anew
and the others answer with the copy they have meanwhile: an edit under load does not make
every process render the same page at once, and every reader sees it within that second.

An answer is gzip-compressed for clients that accept it, from the copy compressed once when
the page was stored, with ``Vary: Accept-Encoding`` and an ``ETag`` per encoding; conditional
requests get a 304.
"""

import functools
import gzip
import hashlib
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from . import schedule
from .local import Copy
from .recording import collecting
from .state import Visit, current, visiting
from .store import ALL, CLOCK, SCHEDULE, Store, store

STALE_WHILE_RENDERING = 1.0  # seconds a stale page may still be answered while one renders it
RENDER_LOCK_SECONDS = 1
GZIP_LEVEL = 6
GZIP_MIN_BYTES = 512  # smaller answers are not worth compressing

# Headers set for each answer, not kept with the page.
PER_ANSWER_HEADERS = {
    "cache-control",
    "content-encoding",
    "content-length",
    "date",
    "etag",
    "last-modified",
    "set-cookie",
    "surrogate-key",
    "vary",
    "x-page-cache",
}


@dataclass(frozen=True)
class PageInfo:
    """What ``@public_page`` says of a view: the query parameters its page reads."""

    reads: tuple[str, ...] = ()


@dataclass
class Entry:
    content: bytes
    gzipped: bytes | None  # compressed once, when stored
    headers: dict[str, str]  # as the reader got them, every middleware's included
    etag: str  # of ``content``; the compressed copy's adds "-gzip"
    stored_at: float  # epoch seconds
    start: int  # the clock when the render began
    tags: tuple[str, ...]
    until: float | None  # it changes by itself by then (epoch seconds), if ever
    max_age: int  # seconds the app keeps it


# Addresses and keys -------------------------------------------------------------------------


def canonical_query(request: HttpRequest, reads) -> str:
    """The query string of the parameters the page reads, one value each (the first)."""
    pairs = [(name, request.GET.getlist(name)[0]) for name in reads if name in request.GET]
    return urlencode(pairs)


def canonical_url(request: HttpRequest, reads) -> str:
    """The page's own address: no parameter it does not read, none twice."""
    query = canonical_query(request, reads)
    return request.build_absolute_uri(request.path) + (f"?{query}" if query else "")


def duplicate_redirect(request: HttpRequest, reads) -> HttpResponse | None:
    """A page that reads a parameter once and finds it twice answers with a redirect to the
    address with the first value alone, so the view and the key can never disagree."""
    if not any(len(request.GET.getlist(name)) > 1 for name in reads):
        return None
    query = canonical_query(request, reads)
    return HttpResponsePermanentRedirect(request.path + (f"?{query}" if query else ""))


def page_key(request: HttpRequest, reads) -> str:
    """One key per scheme, host, path and the parameters the page reads (campaign tags such
    as ``utm_source`` share the page)."""
    raw = f"{request.scheme}://{request.get_host()}{request.path}?{canonical_query(request, reads)}"
    return f"page:{hashlib.sha256(raw.encode()).hexdigest()}"


def is_reader(request: HttpRequest) -> bool:
    """Not logged in. Decided without touching the session unless a session cookie came, so
    a reader's request never makes the response vary on Cookie."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return True
    return not request.user.is_authenticated


# Looking a page up ------------------------------------------------------------------------


def look_up(request: HttpRequest, reads, visit: Visit) -> None:
    """Read the clock and the schedule for this request, and its page if it is fresh (or
    may be answered stale): the answer, if any, goes into ``visit.answer``."""
    found_store = visit.store
    found_store.recover()
    visit.looked = True
    visit.key = key = page_key(request, reads)
    checked_key = f"{key}:checked"
    enabled = settings.PAGE_CACHE_SECONDS > 0
    copies = found_store.local if enabled else None
    copy = copies.get(key, visit.now) if copies is not None else None
    names = [CLOCK, SCHEDULE]
    if enabled and copy is None:
        names += [key, checked_key]
    found = found_store.read(names)
    clock = found.get(CLOCK) or found_store.clock()
    visit.clock = clock
    visit.schedule = schedule.current(
        found_store, found.get(SCHEDULE), visit.now, available=clock is not None
    )
    if clock is None or not enabled:
        return
    if copy is not None and not visit.schedule.stale(copy.item.stored_at):
        entry = copy.item
        if copy.checked == clock:
            visit.answer = answer(request, entry, visit, "hit-local")
            return
        checked = found_store.read([checked_key]).get(checked_key)
        max_age = entry.max_age
        if found_store.fresh(entry.start, entry.tags, clock, checked, checked_key, max_age):
            copy.checked = clock
            visit.answer = answer(request, entry, visit, "hit-local")
            return
    if copy is not None:
        found.update(found_store.read([key, checked_key]))
    entry, checked = found.get(key), found.get(checked_key)
    if entry is None or visit.now - entry.stored_at >= entry.max_age:
        return
    if visit.schedule.stale(entry.stored_at):
        return
    if found_store.fresh(entry.start, entry.tags, clock, checked, checked_key, entry.max_age):
        if copies is not None:
            expires = entry.stored_at + entry.max_age
            copies.keep(key, Copy(entry, entry.start, clock, expires))
        visit.answer = answer(request, entry, visit, "hit")
        return
    # Stale: the last clock at which it was known fresh bounds when it went stale.
    known_fresh = [entry.start]
    if checked and checked[0] == entry.start:
        known_fresh.append(checked[1])
    if copy is not None and copy.start == entry.start:
        known_fresh.append(copy.checked)
    if _went_stale_just_now(found_store, max(known_fresh), visit.now):
        if found_store.add(f"{key}:rendering", True, RENDER_LOCK_SECONDS):
            visit.renders_for_all = True
        else:
            visit.answer = answer(request, entry, visit, "stale")


def _went_stale_just_now(found_store: Store, fresh_at: int, now: float) -> bool:
    """Whether the first bump after clock ``fresh_at`` (which is when the page went stale,
    or earlier) was less than STALE_WHILE_RENDERING seconds ago."""
    bumped = found_store.bumped_at(fresh_at + 1)
    return bumped is not None and now - bumped < STALE_WHILE_RENDERING


# Answers ----------------------------------------------------------------------------------


def accepts_gzip(request: HttpRequest) -> bool:
    """Whether Accept-Encoding allows gzip (by name or by ``*``, with q above 0)."""
    allowed = {}
    for item in request.headers.get("Accept-Encoding", "").split(","):
        coding, _, params = item.strip().partition(";")
        q = 1.0
        name, _, value = params.strip().partition("=")
        if name.strip() == "q":
            try:
                q = float(value)
            except ValueError:
                q = 0.0
        allowed[coding.strip().lower()] = q
    q = allowed.get("gzip", allowed.get("x-gzip", allowed.get("*", 0.0)))
    return q > 0


def _cache_control(visit: Visit, until: float | None) -> str:
    seconds = settings.PAGE_CDN_SECONDS
    for limit in (visit.schedule.upcoming, until):
        if limit and limit > visit.now:
            seconds = min(seconds, int(limit - visit.now))
    browser = min(settings.PAGE_BROWSER_SECONDS, seconds)
    return (
        f"public, max-age={browser}, s-maxage={seconds}, "
        f"stale-while-revalidate={settings.PAGE_STALE_SECONDS}"
    )


def finish(request: HttpRequest, response: HttpResponse, entry: Entry, visit: Visit, label: str):
    """The answer's own headers and body: compressed if the client takes it, 304 if its
    copy is current."""
    compressed = entry.gzipped is not None and accepts_gzip(request)
    if compressed:
        response.content = entry.gzipped
        response["Content-Encoding"] = "gzip"
        response["ETag"] = f'{entry.etag[:-1]}-gzip"'
    else:
        response.content = entry.content
        response["ETag"] = entry.etag
    response["Content-Length"] = str(len(response.content))
    response["Last-Modified"] = http_date(entry.stored_at)
    response["Cache-Control"] = _cache_control(visit, entry.until)
    public_tags = sorted(set(entry.tags) - {ALL})
    if public_tags:
        response["Surrogate-Key"] = " ".join(public_tags)
    response["X-Page-Cache"] = label
    if len(entry.content) >= GZIP_MIN_BYTES:  # sent compressed to some clients, not others
        patch_vary_headers(response, ["Accept-Encoding"])
    return get_conditional_response(
        request, etag=response["ETag"], last_modified=int(entry.stored_at), response=response
    )


def answer(request: HttpRequest, entry: Entry, visit: Visit, label: str) -> HttpResponse:
    """A stored page as an answer to ``request``."""
    response = HttpResponse()
    for name, value in entry.headers.items():
        response[name] = value
    return finish(request, response, entry, visit, label)


def keep(visit: Visit, entry: Entry) -> None:
    """Store a rendered page (with the headers every middleware set) in the shared cache and
    in this process's copies."""
    found_store = visit.store
    key = visit.key
    found_store.write_missing_tags(entry.tags, entry.start)
    # The page and the record of its check (at its own start) in one write.
    record = {key: entry, f"{key}:checked": (entry.start, entry.start)}
    found_store.write(record, entry.max_age)
    if visit.renders_for_all:
        found_store.delete(f"{key}:rendering")
    if found_store.local is not None:
        found_store.local.keep(
            key, Copy(entry, entry.start, entry.start, entry.stored_at + entry.max_age)
        )


# The decorator ----------------------------------------------------------------------------


def public_page(view=None, *, reads: tuple[str, ...] = ()):
    """Serve ``view`` to anonymous readers from the page cache (``@public_page``, or
    ``@public_page(reads=("page",))`` for a page that reads query parameters: only those are
    part of its key and its canonical address). ``PageCacheMiddleware`` answers with a stored
    copy before the view is even found, and stores what this renders; logged-in users get a
    fresh, private copy."""

    def decorate(view):
        @functools.wraps(view)
        def page(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            if not is_reader(request):
                response = _render(view, request, args, kwargs)
                response["Cache-Control"] = "private, no-store"
                return response
            redirect = duplicate_redirect(request, reads)
            if redirect is not None:
                return redirect
            visit = current()
            if visit is None:  # no PageCacheMiddleware in front (a view called on its own)
                with visiting(Visit(store=store(), now=time.time())) as visit:
                    return _serve(view, request, args, kwargs, reads, visit, finish_here=True)
            return _serve(view, request, args, kwargs, reads, visit, finish_here=False)

        page.page_cache = PageInfo(reads=tuple(reads))
        return page

    return decorate if view is None else decorate(view)


def _render(view, request, args, kwargs) -> HttpResponse:
    response = view(request, *args, **kwargs)
    if hasattr(response, "render") and callable(response.render):
        response = response.render()
    return response


def _serve(view, request, args, kwargs, reads, visit: Visit, *, finish_here: bool):
    if not visit.looked:  # a reader who sent a session cookie, or no middleware
        look_up(request, reads, visit)
        if visit.answer is not None:
            return visit.answer
    with collecting() as collector:
        response = _render(view, request, args, kwargs)
    if response.status_code != 200 or response.streaming or response.cookies:
        return response
    content = response.content
    enabled = settings.PAGE_CACHE_SECONDS > 0 and visit.available
    max_age = settings.PAGE_CACHE_SECONDS
    if collector.until is not None:
        max_age = max(0, min(max_age, int(collector.until - visit.now)))
    stored = enabled and max_age > 0
    # Compressed once: for the copy kept (every later answer comes from it), else only for a
    # client that takes it.
    compress = len(content) >= GZIP_MIN_BYTES and (stored or accepts_gzip(request))
    entry = Entry(
        content=content,
        gzipped=gzip.compress(content, compresslevel=GZIP_LEVEL, mtime=0) if compress else None,
        headers={},
        etag=f'"{hashlib.md5(content, usedforsecurity=False).hexdigest()}"',
        stored_at=visit.now,
        start=visit.clock or 0,
        tags=(ALL, *sorted(collector.tags - {ALL})),
        until=collector.until,
        max_age=max_age,
    )
    visit.entry = entry
    visit.store_entry = stored
    if finish_here:
        return finish(request, response, entry, visit, "off")
    return response
