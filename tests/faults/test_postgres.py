"""PostgreSQL stopped under a running site, then started again: a throwaway cluster on a
free port (never the shared 5432), gunicorn with 2 workers and the page cache in the tests'
own Redis."""

import collections
import http.client
import json
import time

import psycopg
import pytest

from tests.faults.conftest import prepare_site, production_env
from tests.helpers import PostgresServer, get, gunicorn

UNCACHED = ["/news/world-5/", "/news/world-6/", "/search/?q=harbour", "/section/world/?page=1"]


@pytest.fixture
def postgres():
    server = PostgresServer()
    server.start()
    yield server
    server.remove()


def post_beacon(port, story_id) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(
            "POST",
            "/beacon/",
            body=str(story_id),
            headers={"Content-Type": "text/plain", "User-Agent": "Mozilla/5.0 (X11) Firefox/133"},
        )
        return connection.getresponse().status
    finally:
        connection.close()


def stories(url) -> list:
    with psycopg.connect(url) as connection:
        return connection.execute(
            "SELECT id, headline FROM articles_article ORDER BY id"
        ).fetchall()


def test_postgresql_stopped_then_started(tmp_path, postgres, redis_server):
    url = postgres.create_database("newsroom_fault")
    env = production_env(tmp_path, url, redis_server.url)
    prepare_site(env)
    before = stories(url)
    with gunicorn(env, tmp_path / "gunicorn.log", workers=2) as port:
        assert get(port, "/news/world-1/")[0] == 200  # kept by the page cache from now on
        assert get(port, "/")[0] == 200

        postgres.stop()
        statuses = collections.Counter()
        for path in UNCACHED * 3:
            status, headers, body = get(port, path)
            statuses[status] += 1
            assert status == 503, (path, status)
            assert b"The newsroom is back in a moment" in body
            assert headers["Retry-After"] == "30"
            assert "no-store" in headers["Cache-Control"]
        status, _, body = get(port, "/readyz")
        assert status == 503
        assert json.loads(body) == {"database": "failed", "cache": "ok"}
        assert get(port, "/healthz")[0] == 200  # the process is alive: not restarted
        beacons = [post_beacon(port, before[0][0]) for _ in range(5)]
        assert beacons == [204] * 5
        # A page the cache holds is still answered while the database is out.
        cached_status = get(port, "/news/world-1/")[0]
        assert cached_status == 200

        postgres.start()
        started, recovered = time.monotonic(), None
        while time.monotonic() - started < 30:
            if all(get(port, path)[0] == 200 for path in UNCACHED):
                recovered = time.monotonic() - started
                break
            time.sleep(0.2)
        assert recovered is not None, "the site did not come back within 30 s of PostgreSQL"
        assert get(port, "/readyz")[0] == 200
    after = stories(url)
    lost = len(set(before) - set(after))
    duplicated = len(after) - len(set(after))
    print(
        f"\nPostgreSQL stopped: {sum(statuses.values())} uncached requests answered "
        f"{dict(statuses)} (500s: {statuses[500]}), readyz 503 naming the database, beacon "
        f"204 x5 (those reads are not counted), a cached page 200; started again: every page "
        f"200 after {recovered:.2f} s. Stories lost: {lost}, duplicated: {duplicated}."
    )
    assert (lost, duplicated) == (0, 0)
    assert after == before
