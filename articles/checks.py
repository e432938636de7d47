"""System checks for the page cache (run by `manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.caches, deploy=True)
def page_cache_is_shared(app_configs, **kwargs):
    """A page cache in local memory is one per process: an edit handled by one process leaves
    the other processes' copies fresh until they expire."""
    backend = settings.CACHES.get(settings.PAGE_CACHE_ALIAS, {}).get("BACKEND", "")
    if settings.PAGE_CACHE_SECONDS > 0 and backend.endswith("LocMemCache"):
        return [
            Warning(
                "The page cache is in local memory, one copy per process: an edit invalidates "
                "only the pages cached by the process that saved it.",
                hint="Set REDIS_URL so every process and server shares one cache, or "
                "PAGE_CACHE_SECONDS=0 to turn the page cache off.",
                id="articles.W001",
            )
        ]
    return []
