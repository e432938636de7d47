"""The breaking-news banner over every public page.

The banner shown is the newest one whose time has come and whose end time has not; it is
read once and kept by the page cache (``remember``) with the tag ``banner``, which saving or
deleting any banner invalidates, so a page rendered anew for any reason costs no query for it,
and every cached page shows a new banner within a second of its saving. What is kept also
says when it changes by itself (the shown banner's end, or the start of one still to come):
no page, part or CDN copy showing it is kept past that moment (``changes_within``), so the
banner disappears by itself at its end time, with no task to run.
"""

from django.utils import timezone

from newsroom.page_cache import changes_within, depends_on, remember

from .models import Banner

# How many banners still to come are looked at for the next change (a desk rarely has more).
LOOKAHEAD = 20


def _read() -> Banner | None:
    depends_on("banner")
    now = timezone.now()
    upcoming = list(
        Banner.objects.filter(ends_at__gt=now).order_by("-starts_at", "-pk")[:LOOKAHEAD]
    )
    shown = next((banner for banner in upcoming if banner.starts_at <= now), None)
    changes = [b.starts_at for b in upcoming if b.starts_at > now]
    if shown is not None:
        changes.append(shown.ends_at)
    if changes:
        changes_within(max(0.0, (min(changes) - now).total_seconds()))
    return shown


def current() -> Banner | None:
    """The banner readers see now, or None."""
    return remember("banner", _read)
