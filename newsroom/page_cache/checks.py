"""System checks for the page cache (``manage.py check``; the first with ``--deploy``)."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

MIDDLEWARE = "newsroom.page_cache.middleware.PageCacheMiddleware"


@register(Tags.caches, deploy=True)
def page_cache_is_shared(app_configs, **kwargs):
    """A page cache in local memory is one per process: an edit handled by one process leaves
    the other processes' copies fresh until they expire. Other shared caches work, but only
    newsroom.cache.RedisCache bumps tags atomically and fails open."""
    backend = settings.CACHES.get(settings.PAGE_CACHE_ALIAS, {}).get("BACKEND", "")
    if (
        settings.PAGE_CACHE_SECONDS <= 0
        or backend == "newsroom.cache.RedisCache"
        or backend.endswith("DummyCache")  # nothing is kept, so nothing goes stale
    ):
        return []
    if backend.endswith("LocMemCache"):
        message = (
            "The page cache is in local memory, one copy per process: an edit invalidates "
            "only the pages cached by the process that saved it."
        )
    else:
        message = (
            f"The page cache is in {backend}: its invalidations are not atomic across "
            "processes, and it does not fail open when the cache fails."
        )
    return [
        Warning(
            message,
            hint="Set REDIS_URL so every process and server shares one Redis (through "
            "newsroom.cache.RedisCache), or PAGE_CACHE_SECONDS=0 to turn the page cache off.",
            id="page_cache.W001",
        )
    ]


@register(Tags.compatibility)
def middleware_comes_first(app_configs, **kwargs):
    """Pages are stored by the middleware, with the headers the middleware after it adds."""
    middleware = list(settings.MIDDLEWARE)
    if MIDDLEWARE not in middleware:
        return [
            Error(
                "@public_page views need the page cache's middleware.",
                hint=f"Add {MIDDLEWARE!r} to MIDDLEWARE, before SecurityMiddleware.",
                id="page_cache.E001",
            )
        ]
    security = "django.middleware.security.SecurityMiddleware"
    if security in middleware and middleware.index(MIDDLEWARE) > middleware.index(security):
        return [
            Error(
                "The page cache's middleware comes after SecurityMiddleware: stored pages "
                "would lack the security headers it adds.",
                hint=f"Put {MIDDLEWARE!r} before SecurityMiddleware.",
                id="page_cache.E002",
            )
        ]
    return []
