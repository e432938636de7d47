"""What a response shows: the tags recorded while a page (or a part of one) renders.

Three ways a tag is recorded, innermost part first and every enclosing part and page too:

- ``watch(Model, "story")``, once, in an app's ``ready()``: every instance of the model that
  comes into being while a page renders (loaded from the database, in a list, a prefetch or a
  related object) records ``story:<pk>``. Saving or deleting one invalidates that tag.
- ``depends_on("list:latest")``: for what is not an object, such as a list a story joins by
  being published. Apps put it where the list's query is built, not in each view.
- A value kept by ``parts.remember`` brings back the tags it recorded when it was computed,
  and a part given such a value (``{% part "x.html" story %}``) carries them too.

``changes_within(seconds)`` is for what changes with no write at all (a ranking recomputed on
a timer): nothing showing it is kept longer.
"""

import contextlib
import contextvars
import time

from django.db.models.signals import post_delete, post_init, post_save

from .invalidation import invalidate


class Collector:
    """The tags of one render (a page or a part), and the tags of the kept values it used."""

    __slots__ = ("covered", "parent", "tags", "until", "values")

    def __init__(self, parent: "Collector | None", *, covered: bool = False):
        self.parent = parent
        self.tags: set[str] = set()
        self.until: float | None = None  # epoch seconds: it changes by itself by then
        # Inside covered_by(): watched objects record nothing (a listed tag stands for them).
        self.covered = covered or (parent is not None and parent.covered)
        # id(value) -> (value, tags): what a kept value recorded, for a part handed it.
        self.values: dict[int, tuple[object, tuple[str, ...]]] = parent.values if parent else {}

    def add(self, tags) -> None:
        collector = self
        while collector is not None:
            collector.tags.update(tags)
            collector = collector.parent

    def changes_by(self, until: float | None) -> None:
        collector = self
        while until is not None and collector is not None:
            collector.until = until if collector.until is None else min(collector.until, until)
            collector = collector.parent


_current: contextvars.ContextVar[Collector | None] = contextvars.ContextVar(
    "page_cache_collector", default=None
)


def depends_on(*tags: str) -> None:
    """Record that what is being rendered shows ``tags`` (nothing outside a render)."""
    collector = _current.get()
    if collector is not None:
        collector.add(tags)


def changes_within(seconds: float) -> None:
    """What is being rendered changes by itself within ``seconds`` (a ranking recomputed on
    a timer, not by a write): no page or part showing it is kept longer, here or on a CDN."""
    collector = _current.get()
    if collector is not None:
        collector.changes_by(time.time() + seconds)


@contextlib.contextmanager
def collecting(*, covered: bool = False):
    """Record the tags named meanwhile into a new collector (and into the enclosing ones)."""
    collector = Collector(_current.get(), covered=covered)
    token = _current.set(collector)
    try:
        yield collector
    finally:
        _current.reset(token)


@contextlib.contextmanager
def covered_by(*tags: str):
    """For a page that lists every object of a kind (a sitemap of every story): record
    ``tags`` instead of each watched object shown meanwhile. The app promises that a change
    to any of those objects invalidates one of ``tags``."""
    with collecting(covered=True):
        depends_on(*tags)
        yield


def kept(value, tags, until: float | None = None) -> None:
    """A value came from (or went into) the cache with ``tags`` (and changes by itself by
    ``until``): record them, and remember the tags for any part the value is handed to."""
    collector = _current.get()
    if collector is not None:
        collector.add(tags)
        collector.changes_by(until)
        collector.values[id(value)] = (value, tuple(tags))


def tags_of(value) -> tuple[str, ...] | None:
    """The tags a value handed to a part brings: none for a plain key (a string, a number),
    those it was kept with for a value from ``remember``, and None (unknown) for anything
    else: what an object loaded outside the part shows (its section, its authors) was not
    recorded for the part, so such a part cannot be kept."""
    if value is None or isinstance(value, str | int | float):
        return ()
    collector = _current.get()
    if collector is not None and id(value) in collector.values:
        return collector.values[id(value)][1]
    return None


# Watched models ---------------------------------------------------------------------------

_watched: dict[type, str] = {}


def watch(model, prefix: str) -> None:
    """Record ``<prefix>:<pk>`` for every instance of ``model`` made while a page renders,
    and invalidate it whenever one is saved or deleted."""
    _watched[model] = prefix
    uid = f"page_cache_watch_{model._meta.label_lower}"
    post_init.connect(_loaded, sender=model, dispatch_uid=uid, weak=False)
    post_save.connect(_changed, sender=model, dispatch_uid=uid, weak=False)
    post_delete.connect(_changed, sender=model, dispatch_uid=uid, weak=False)


def _loaded(sender, instance, **kwargs) -> None:
    collector = _current.get()
    if collector is not None and not collector.covered and instance.pk is not None:
        collector.add((f"{_watched[sender]}:{instance.pk}",))


def _changed(sender, instance, raw=False, **kwargs) -> None:
    if raw:  # loaddata: nothing a reader has seen changed meaning
        return
    invalidate(f"{_watched[sender]}:{instance.pk}")
