"""Login flood benchmark: a cached story's latency while six loops post wrong admin passwords,
with the login throttle as configured and with it out of reach (limits of a million).

Starts gunicorn as `make serve` runs it (gunicorn.conf.py, 2 workers, plain HTTP on loopback,
DEBUG off, each worker's page cache in memory) over PostgreSQL (a database of its own,
newsroom_bench_logins, migrated here; one staff account and one published story seeded). For
each setting, wrk reads the cached story alone, then again while six threads post wrong
passwords for the staff account (each loop bounded by the run's duration).

Prints the story's p50 and p99 alone and under the flood (their ratio), the attempts made and
how they were answered (429 = refused by the throttle before any password was hashed).

    .venv/bin/python bench/logins.py [--duration 8] [--loops 6]
"""

import argparse
import collections
import http.client
import os
import re
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402 - after the path that makes bench importable
from bench.harness import manage  # noqa: E402

BENCH_DB = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom_bench_logins"
)
STORY = "/news/bench-login-story/"
UNREACHABLE = "1000000"

SEED = """
import datetime as dt
from django.contrib.auth.models import User
from django.utils import timezone
from articles.models import Article
from axes.models import AccessAttempt, AccessFailureLog
AccessAttempt.objects.all().delete()
AccessFailureLog.objects.all().delete()
user, _ = User.objects.get_or_create(username="ada", defaults={"is_staff": True})
user.set_password("a-long-bench-password")
user.save()
Article.objects.update_or_create(
    slug="bench-login-story",
    defaults=dict(
        headline="Login benchmark story", dek="A story for the login benchmark.",
        body="<p>Body.</p>", status="published",
        published_at=timezone.now() - dt.timedelta(minutes=5),
    ),
)
"""


def environment(**extra) -> dict:
    return harness.production_env(
        BENCH_DB,
        LOG_LEVEL="ERROR",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        LOCAL_CACHE="memory",
        PAGE_CACHE_SECONDS="600",
        REDIS_URL="",
        **extra,
    )


def wrong_passwords(port: int, deadline: float, answers: collections.Counter) -> None:
    """Post wrong passwords for the staff account until ``deadline``, with the CSRF cookie and
    token of one login form, counting the answers' statuses."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/admin/login/")
    response = conn.getresponse()
    form = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]
    conn.close()
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": "ada", "password": "wrong", "next": "/admin/"}
    )
    headers = {
        "Cookie": cookie,
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": f"http://127.0.0.1:{port}/admin/login/",
    }
    while time.monotonic() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("POST", "/admin/login/", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            answers[response.status] += 1
        except OSError as error:
            answers[type(error).__name__] += 1
        finally:
            conn.close()


def measure(env, duration: int, loops: int) -> dict:
    manage(env, "shell", "-c", SEED)
    with harness.gunicorn(env, ready="/about/") as port:
        url = f"http://127.0.0.1:{port}{STORY}"
        for _ in range(4):  # both workers' caches hold the story
            harness.get(port, STORY)
        alone = harness.wrk(url, duration, connections=4)
        answers: collections.Counter = collections.Counter()
        deadline = time.monotonic() + duration + 2
        threads = [
            threading.Thread(target=wrong_passwords, args=(port, deadline, answers))
            for _ in range(loops)
        ]
        for thread in threads:
            thread.start()
        time.sleep(1)  # the flood is under way
        flooded = harness.wrk(url, duration, connections=4)
        for thread in threads:
            thread.join(timeout=duration + 60)
    return {"alone": alone, "flooded": flooded, "answers": answers}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk run")
    parser.add_argument("--loops", type=int, default=6, help="parallel wrong-password loops")
    args = parser.parse_args()

    harness.ensure_database(BENCH_DB)
    env = environment()
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "collectstatic", "--no-input", "-v0")
    runs = {
        "throttle on (5 per username, 20 per address)": measure(env, args.duration, args.loops),
        "throttle out of reach (every attempt hashed)": measure(
            environment(
                LOGIN_FAILURES_PER_USERNAME=UNREACHABLE, LOGIN_FAILURES_PER_ADDRESS=UNREACHABLE
            ),
            args.duration,
            args.loops,
        ),
    }
    print(
        f"gunicorn -w 2, PostgreSQL, loopback; wrk -t2 -c4 -d{args.duration}s on a cached story,"
        f" alone and beside {args.loops} wrong-password loops"
    )
    for name, run in runs.items():
        alone, flooded = run["alone"], run["flooded"]
        answers = ", ".join(f"{status}: {n}" for status, n in sorted(run["answers"].items()))
        print(f"{name}")
        print(f"  story alone    p50 {alone['p50']:8.1f} ms  p99 {alone['p99']:8.1f} ms")
        print(
            f"  story flooded  p50 {flooded['p50']:8.1f} ms  p99 {flooded['p99']:8.1f} ms"
            f"  (p50 x{flooded['p50'] / alone['p50']:.1f})"
        )
        print(f"  login attempts answered: {answers}")


if __name__ == "__main__":
    main()
