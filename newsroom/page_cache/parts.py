"""Parts many pages share, kept with their own tags: values (``remember``) and rendered
templates (the ``{% part %}`` tag in ``templatetags/page_cache.py``).

A part is judged fresh exactly as a page is (its tags against the clock), and the tags it
recorded go to the page that uses it, so a page rendered anew for another reason reads its
parts back without a query. A rendered part's key holds a digest of its template's source and
of the templates that one includes, so a changed template is rendered anew, with no version
to bump by hand.
"""

import hashlib
import re
import time

from django.conf import settings
from django.template import loader

from .local import Copy
from .recording import collecting, kept
from .state import current
from .store import ALL, CLOCK, store


def _timeout(timeout: int | None) -> int:
    # Parts are kept even with the page cache off (PAGE_CACHE_SECONDS=0).
    return timeout or settings.PAGE_CACHE_SECONDS or 600


def remember(name: str, compute, timeout: int | None = None, *, keep=lambda value: True):
    """``compute()``, kept under ``name`` with the tags it recorded until one of them is
    invalidated (or ``timeout`` seconds pass). A value for which ``keep(value)`` is false
    (say, "no such story") is returned without being kept."""
    found_store = store()
    copies = found_store.local
    visit = current()
    now = time.time()
    key = f"part:{hashlib.sha256(name.encode()).hexdigest()}"
    checked_key = f"{key}:checked"
    clock = visit.clock if visit is not None else None
    copy = copies.get(key, now) if copies is not None else None
    if copy is not None and clock is not None and copy.checked == clock:
        value, tags, until = copy.item
        kept(value, tags, until)
        return value

    names = [key, checked_key] if clock is not None else [key, checked_key, CLOCK]
    found = found_store.read(names)
    if visit is None:  # outside a page's request: the clock is read here
        clock = found.get(CLOCK) or found_store.clock()
    held = found.get(key)
    if clock is not None and held is not None:
        value, start, tags, until, expires = held
        checked = found.get(checked_key)
        if expires > now and found_store.fresh(
            start, tags, clock, checked, checked_key, _timeout(timeout)
        ):
            if copies is not None:
                copies.keep(key, Copy((value, tags, until), start, clock, expires))
            kept(value, tags, until)
            return value

    start = clock  # read before the values are: an edit committed meanwhile makes this stale
    with collecting() as collector:
        value = compute()
    tags, until = (ALL, *sorted(collector.tags - {ALL})), collector.until
    kept(value, tags, until)
    if start is None or not keep(value):
        return value
    seconds = _timeout(timeout)
    expires = now + seconds if until is None else min(now + seconds, until)
    found_store.write_missing_tags(tags, start)
    record = (value, start, tags, until, expires)
    found_store.write({key: record, checked_key: (start, start)}, max(1, int(expires - now)))
    if copies is not None:
        copies.keep(key, Copy((value, tags, until), start, start, expires))
    return value


# Rendered templates -------------------------------------------------------------------------

# Templates named as literals in {% include %}, {% extends %} and {% part %}: their sources are
# part of the digest of a template that names them.
_NAMED = re.compile(r"""\{%\s*(?:include|extends|part)\s+["']([^"'#]+)""")
_sources: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {}


def template_digest(name: str, seen: frozenset = frozenset()) -> str:
    """A digest of template ``name``'s source (a partial, ``page.html#part``, counts as its
    file) and of every template it names, so that changing any of them changes it."""
    name = name.partition("#")[0]
    source = loader.get_template(name).template.source
    # What a source holds, by name and source (a string keeps its hash: the cached loader's
    # sources are hashed once); the templates it names are looked at every time.
    memo = (name, source)
    if memo not in _sources:
        named = tuple(dict.fromkeys(_NAMED.findall(source)))
        _sources[memo] = (hashlib.sha256(source.encode()).hexdigest(), named)
    own, named = _sources[memo]
    inner = [template_digest(other, seen | {name}) for other in named if other not in seen]
    return hashlib.sha256("|".join([own, *inner]).encode()).hexdigest()[:16]
