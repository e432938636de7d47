"""Live story benchmark: the poll answer and the live page under load while an editor posts an
update every second, and how long a reader waits to see each update.

Seeds a separate PostgreSQL database (newsroom_bench_live_i13; BENCH_DATABASE_URL overrides it)
with one live story of --updates updates (bulk insert), starts a redis-server of its own on a
free loopback port (stopped by its PID at the end) and gunicorn as `make serve` runs it
(gunicorn.conf.py, 2 workers, DEBUG off, the page cache in that Redis, bench.settings for the
/hello/ baseline). Then, with `wrk -t2 -c16 -d<duration>s`:

1. /hello/ (a view returning "hello" through the same middleware: the baseline);
2. the poll answer /news/<slug>/live.json with no edits;
3. the same while this process posts an update every second (through the ORM, as the admin's
   live desk does), and four readers poll the answer every 50 ms: for each update, the delay
   from its save returning to the first reader seeing the new count;
4. the live page itself while updates are posted every second.

Prints requests/s and the ratio to /hello/ measured in the same run, and the delay's p50, p99
and maximum. Loopback only, every loop bounded; gunicorn and Redis are always stopped.

    .venv/bin/python bench/live.py [--duration 10] [--updates 5000]
"""

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import (  # noqa: E402 - after the path that makes bench importable
    ensure_database,
    fetch,
    gunicorn,
    manage,
    production_env,
    redis_server,
    wrk,
)

BENCH_DB = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom_bench_live_i13"
)
SLUG = "bench-live-story"
READERS = 4
READER_INTERVAL = 0.05


def environment(redis_url: str) -> dict:
    return production_env(BENCH_DB, DJANGO_SETTINGS_MODULE="bench.settings", REDIS_URL=redis_url)


def seed(updates: int):
    """The live story with ``updates`` updates (kept when it already has them)."""
    from django.utils import timezone

    from articles.models import Article, LiveUpdate

    now = timezone.now()
    story, _ = Article.objects.update_or_create(
        slug=SLUG,
        defaults={
            "headline": "Storm over the coast: live",
            "dek": "Updates as they come.",
            "body": "<p>A storm reached the coast this morning.</p>",
            "status": "published",
            "published_at": now - dt.timedelta(days=1),
            "live": True,
            "live_ended_at": None,
        },
    )
    if story.live_updates.count() != updates:
        story.live_updates.all().delete()
        LiveUpdate.objects.bulk_create(
            (
                LiveUpdate(
                    article=story,
                    published_at=now - dt.timedelta(hours=20) + dt.timedelta(seconds=10 * i),
                    title="Key moment" if i % 50 == 0 else "",
                    key_event=i % 50 == 0,
                    text=f"<p>Update {i}: what happened, in a sentence or two.</p>",
                )
                for i in range(updates)
            ),
            batch_size=1000,
        )
    return story


def post_every_second(story, seconds: int, posted: list) -> None:
    """An editor posting an update every second; ``posted``: (count after, time saved)."""
    from articles.models import LiveUpdate

    count = story.live_updates.count()
    start = time.monotonic()
    for i in range(seconds):
        time.sleep(max(0.0, start + i + 1 - time.monotonic()))
        LiveUpdate.objects.create(article=story, text=f"<p>Bench update {i}.</p>")
        count += 1
        posted.append((count, time.monotonic()))


def readers(port: int, path: str, until: float, seen: dict) -> list[threading.Thread]:
    """Readers polling ``path`` every READER_INTERVAL s; ``seen``: count -> first time seen."""
    lock = threading.Lock()

    def read():
        while time.monotonic() < until:
            try:
                status, _, body = fetch(port, path, timeout=5)
            except OSError:
                status = 0
            now = time.monotonic()
            if status == 200:
                count = json.loads(body)["updates"]
                with lock:
                    for n in range(count, 0, -1):
                        if n in seen:
                            break
                        seen[n] = now
            time.sleep(READER_INTERVAL)

    threads = [threading.Thread(target=read, daemon=True) for _ in range(READERS)]
    for thread in threads:
        thread.start()
    return threads


def under_edits(port, path, story, duration, measure_delay: bool):
    posted, seen = [], {}
    until = time.monotonic() + duration + 3
    threads = readers(port, f"/news/{SLUG}/live.json", until, seen) if measure_delay else []
    editor = threading.Thread(target=post_every_second, args=(story, duration, posted))
    editor.start()
    page_rate, note = rate(f"http://127.0.0.1:{port}{path}", duration)
    editor.join(timeout=duration + 30)
    for thread in threads:
        thread.join(timeout=10)
    delays = [seen[count] - at for count, at in posted if count in seen]
    return page_rate, note, delays, len(posted)


def rate(url: str, duration: int) -> tuple[float, str]:
    """Requests/s of one wrk run, and wrk's note of errors (if any)."""
    result = wrk(url, duration)
    return result["rate"], result["note"]


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--updates", type=int, default=5000, help="updates on the live story")
    args = parser.parse_args()

    ensure_database(BENCH_DB)
    with (
        tempfile.TemporaryDirectory(prefix="newsroom-bench-live-") as folder,
        redis_server(Path(folder)) as redis,
    ):
        env = environment(redis.url)
        os.environ.update(env)
        manage(env, "migrate", "--no-input", "-v0")
        manage(env, "collectstatic", "--no-input", "-v0")
        import django

        django.setup()
        story = seed(args.updates)
        poll_path = f"/news/{SLUG}/live.json"
        page_path = f"/news/{SLUG}/"
        with gunicorn(env) as port:
            for path in (poll_path, page_path):
                assert fetch(port, path)[0] == 200, path
            hello, hello_note = rate(f"http://127.0.0.1:{port}/hello/", args.duration)
            quiet, quiet_note = rate(f"http://127.0.0.1:{port}{poll_path}", args.duration)
            edited, edited_note, delays, posts = under_edits(
                port, poll_path, story, args.duration, measure_delay=True
            )
            page, page_note, _, _ = under_edits(
                port, page_path, story, args.duration, measure_delay=False
            )

    print(
        f"gunicorn -w 2, wrk -t2 -c16 -d{args.duration}s, PostgreSQL, Redis, loopback; "
        f"a live story of {args.updates} updates"
    )
    print(f"/hello/ (baseline)                   {hello:9.0f} req/s  {hello_note}")
    print(
        f"poll answer, no edits                {quiet:9.0f} req/s  "
        f"ratio {quiet / hello:.2f}  {quiet_note}"
    )
    print(
        f"poll answer, an update every second  {edited:9.0f} req/s  "
        f"ratio {edited / hello:.2f}  {edited_note}"
    )
    print(
        f"live page, an update every second    {page:9.0f} req/s  "
        f"ratio {page / hello:.2f}  {page_note}"
    )
    if delays:
        print(
            f"posting to seen ({len(delays)} of {posts} updates seen by {READERS} readers "
            f"polling every {READER_INTERVAL * 1000:.0f} ms, while the poll answer is under "
            f"load): p50 {statistics.median(delays) * 1000:.0f} ms, "
            f"p99 {percentile(delays, 0.99) * 1000:.0f} ms, max {max(delays) * 1000:.0f} ms"
        )
    else:
        print("posting to seen: no update was seen (check the page cache)")


if __name__ == "__main__":
    main()
