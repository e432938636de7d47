"""Read beacon benchmark: requests per second of POST /beacon/ against the lightest page.

Starts gunicorn as `make serve` runs it (gunicorn.conf.py, 2 workers, plain HTTP on loopback,
DEBUG off, the static files collected first into bench/.static) over PostgreSQL (a separate
database, newsroom_bench_beacon, created and migrated here, one published story seeded) and
drives it with `wrk -t2 -c16 -d10s` three times:

- the beacon as is: after the first hit every request is a repeat of the same client within
  READ_WINDOW_SECONDS, so it measures the cached checks (robots, published story, window);
- the beacon with READ_WINDOW_SECONDS=0 (a second gunicorn): every request is a counted read,
  so it measures the cached checks plus the INSERT ... ON CONFLICT upsert on one hot row;
- /about/, the site's lightest page (a template, no query).

Prints requests/s and each beacon's ratio to /about/. Bounded (about a minute), loopback
only; stops its gunicorn processes at the end.

    .venv/bin/python bench/beacon.py [--duration 10]
"""

import argparse
import contextlib
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402 - after the path that makes bench importable
from bench.harness import manage  # noqa: E402

BENCH_DB = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom_bench_beacon"
)


def environment(**extra) -> dict:
    return harness.production_env(BENCH_DB, **extra)


SEED = """
import datetime as dt
from django.utils import timezone
from articles.models import Article, DailyReads
now = timezone.now()
story, _ = Article.objects.update_or_create(
    slug="bench-beacon-story",
    defaults=dict(
        headline="Beacon benchmark story", dek="A story for the beacon benchmark.",
        body="<p>Body.</p>", status="published", published_at=now - dt.timedelta(minutes=5),
    ),
)
DailyReads.objects.filter(article=story).delete()
print(story.pk)
"""


@contextlib.contextmanager
def gunicorn(env):
    """gunicorn on a free port (ready once /about/ answers: these settings have no /hello/);
    yields its base URL."""
    with harness.gunicorn(env, ready="/about/") as port:
        yield f"http://127.0.0.1:{port}"


def wrk(url: str, duration: int, script: str | None = None) -> tuple[float, str]:
    """Requests per second, and wrk's note of non-2xx answers or errors (if any)."""
    result = harness.wrk(url, duration, script=script)
    return result["rate"], result["note"]


def count_reads(env, story_id: int) -> int:
    code = (
        "from django.db.models import Sum; from articles.models import DailyReads; "
        f"print(DailyReads.objects.filter(article_id={story_id}).aggregate(n=Sum('count'))['n'] or 0)"
    )
    return int(manage(env, "shell", "-c", code).strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    args = parser.parse_args()

    env = environment()
    harness.ensure_database(BENCH_DB)
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "collectstatic", "--no-input", "-v0")  # DEBUG off serves the collected files
    story_id = int(manage(env, "shell", "-c", SEED).strip().splitlines()[-1])

    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(
            f'wrk.method = "POST"\nwrk.body = "{story_id}"\n'
            'wrk.headers["Content-Type"] = "text/plain;charset=UTF-8"\n'
        )
    try:
        with gunicorn(env) as base:
            about, about_note = wrk(f"{base}/about/", args.duration)
            windowed, windowed_note = wrk(f"{base}/beacon/", args.duration, lua.name)
        counted_before = count_reads(env, story_id)
        with gunicorn(environment(READ_WINDOW_SECONDS="0")) as base:
            upsert, upsert_note = wrk(f"{base}/beacon/", args.duration, lua.name)
        counted = count_reads(env, story_id) - counted_before
    finally:
        os.unlink(lua.name)

    print(f"gunicorn -w 2, wrk -t2 -c16 -d{args.duration}s, PostgreSQL, loopback")
    print(f"/about/ (lightest page)        {about:10.0f} req/s  {about_note}")
    print(
        f"/beacon/ (window, repeats)     {windowed:10.0f} req/s  "
        f"ratio {windowed / about:.2f}  reads counted: {counted_before} {windowed_note}"
    )
    print(
        f"/beacon/ (no window, upserts)  {upsert:10.0f} req/s  "
        f"ratio {upsert / about:.2f}  reads counted: {counted} {upsert_note}"
    )


if __name__ == "__main__":
    main()
