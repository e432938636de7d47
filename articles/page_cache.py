"""The full-page cache for anonymous readers, with invalidation by dependency tags.

A public view wrapped in ``@public_page`` is rendered once and kept in the cache (Redis when
``REDIS_URL`` is set, so every app server shares it; local memory otherwise). While it renders,
the view and its helpers name what the page shows with ``depends_on``: ``story:12``,
``section:3``, ``author:7``, ``tag:5``, ``image:9``, and the lists it draws from
(``list:latest``, ``list:section:3``, ...). ``articles.invalidation`` bumps those tags when an
editor changes something, and a cached page carrying a bumped tag is stale from then on.

How staleness is decided, without a race between an edit and a render in progress: the cache
holds a counter (the *clock*). A bump advances the clock and writes the new value into each
bumped tag; a render reads the clock *before* it starts and stores it with the page. A page is
fresh while every one of its tags holds a value not above its start. An edit committed while
a page was being rendered from the old rows bumps its tags above that page's start, so the
page is stale as soon as it is stored. A tag missing from the cache (evicted, flushed) makes
the page stale too; the next render writes it back at the current clock.

Scheduled stories: the cache keeps the time the next scheduled story goes live (one query when
it is missing; reset by every story save). A page stored before that moment is stale after it,
and the first request after it runs the invalidation of the stories that went live (their list
tags), so the cached lists show them on time. A CDN is told the same thing: ``s-maxage`` never
reaches past that moment.

Where: ``PageCacheMiddleware``, first in ``MIDDLEWARE``, answers a reader's request for a
fresh page in one round trip (the page, the record of its last check, the clock and the next
scheduled time in one MGET: the tags are read only when the clock moved since that check),
and stores what ``@public_page`` views render with every header the other middleware add.
With Redis, each process also keeps checked copies of hot pages and of the shared parts
(``remember``), used without any round trip while no bump happened (``page_cache_local``).

Readers get ``Cache-Control: public`` with ``max-age``/``s-maxage``/``stale-while-revalidate``,
an ``ETag`` and ``Last-Modified`` (conditional requests answer 304), and a ``Surrogate-Key``
header with the page's tags for a CDN that purges by key. A logged-in user (the newsroom's
staff) always gets a fresh page marked ``private, no-store``; their request neither reads nor
writes the cache, so their session cookie never changes what anyone else gets.
"""

import contextlib
import contextvars
import functools
import hashlib
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from . import page_cache_local

logger = logging.getLogger(__name__)

# Part of every key: changed whenever what is stored changes shape, so a deploy never reads
# entries an older release wrote (they expire on their own).
PREFIX = "pages:3"
CLOCK_KEY = f"{PREFIX}:clock"
NEXT_PUBLISH_KEY = f"{PREFIX}:next-publish"
PUBLISH_LOCK_KEY = f"{PREFIX}:publishing"
NO_SCHEDULED_STORY = 0.0  # stored when nothing is scheduled (the key itself says "known")

_collected: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar(
    "page_cache_tags", default=None
)


def cache():
    return caches[settings.PAGE_CACHE_ALIAS]


# What a page shows ----------------------------------------------------------------------


def depends_on(*tags: str) -> None:
    """Record that the page being rendered shows ``tags`` (no-op outside ``@public_page``)."""
    collected = _collected.get()
    if collected is not None:
        collected.update(tags)


def story_tags(stories, *, bylines: bool = False, tags: bool = False) -> list[str]:
    """The tags of story cards and pages: the story, its section and its lead image; with
    ``bylines`` or ``tags``, its authors and tags as well (from prefetched rows)."""
    found = []
    for story in stories:
        if story is None:
            continue
        found.append(f"story:{story.pk}")
        if story.section_id:
            found.append(f"section:{story.section_id}")
        if story.lead_image_id:
            found.append(f"image:{story.lead_image_id}")
        if bylines:
            found.extend(f"author:{entry.author_id}" for entry in story.bylines.all())
        if tags:
            found.extend(f"tag:{tag.pk}" for tag in story.tags.all())
    return found


def show_stories(stories, **kwargs) -> None:
    depends_on(*story_tags(stories, **kwargs))


# The clock and the tags --------------------------------------------------------------------


def _clock_base() -> int:
    # A new clock starts at the time in milliseconds, above any value an evicted clock reached.
    return int(time.time() * 1000)


def bump(tags) -> int:
    """Mark every page showing one of ``tags`` stale, everywhere the cache is shared."""
    store = cache()
    store.add(CLOCK_KEY, _clock_base(), timeout=None)
    try:
        now = store.incr(CLOCK_KEY)
    except ValueError:  # evicted between add and incr
        store.add(CLOCK_KEY, _clock_base(), timeout=None)
        now = store.incr(CLOCK_KEY)
    store.set_many(dict.fromkeys(tags, now), timeout=None)
    # A story saved may have been scheduled: the next publication time is read again.
    store.delete(NEXT_PUBLISH_KEY)
    # Last, so that a process told of the bump finds it done: every process drops its own
    # copies of pages (page_cache_local).
    page_cache_local.announce(settings.PAGE_CACHE_ALIAS, store, PREFIX)
    return now


def _next_publish(store, known) -> float:
    """When the next scheduled story goes live (epoch seconds), or NO_SCHEDULED_STORY."""
    if known is not None:
        return known
    from .models import Article

    upcoming = (
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    value = upcoming.timestamp() if upcoming else NO_SCHEDULED_STORY
    store.set(NEXT_PUBLISH_KEY, value, timeout=settings.PAGE_CACHE_SCHEDULE_CHECK_SECONDS)
    return value


def _publish_due(store, due: float) -> None:
    """Scheduled stories reached their time: one request (holding a short lock) invalidates
    the lists they join; until it is done, pages stored before ``due`` count as stale."""
    if not store.add(PUBLISH_LOCK_KEY, True, timeout=30):
        return
    try:
        from .invalidation import stories_went_live

        stories_went_live(since=due)
        store.delete(NEXT_PUBLISH_KEY)
    finally:
        store.delete(PUBLISH_LOCK_KEY)


def _current_clock(store, known: int | None) -> int:
    """The clock as a render starts (``known`` when a lookup already read it)."""
    if known is not None:
        return known
    store.add(CLOCK_KEY, _clock_base(), timeout=None)
    return store.get(CLOCK_KEY)


def _still_fresh(store, start, tags, clock, checked, checked_key: str, timeout: int) -> bool:
    """Whether something stored at clock ``start`` with ``tags`` is fresh: at once when its
    last check (``checked``) was at the current ``clock``, else by reading its tags (and the
    check is then recorded at ``clock``)."""
    if clock is not None and checked == (start, clock):
        return True
    versions = store.get_many(tags)
    if not all(versions.get(tag) is not None and versions[tag] <= start for tag in tags):
        return False
    if clock is not None:
        store.set(checked_key, (start, clock), timeout=timeout)
    return True


def _write_missing_tags(store, tags, start: int) -> None:
    """A tag never bumped (or evicted) is written at the render's clock: things stored before
    it count as stale, this one and later ones as fresh."""
    present = store.get_many(tags)
    for tag in tags:
        if tag not in present:
            store.add(tag, start, timeout=None)


@contextlib.contextmanager
def _collecting(tags: set[str]):
    """Record the tags ``depends_on`` names meanwhile into ``tags``."""
    token = _collected.set(tags)
    try:
        yield tags
    finally:
        _collected.reset(token)


# Shared pieces of pages ------------------------------------------------------------------


def remember(name: str, compute, timeout: int, *, keep=lambda value: True):
    """``compute()``, kept in the cache under ``name`` with the tags it recorded and judged
    fresh exactly as a page is: for the pieces many pages share (the navigation, the "Latest
    Stories" list), so even a page rendered afresh reads them without a query. The tags are
    passed on to the page being rendered. A value for which ``keep(value)`` is false (say,
    "no such story") is returned without being kept."""
    store = cache()
    key = f"{PREFIX}:value:{name}"
    now = time.time()
    copies = page_cache_local.for_cache(settings.PAGE_CACHE_ALIAS, store, PREFIX)
    epoch = copies.epoch if copies else 0
    local = copies.get(key, now) if copies else None
    if local is not None:  # this process's copy, while no bump happened since its check
        value, tags = local
        depends_on(*tags)
        return value
    checked_key = f"{key}:checked"
    found = _get_many(store, [key, checked_key, CLOCK_KEY])
    held, clock = found.get(key), found.get(CLOCK_KEY)
    if held is not None:
        value, start, tags, expires = held
        checked = found.get(checked_key)
        if _still_fresh(store, start, tags, clock, checked, checked_key, timeout):
            if copies is not None:
                copies.keep(key, (value, tags), epoch, expires)
            depends_on(*tags)
            return value
    start = _current_clock(store, clock)
    with _collecting(set()) as collected:
        value = compute()
    if not keep(value):
        return value
    tags = tuple(sorted(collected))
    _write_missing_tags(store, tags, start)
    expires = now + timeout  # a process's copy never outlives the shared one
    held = (value, start, tags, expires)
    store.set_many({key: held, checked_key: (start, start)}, timeout=timeout)
    if copies is not None:
        copies.keep(key, (value, tags), epoch, expires)
    depends_on(*tags)
    return value


# The cached page ----------------------------------------------------------------------


@dataclass
class Entry:
    content: bytes
    headers: dict[str, str]  # as the reader got them, every middleware's included
    etag: str
    stored_at: float  # epoch seconds
    start: int  # the clock when the render began
    tags: tuple[str, ...]
    max_age: int  # seconds the app keeps it

    def response(self) -> HttpResponse:
        response = HttpResponse(self.content)
        for name, value in self.headers.items():
            response[name] = value
        return response


# Headers set for each answer, not stored with the page.
PER_ANSWER_HEADERS = {"cache-control", "surrogate-key", "x-page-cache", "set-cookie", "date"}


def page_key(request: HttpRequest) -> str:
    """One key per scheme, host, path and the query parameters pages read (``PAGE_CACHE_PARAMS``;
    others, such as utm_* campaign tags, do not split the cache)."""
    query = "&".join(
        f"{name}={value}"
        for name in settings.PAGE_CACHE_PARAMS
        for value in request.GET.getlist(name)[:1]  # views read the first value
    )
    raw = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    return f"{PREFIX}:page:{hashlib.sha256(raw.encode()).hexdigest()}"


def is_staff_request(request: HttpRequest) -> bool:
    """A logged-in user. Decided without touching the session unless a session cookie came,
    so an anonymous request never makes the response vary on Cookie."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    return request.user.is_authenticated


def _public_headers(response: HttpResponse, tags, now: float, next_publish: float) -> None:
    cdn_seconds = settings.PAGE_CDN_SECONDS
    if next_publish and next_publish > now:
        cdn_seconds = max(0, min(cdn_seconds, int(next_publish - now)))
    browser_seconds = min(settings.PAGE_BROWSER_SECONDS, cdn_seconds)
    response["Cache-Control"] = (
        f"public, max-age={browser_seconds}, s-maxage={cdn_seconds}, "
        f"stale-while-revalidate={settings.PAGE_STALE_SECONDS}"
    )
    if tags:
        response["Surrogate-Key"] = " ".join(sorted(tags))


def _get_many(store, keys: list[str]) -> dict:
    """``store.get_many(keys)``, by the quicker path of ``newsroom.cache.RedisCache`` when
    the cache is Redis (the keys here are this module's own, safe for any backend)."""
    quick = getattr(store, "get_many_unchecked", None)
    return quick(keys) if quick else store.get_many(keys)


@dataclass
class Lookup:
    """One request's look at the cache: what the page cache found, read in one round trip."""

    key: str
    now: float
    next_publish: float
    start: int | None  # the clock, for a render that follows
    response: HttpResponse | None = None  # the cached page, when fresh
    copies: page_cache_local.LocalCopies | None = None  # this process's copies, if kept
    epoch: int = 0  # their epoch when the lookup began


def lookup(request: HttpRequest) -> Lookup:
    """The cached page for ``request`` if it is fresh. This process's own copy, while no bump
    happened since it was checked, costs no round trip. Otherwise one round trip reads the
    page, the record of its last check, the clock and the next scheduled time; when nothing
    was bumped since the page was last checked, that is all. Else its tags are read (a second
    round trip) and, if none moved, the check is recorded at the current clock."""
    store = cache()
    key = page_key(request)
    now = time.time()
    copies = page_cache_local.for_cache(settings.PAGE_CACHE_ALIAS, store, PREFIX)
    epoch = copies.epoch if copies else 0
    if copies is not None and settings.PAGE_CACHE_SECONDS > 0:
        # This process's own copy, while no bump happened since it was checked: no round trip.
        entry, next_publish = copies.get(key, now), copies.known_next_publish()
        if entry is not None and next_publish is not None:
            due = next_publish and next_publish <= now
            if not due:
                return Lookup(
                    key=key,
                    now=now,
                    next_publish=next_publish,
                    start=None,
                    response=_answer(request, entry, now, next_publish, "hit-local"),
                )
    elif copies is not None:
        # The app keeps no pages: only the next scheduled time is needed, known here too.
        next_publish = copies.known_next_publish()
        if next_publish is not None and not (next_publish and next_publish <= now):
            return Lookup(key=key, now=now, next_publish=next_publish, start=None)
    checked_key = f"{key}:checked"
    if settings.PAGE_CACHE_SECONDS > 0:
        found = _get_many(store, [key, checked_key, CLOCK_KEY, NEXT_PUBLISH_KEY])
    else:
        found = _get_many(store, [NEXT_PUBLISH_KEY])
    next_publish = _next_publish(store, found.get(NEXT_PUBLISH_KEY))
    if next_publish and next_publish <= now:
        _publish_due(store, next_publish)
    elif copies is not None:
        copies.remember_next_publish(next_publish, epoch)
    clock = found.get(CLOCK_KEY)
    result = Lookup(
        key=key, now=now, next_publish=next_publish, start=clock, copies=copies, epoch=epoch
    )
    entry = found.get(key)
    if entry is None or now - entry.stored_at >= entry.max_age:
        return result
    if next_publish and entry.stored_at < next_publish <= now:
        return result
    checked = found.get(checked_key)
    if not _still_fresh(store, entry.start, entry.tags, clock, checked, checked_key, entry.max_age):
        return result
    if copies is not None:
        copies.keep(key, entry, epoch, entry.stored_at + entry.max_age)
    result.response = _answer(request, entry, now, next_publish)
    return result


def _answer(request, entry: Entry, now: float, next_publish: float, label: str = "hit"):
    response = entry.response()
    response["X-Page-Cache"] = label
    _public_headers(response, entry.tags, now, next_publish)
    return _conditional(request, response, entry)


def is_public_page(request: HttpRequest) -> bool:
    """Whether the address is served by a ``@public_page`` view (others never touch the
    cache here)."""
    return _routes_to_public_page(request.path_info, getattr(request, "urlconf", None))


@functools.lru_cache(maxsize=10_000)
def _routes_to_public_page(path: str, urlconf) -> bool:
    # The URLconf is fixed while the process runs: remembered per path, as routing is the
    # costliest step of answering a cached page after the round trip to the cache.
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return False
    return getattr(match.func, "page_cache", False)


class PageCacheMiddleware:
    """The page cache's front door, first in ``MIDDLEWARE``: an anonymous reader's request
    for a fresh cached page is answered here, before any other middleware or the URL routing
    run. A page rendered by a ``@public_page`` view is stored here on its way out, with every
    header the other middleware added (the security headers and the Content-Security-Policy,
    the same for every reader of a public page). A request carrying a session cookie goes on
    to the view, whose ``@public_page`` tells staff from readers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and settings.PAGE_CACHE_SECONDS > 0
            # Plain HTTP that SecurityMiddleware sends to HTTPS is left to it.
            and (request.is_secure() or not settings.SECURE_SSL_REDIRECT)
            and is_public_page(request)
        ):
            found = lookup(request)
            if found.response is not None:
                return found.response
            request._page_cache_lookup = found
        response = self.get_response(request)
        entry = getattr(response, "_page_cache_entry", None)
        if entry is None:
            return response
        if not response.cookies and "cookie" not in response.get("Vary", "").lower():
            entry.headers = {
                name: value
                for name, value in response.items()
                if name.lower() not in PER_ANSWER_HEADERS
            }
            found = request._page_cache_lookup
            _store(found.key, entry)
            if found.copies is not None:
                expires = entry.stored_at + entry.max_age
                found.copies.keep(found.key, entry, found.epoch, expires)
        return _conditional(request, response, entry)


def _store(key: str, entry: Entry) -> None:
    store = cache()
    _write_missing_tags(store, entry.tags, entry.start)
    # The page and the record of its check (at its own start) in one write.
    store.set_many({key: entry, f"{key}:checked": (entry.start, entry.start)}, entry.max_age)


def public_page(view):
    """Serve ``view`` to anonymous readers from the page cache (see the module docstring).
    ``PageCacheMiddleware`` answers with the cached copy before the view is even found, and
    stores what this renders; staff get a fresh, private copy."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        if is_staff_request(request):
            response = view(request, *args, **kwargs)
            response["Cache-Control"] = "private, no-store"
            return response

        found = getattr(request, "_page_cache_lookup", None)
        if found is None:  # a request with a session cookie, of an anonymous reader
            found = request._page_cache_lookup = lookup(request)
            if found.response is not None:
                return found.response
        enabled = settings.PAGE_CACHE_SECONDS > 0
        start = _current_clock(cache(), found.start) if enabled else None
        with _collecting({"nav"}) as collected:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()

        if response.status_code != 200 or response.streaming or response.cookies:
            return response
        now, next_publish = found.now, found.next_publish
        _public_headers(response, collected, now, next_publish)
        if not enabled or start is None:
            response["X-Page-Cache"] = "off"
            return response
        max_age = settings.PAGE_CACHE_SECONDS
        if "list:popular" in collected:  # the ranking is recomputed this often
            max_age = min(max_age, settings.POPULAR_CACHE_SECONDS)
        etag = f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"'
        response["ETag"] = etag
        response["Last-Modified"] = http_date(now)
        response["X-Page-Cache"] = "miss"
        # Stored by the middleware, once every header is on the response.
        response._page_cache_entry = Entry(
            content=response.content,
            headers={},
            etag=etag,
            stored_at=now,
            start=start,
            tags=tuple(sorted(collected)),
            max_age=max_age,
        )
        return response

    wrapped.page_cache = True
    return wrapped


def _conditional(request, response, entry: Entry):
    """304 Not Modified when the reader's copy (ETag or date) is the current one."""
    return get_conditional_response(
        request, etag=entry.etag, last_modified=int(entry.stored_at), response=response
    )
