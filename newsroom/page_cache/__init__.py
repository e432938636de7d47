"""The page cache (design told here; the README says what an operator needs). DRAFT."""

from .invalidation import invalidate
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
    "on_purge",
    "on_schedule",
    "public_page",
    "remember",
    "watch",
]
