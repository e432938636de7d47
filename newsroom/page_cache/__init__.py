"""The page cache: whole pages and the parts they share, kept for anonymous readers, renewed
exactly when what they show changes, and never in the way when the cache itself fails.

This package imports no app. Apps tell it what they show and what they change, through the
small interface below; the README says what an operator needs to know.

The interface
-------------
What a response shows:
    ``@public_page`` (or ``@public_page(reads=("q", "page"))``) on a view serves it from the
    cache to readers; only the query parameters it reads are part of its key and of its
    canonical address (``canonical_url`` in every template). While it renders, tags are
    recorded: ``watch(Model, "story")`` (once, in ``AppConfig.ready()``) records
    ``story:<pk>`` for every instance made meanwhile, from the database or a prefetch;
    ``depends_on("list:latest")`` records what is not an object, where the list's query is
    built; ``covered_by("list:all")`` stands for every object of a page that lists them all;
    ``changes_within(seconds)`` marks what changes with no write (a ranking on a timer).
    ``remember(name, compute)`` keeps a value many pages share, and the ``{% part %}`` tag
    (``{% load page_cache %}``) a rendered template, each with the tags it recorded.
What a write changed:
    ``invalidate(*tags)``; a bulk write inside ``suspended()`` makes everything stale once,
    at its end, instead (``is_suspended()`` lets receivers skip working out their tags).
    Saving or deleting a watched object invalidates its own tag; the app adds what only it
    knows (the lists a story joins or leaves).
When the next scheduled change happens:
    ``on_schedule(next_change, changes_due)``, once per source (scheduled stories, banners
    that end): the time of the next change, and the tags the changes due in a span invalidate.
For a CDN:
    ``on_purge(paths_for)`` names the addresses of pages showing some tags, for
    ``CDN_PURGE_URL`` templates with ``{path}``; every page carries its tags in
    ``Surrogate-Key`` for CDNs that purge by key (``{tag}``).

How freshness is decided
------------------------
The cache holds a counter, the *clock*. ``invalidate`` moves it and writes its new value into
every tag it names, in one step (a Lua script on Redis; a process lock in local memory). A
render reads the clock *before* it starts and stores that *start* with what it rendered: a
page or part is fresh while none of its tags is above its start. So an edit committed while a
page was being rendered from the old rows leaves that page stale as soon as it is stored; and
because ``invalidate`` bumps at once and again when the transaction commits, a page rendered
between the two is stale too. A tag missing from the cache (evicted, flushed) counts as
stale, and every page and part carries the tag ``all``, which nothing but the end of an
outage bumps.

Reading a page costs one round trip: its record, the record of its last check, the clock and
the next scheduled change, in one ``MGET``. When the clock has not moved since that check,
that is all; otherwise its tags are read, and a page still fresh is recorded as checked at the
current clock, so the next reader is spared the tags.

Each process keeps copies of hot pages and parts (``local.py``), answered while the clock
still reads what it read when the copy was last found fresh: every request reads the clock
anyway, so a bump anywhere makes every process look at its copies again, and a save never
waits for other processes to hear of it.

An edit under load: a page that went stale less than a second ago is rendered by one process
(holding a one-second lock) while the others answer with the copy they have, so an editor's
save does not make every process render the same page at once, and every reader sees the
edit within that second. How long ago a page went stale is known from the time the cache
records for each bump, counted from the last clock at which the page was found fresh.

Scheduled changes: the cache keeps the earliest next change of every source (forgotten by
every invalidation, read again at least every ``PAGE_CACHE_SCHEDULE_CHECK_SECONDS``). A page
stored before that moment is stale after it; the first request after it takes a short lock,
asks the sources what changed and invalidates that; and ``s-maxage`` never reaches past the
moment (nor past what ``changes_within`` said), so a CDN comes back in time too.

Where it sits
-------------
``PageCacheMiddleware`` comes first, after the health probes: a reader's request for a fresh
page is answered there, before sessions, CSRF, authentication or routing run, and a page is
stored on its way out with every header the other middleware added (the security headers and
a nonce-free Content-Security-Policy, the same for every reader). A request with a session
cookie goes on to the view, whose decorator tells logged-in users (a fresh page, ``private,
no-store``, nothing read or stored) from readers. Errors, redirects and answers that set a
cookie are never kept.

Answers carry ``Cache-Control: public, max-age, s-maxage, stale-while-revalidate``, an
``ETag`` and ``Last-Modified`` (conditional requests get 304), ``Surrogate-Key`` and
``X-Page-Cache`` (``hit``, ``hit-local``, ``stale``, ``miss`` or ``off``). A page is compressed
once, when it is stored, and answered compressed to clients that accept gzip, with
``Vary: Accept-Encoding`` and an ``ETag`` per encoding (the compressed one ends in ``-gzip"``).
Public pages hold no secret, so compressing them leaks nothing (the admin is never compressed
here). A page that reads a parameter once and finds it twice (``?q=a&q=b``) answers with a
redirect to its address with the first value alone, so the key and the view never disagree.

When the cache fails
--------------------
Every read and write fails open: a cache that raises or does not answer is a miss, and the
page is rendered uncached (``X-Page-Cache: off``); an invalidation that cannot be written is
lost, never the write that caused it. ``newsroom.cache.RedisCache`` puts a circuit breaker in
front of Redis, so a stopped or hung Redis costs one short timeout per process, then nothing
until it answers again. Every process that saw the cache fail bumps ``all`` when it is back,
before using it: bumps meant for the cache meanwhile may have been lost, so nothing stored
before or during the outage is served. (A process that served nothing during an outage cannot
know there was one; with any traffic every process sees it.) The clock starts at the time in
microseconds, so a clock that was lost starts above every version the old one gave.

Other shared caches than Redis through ``newsroom.cache.RedisCache`` work through Django's
cache API, but their bumps are atomic only within a process: ``manage.py check --deploy`` says
so, and says so for local memory (one cache per process) too.
"""

from .invalidation import invalidate, is_suspended, suspended
from .pages import canonical_url, public_page
from .parts import remember
from .purge import on_purge
from .recording import changes_within, covered_by, depends_on, watch
from .schedule import on_schedule

__all__ = [
    "canonical_url",
    "changes_within",
    "covered_by",
    "depends_on",
    "invalidate",
    "is_suspended",
    "on_purge",
    "on_schedule",
    "public_page",
    "remember",
    "suspended",
    "watch",
]
