import os

import pytest
from django.core.cache import caches


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
    """No test sees pages, rankings or rate limits cached by another."""
    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Playwright drives Debian's Chromium; it never downloads a browser of its own."""
    require_tool(CHROMIUM, "apt-get install chromium")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def require_tool(path, install: str) -> None:
    """Skip a test whose tool is missing; with REQUIRE_TOOLS=1 (as in CI) fail instead."""
    if os.path.exists(path):
        return
    message = f"{path} is missing ({install})"
    if os.environ.get("REQUIRE_TOOLS") == "1":
        pytest.fail(f"REQUIRE_TOOLS=1 but {message}")
    pytest.skip(message)


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """The live server, stopped before the test database is dropped (its thread holds a
    connection that would keep PostgreSQL from dropping the database)."""
    return live_server
