"""Each process's copies (``newsroom.page_cache.local``): exact without anyone waiting, on two
"servers" (two cache clients, each with its copies) sharing the tests' own Redis."""

import pytest
from django.core.cache import caches

from newsroom import page_cache
from newsroom.page_cache.local import Copy, LocalCopies
from tests.helpers import redis_cache
from tests.newsroom.page_cache import site

pytestmark = pytest.mark.django_db


def test_copies_are_kept_in_use_order_and_never_past_their_time():
    copies = LocalCopies(size=2)
    copies.keep("a", Copy("A", 1, 1, expires=100))
    copies.keep("b", Copy("B", 1, 1, expires=100))
    assert copies.get("a", now=50).item == "A"  # now the most recently used
    copies.keep("c", Copy("C", 1, 1, expires=100))
    assert copies.get("b", now=50) is None  # the least recently used made room
    assert copies.get("a", now=100) is None  # expired
    assert copies.get("c", now=99).item == "C"


@pytest.fixture
def two_servers(redis_settings, settings):
    backend = redis_cache(redis_settings.url)
    settings.CACHES = {"default": backend, "server_a": dict(backend), "server_b": dict(backend)}


def test_a_bump_through_one_server_reaches_the_others_copies_at_once(client, two_servers, settings):
    assert caches["server_a"] is not caches["server_b"]
    settings.PAGE_CACHE_ALIAS = "server_a"
    client.get("/plain/")
    assert client.get("/plain/")["X-Page-Cache"] == "hit-local"
    settings.PAGE_CACHE_ALIAS = "server_b"
    assert client.get("/plain/")["X-Page-Cache"] == "hit"
    assert client.get("/plain/")["X-Page-Cache"] == "hit-local"
    page_cache.invalidate("thing:1")  # through server B, waiting for nobody
    settings.PAGE_CACHE_ALIAS = "server_a"
    response = client.get("/plain/")
    assert response["X-Page-Cache"] == "miss"
    assert b"render 2" in response.content
    assert site.RENDERS["plain"] == 2


def test_an_unrelated_bump_costs_a_look_at_the_tags_not_a_render(client, two_servers, settings):
    settings.PAGE_CACHE_ALIAS = "server_a"
    client.get("/plain/")
    settings.PAGE_CACHE_ALIAS = "server_b"
    page_cache.invalidate("thing:2")
    settings.PAGE_CACHE_ALIAS = "server_a"
    assert client.get("/plain/")["X-Page-Cache"] == "hit-local"
    assert site.RENDERS["plain"] == 1
