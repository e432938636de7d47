"""/healthz and /readyz: what a load balancer sees, including real failures of the database
and of the cache (a Redis port where nothing listens, a database that cannot be opened)."""

import contextlib
import socket

import pytest
from django.db import connections
from django.db.utils import load_backend
from django.test import override_settings

from tests.helpers import refused_port

pytestmark = pytest.mark.django_db

REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"


@pytest.fixture
def refused():
    with refused_port() as port:
        yield port


def redis_answers(port: int = 6379) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


@contextlib.contextmanager
def unreachable_database(tmp_path):
    """The default database alias, for the duration, pointing at a database that cannot be
    opened: a PostgreSQL port where nothing listens, or an SQLite file in a missing folder."""
    real = connections["default"]
    settings_dict = dict(real.settings_dict)
    with refused_port() as port:
        if real.vendor == "sqlite":
            settings_dict["NAME"] = str(tmp_path / "missing-folder" / "db.sqlite3")
        else:
            settings_dict.update(HOST="127.0.0.1", PORT=str(port))
        broken = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "default")
        connections["default"] = broken
        try:
            yield
        finally:
            broken.close()
            connections["default"] = real


def test_healthz_answers_ok_and_is_never_cached(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "no-store" in response["Cache-Control"]


def test_healthz_touches_neither_database_nor_cache(client, tmp_path):
    with (
        refused_port() as port,
        unreachable_database(tmp_path),
        override_settings(
            CACHES={"default": {"BACKEND": REDIS_CACHE, "LOCATION": f"redis://127.0.0.1:{port}"}}
        ),
    ):
        assert client.get("/healthz").status_code == 200


def test_readyz_names_each_check_when_all_pass(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_readyz_with_a_real_redis(client):
    if not redis_answers():
        pytest.skip("no Redis on 127.0.0.1:6379")
    redis = {"BACKEND": REDIS_CACHE, "LOCATION": "redis://127.0.0.1:6379/0"}
    with override_settings(CACHES={"default": {**redis, "KEY_PREFIX": "newsroom-tests"}}):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}


def test_readyz_is_503_naming_the_cache_when_redis_is_down(client, refused):
    down = {
        "BACKEND": REDIS_CACHE,
        "LOCATION": f"redis://127.0.0.1:{refused}/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    with override_settings(CACHES={"default": down}):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "failed"}
    assert "no-store" in response["Cache-Control"]


def test_readyz_is_503_naming_the_database_when_it_is_down(client, tmp_path):
    with unreachable_database(tmp_path):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"database": "failed", "cache": "ok"}


def test_probes_skip_the_https_redirect_and_the_host_check(client, settings):
    """A balancer probes over plain HTTP with the server's address as Host: the probes answer,
    while any other page is redirected to HTTPS or refused for its host."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["news.example.com"]

    for path in ("/healthz", "/readyz"):
        response = client.get(path, HTTP_HOST="10.0.3.7:8000")
        assert response.status_code == 200, path

    assert client.get("/", HTTP_HOST="10.0.3.7:8000").status_code == 400
    response = client.get("/", HTTP_HOST="news.example.com")
    assert response.status_code == 301
    assert response["Location"] == "https://news.example.com/"


def test_probes_only_answer_get_and_head(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405
