"""Work that a bulk write (an import: thousands of saves) does once at its end instead of once
per row: the page cache's one "everything stale" bump, the one related-stories pass."""

import contextlib
import contextvars
from collections.abc import Callable


class Deferral:
    """``with deferral.during():`` collects; ``deferral.defer()`` inside says the end's work is
    wanted (and that the caller should skip its own); ``at_end`` runs once when the outermost
    block is left, committed or not, if anything was deferred."""

    def __init__(self, name: str, at_end: Callable[[], object]):
        self._wanted: contextvars.ContextVar[list | None] = contextvars.ContextVar(
            name, default=None
        )
        self._at_end = at_end

    @contextlib.contextmanager
    def during(self):
        if self._wanted.get() is not None:  # nested: the outermost block runs the work
            yield
            return
        wanted: list = []
        token = self._wanted.set(wanted)
        try:
            yield
        finally:
            self._wanted.reset(token)
            if wanted:
                self._at_end()

    @property
    def active(self) -> bool:
        return self._wanted.get() is not None

    def defer(self) -> bool:
        """Inside ``during()``: note that the end's work is wanted and answer True; outside,
        False (the caller does its own work)."""
        wanted = self._wanted.get()
        if wanted is None:
            return False
        if not wanted:
            wanted.append(True)
        return True
