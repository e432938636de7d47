"""One request's look at the page cache (``Visit``), shared by the middleware, the views'
decorator and the parts they render, through a context variable rather than the request."""

import contextlib
import contextvars
from dataclasses import dataclass, field

from .schedule import Schedule
from .store import Store


@dataclass
class Visit:
    store: Store
    now: float  # epoch seconds, when the request came
    clock: int | None = None  # the clock as the request began; None: the cache is unavailable
    schedule: Schedule = field(default_factory=lambda: Schedule(upcoming=0.0))
    looked: bool = False  # whether the page itself was looked up
    key: str = ""  # the page's key
    answer: object = None  # a cached answer (HttpResponse), when one was found
    entry: object = None  # a page rendered now, for the middleware to store on its way out
    store_entry: bool = False  # whether it may be stored
    renders_for_all: bool = False  # holds the lock to render the page anew for everyone

    @property
    def available(self) -> bool:
        return self.clock is not None


_current: contextvars.ContextVar[Visit | None] = contextvars.ContextVar(
    "page_cache_visit", default=None
)


def current() -> Visit | None:
    return _current.get()


@contextlib.contextmanager
def visiting(visit: Visit):
    token = _current.set(visit)
    try:
        yield visit
    finally:
        _current.reset(token)
