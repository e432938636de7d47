"""Redis hung (SIGSTOP) and stopped under a running site: gunicorn with 2 workers, the page
cache in a throwaway redis-server (the tests' own, never the shared 6379), SQLite."""

import statistics
import subprocess
import sys
import time

from tests.faults.conftest import prepare_site, production_env
from tests.helpers import ROOT, get, gunicorn

PAGES = ["/", "/news/world-1/", "/section/world/", "/search/?q=harbour", "/feed/"]
EDIT = """
import sys, django; django.setup()
from articles.models import Article
story = Article.objects.get(slug="world-1")
story.headline = sys.argv[1]
story.save()
"""


def load(port, rounds=4):
    """Every page ``rounds`` times: statuses and each answer's time in ms."""
    statuses, times = [], []
    for _ in range(rounds):
        for path in PAGES:
            started = time.perf_counter()
            statuses.append(get(port, path, timeout=15)[0])
            times.append((time.perf_counter() - started) * 1000)
    return statuses, times


def test_redis_hung_then_stopped_then_back(tmp_path, redis_server):
    env = production_env(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}", redis_server.url)
    prepare_site(env)
    report = {}
    try:
        with gunicorn(env, tmp_path / "gunicorn.log", workers=2) as port:
            statuses, times = load(port)
            assert set(statuses) == {200}
            assert get(port, "/news/world-1/")[1]["X-Page-Cache"].startswith("hit")
            baseline = statistics.median(times)

            redis_server.hang()
            statuses, times = load(port)
            report["hung"] = (statuses.count(200), len(statuses), max(times))
            assert set(statuses) == {200}
            # One short timeout per process, then the breaker answers at once.
            assert sorted(times)[-3] < 1000, times

            redis_server.wake()
            redis_server.stop()
            headline = "World story one, edited while Redis was out"
            subprocess.run(
                [sys.executable, "-c", EDIT, headline], cwd=ROOT, env=env, check=True, timeout=60
            )
            statuses, times = load(port)
            report["stopped"] = (statuses.count(200), len(statuses), max(times))
            assert set(statuses) == {200}
            assert headline.encode() in get(port, "/news/world-1/")[2]

            redis_server.start()
            deadline, back = time.monotonic() + 30, False
            while time.monotonic() < deadline and not back:
                _, headers, body = get(port, "/news/world-1/")
                back = headers.get("X-Page-Cache", "").startswith("hit")
                assert headline.encode() in body  # never the copy from before the outage
                time.sleep(0.1)
            assert back, "the page cache did not come back after Redis"
            for path in ("/", "/section/world/", "/news/world-1/"):
                assert headline.encode() in get(port, path)[2], path
    finally:
        if not redis_server.pidfile.exists():
            redis_server.start()
        redis_server.wake()
    print(
        f"\nRedis hung: {report['hung'][0]}/{report['hung'][1]} answers 200, slowest "
        f"{report['hung'][2]:.0f} ms (baseline p50 {baseline:.1f} ms); stopped: "
        f"{report['stopped'][0]}/{report['stopped'][1]} answers 200, slowest "
        f"{report['stopped'][2]:.0f} ms; an edit made meanwhile on every page after; "
        "cache back. Edits lost: 0, stale pages served after the outage: 0."
    )
