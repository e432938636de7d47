"""Telling a CDN what an invalidation made stale (``CDN_PURGE_URL``).

With ``{tag}`` in the URL template, one request per tag (for CDNs that purge by the
``Surrogate-Key`` header every page carries). With ``{path}`` (or ``{url}``), one request per
page address that apps can name for the tags (``on_purge``): a story's page, the first page of
its lists; other pages carrying the tags expire after ``PAGE_CDN_SECONDS``. Sent by a
background task after the commit; a CDN that fails is logged, and the edit stands.
"""

import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable

from django.conf import settings
from django.tasks import task

logger = logging.getLogger(__name__)

_finders: list[Callable[[set[str]], Iterable[str]]] = []


def on_purge(paths_for: Callable[[set[str]], Iterable[str]]) -> None:
    """Register ``paths_for(tags)``: the addresses of pages showing those tags."""
    if paths_for not in _finders:
        _finders.append(paths_for)


def send(tags: set[str]) -> None:
    template = settings.CDN_PURGE_URL
    if not template:
        return
    paths = set()
    if "{tag}" not in template:
        for paths_for in _finders:
            paths.update(paths_for(tags))
    purge_cdn.enqueue(sorted(tags), sorted(paths))


@task()
def purge_cdn(tags: list[str], paths: list[str]) -> int:
    """Ask the CDN to drop pages (see the module docstring); how many purges it accepted."""
    template = settings.CDN_PURGE_URL
    if "{tag}" in template:
        targets = [template.format(tag=urllib.parse.quote(tag, safe="")) for tag in tags]
    else:
        targets = [template.format(path=p, url=settings.SITE_URL + p) for p in paths]
    accepted = 0
    for target in targets:
        request = urllib.request.Request(target, method=settings.CDN_PURGE_METHOD)  # noqa: S310
        if settings.CDN_PURGE_TOKEN:
            request.add_header("Authorization", f"Bearer {settings.CDN_PURGE_TOKEN}")
        try:
            with urllib.request.urlopen(request, timeout=settings.CDN_PURGE_TIMEOUT):  # noqa: S310
                accepted += 1
        except (urllib.error.URLError, OSError) as exc:
            logger.warning("CDN purge of %s failed: %s", target, exc)
    return accepted
