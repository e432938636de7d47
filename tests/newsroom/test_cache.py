"""newsroom.cache.RedisCache: Django's cache API on redis-py, failing open behind a circuit
breaker, against a Redis of the tests' own that is stopped and hung on purpose."""

import time

import pytest
from django.core.cache import caches

from tests.helpers import redis_cache, wait_until_available


@pytest.fixture
def cache(redis_server, settings):
    settings.CACHES = {"default": redis_cache(redis_server.url, timeout=0.05, retry_after=0.3)}
    found = caches["default"]
    wait_until_available(found)
    yield found
    if not redis_server.pidfile.exists():
        redis_server.start()
    redis_server.wake()
    wait_until_available(found)


def test_the_cache_api(cache):
    assert cache.get("missing", "default") == "default"
    cache.set("number", 41)
    assert cache.incr("number") == 42
    assert cache.client.get(cache.make_key("number")) == b"42"  # a plain Redis integer
    cache.set("value", {"a": [1, 2]}, timeout=60)
    assert cache.get("value") == {"a": [1, 2]}
    assert cache.add("value", "other") is False
    assert cache.add("new", True) is True
    assert cache.get("new") is True  # True is not the integer 1
    assert cache.get_many(["value", "new", "nothing"]) == {"value": {"a": [1, 2]}, "new": True}
    cache.set_many({"x": 1, "y": "two"}, timeout=60)
    assert cache.get_many(["x", "y"]) == {"x": 1, "y": "two"}
    assert cache.has_key("x")
    assert cache.delete("x") is True
    cache.delete_many(["y"])
    assert cache.get_many(["x", "y"]) == {}
    with pytest.raises(ValueError, match="not found"):
        cache.incr("missing")
    assert cache.get("missing") is None  # the failed incr left nothing behind
    cache.set("gone", 1, timeout=0)
    assert cache.get("gone") is None
    assert cache.touch("value", 30) is True


def test_clear_deletes_this_caches_keys_only(cache):
    cache.set("mine", 1)
    cache.client.set("someone-elses-key", "kept")
    try:
        assert cache.clear() is True
        assert cache.get("mine") is None
        assert cache.client.get("someone-elses-key") == b"kept"
    finally:
        cache.client.delete("someone-elses-key")


def test_a_stopped_redis_is_an_empty_cache_and_costs_nothing_after_the_first_failure(
    cache, redis_server
):
    cache.set("kept", "value")
    outages = cache.outages
    redis_server.stop()
    assert cache.get("kept", "miss") == "miss"  # refused at once: the breaker opens
    assert not cache.available
    assert cache.outages == outages + 1
    started = time.monotonic()
    for _ in range(200):
        assert cache.get("kept") is None
        cache.set("kept", "new")
        assert cache.add("lock", True) is True  # as Django's dummy cache says
        with pytest.raises(ValueError, match="not found"):
            cache.incr("counter")
        assert cache.get_many(["a", "b"]) == {}
    assert time.monotonic() - started < 0.5  # nothing was sent, nothing waited
    redis_server.start()
    wait_until_available(cache)
    assert cache.outages == outages + 1  # one outage, however many calls
    cache.set("back", 1)
    assert cache.get("back") == 1


def test_a_hung_redis_costs_one_timeout_then_nothing(cache, redis_server):
    cache.set("kept", "value")
    redis_server.hang()
    started = time.monotonic()
    assert cache.get("kept") is None
    first = time.monotonic() - started
    assert first < 0.5  # the socket timeout (0.05 s), once
    started = time.monotonic()
    for _ in range(200):
        assert cache.get("kept") is None
    assert time.monotonic() - started < 0.3  # the breaker is open: nothing waits
    redis_server.wake()
    wait_until_available(cache)
    assert cache.get("kept") == "value"  # the data were there all along
