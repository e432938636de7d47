"""The page cache's system checks."""

from newsroom.page_cache import checks
from tests.helpers import redis_cache


def ids(found):
    return [message.id for message in found]


def test_a_page_cache_in_local_memory_is_reported_for_deploys(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert ids(checks.page_cache_is_shared(None)) == ["page_cache.W001"]
    settings.PAGE_CACHE_SECONDS = 0
    assert checks.page_cache_is_shared(None) == []


def test_a_shared_cache_other_than_ours_is_reported(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
    found = checks.page_cache_is_shared(None)
    assert ids(found) == ["page_cache.W001"]
    assert "not atomic" in found[0].msg


def test_our_redis_backend_is_fine(settings):
    settings.CACHES = {"default": redis_cache("redis://127.0.0.1:1/0")}
    assert checks.page_cache_is_shared(None) == []


def test_the_middleware_must_be_there_and_before_the_security_middleware(settings):
    assert checks.middleware_comes_first(None) == []
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != checks.MIDDLEWARE]
    assert ids(checks.middleware_comes_first(None)) == ["page_cache.E001"]
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, checks.MIDDLEWARE]
    assert ids(checks.middleware_comes_first(None)) == ["page_cache.E002"]
