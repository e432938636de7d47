from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.core.management import call_command

from tests.factories import make_story, reset_ages
from tests.helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    RedisServer,
    redis_cache,
    redis_server_available,
    require,
    require_tool,
    wait_until_available,
)


@pytest.fixture(autouse=True)
def _test_storage(settings, tmp_path):
    """Each test writes uploads to its own folder, and static files are served unhashed
    (the hashed manifest exists only after collectstatic, which production runs)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # WhiteNoise serves them from the apps' static folders, as in development.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(autouse=True)
def _empty_caches():
    """No test sees pages, rankings or rate limits cached by another, nor content types this
    process remembers from rows a transactional test's flush (or a rollback) took away."""
    ContentType.objects.clear_cache()
    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def _story_ages():
    """Each test's stories start at an hour old, whatever ran before it (tests.factories)."""
    reset_ages()


@pytest.fixture
def story():
    """The model story, every part of the page filled in (tests.factories.make_story)."""
    return make_story()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, live_server):
    """Playwright drives Debian's Chromium; it never downloads a browser of its own.

    Asking for the live server here starts it before the browser, so the browser closes first:
    its keep-alive connections end while the server still shares the in-memory SQLite
    connection with its request threads, not after (which raised in every such thread)."""
    require_tool(CHROMIUM, "apt-get install chromium")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """The live server, stopped before the test database is dropped (its thread holds a
    connection that would keep PostgreSQL from dropping the database)."""
    return live_server


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """A Redis of the tests' own on a free port (tests may stop or hang it), never the
    shared one on 6379."""
    require(redis_server_available(), "redis-server is missing (apt-get install redis-server)")
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_settings(redis_server, settings):
    """The default cache in the tests' own Redis (a key prefix per test), as REDIS_URL
    configures it. Whatever a test did to the server, it answers again afterwards."""
    settings.CACHES = {"default": redis_cache(redis_server.url)}
    yield redis_server
    if not redis_server.pidfile.exists():
        redis_server.start()
    redis_server.wake()
    wait_until_available(caches["default"])


@pytest.fixture(params=["locmem", "redis"])
def any_cache(request, settings):
    """Each test twice: with the cache in local memory, and in the tests' own Redis."""
    if request.param == "redis":
        request.getfixturevalue("redis_settings")
    else:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return request.param


@pytest.fixture
def demo_site(live_server):
    """The demo stories (articles/demo) on the live server: its address."""
    stories = Path(__file__).resolve().parent.parent / "articles" / "demo" / "stories"
    call_command("import_articles", str(stories), verbosity=0)
    return live_server.url
