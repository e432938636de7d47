"""Front benchmark: the nginx front (deploy/nginx/, one-second microcache) in front of gunicorn.

On the page benchmark's small database (bench/pages.py seeds it if need be: 1,000 stories,
newsroom_bench_pages_1000; BENCH_DATABASE_URL overrides the base name), with a Redis of its
own and gunicorn as `make serve` runs it (2 workers, the page cache in Redis, believing only
nginx's forwarded headers), and Debian's nginx started here with the project's configuration:

- baseline: /hello/ (no query, no template) from gunicorn alone;
- the article from the middle of the archive through the front (answered by the microcache),
  and from gunicorn alone (its own page cache), for comparison;
- edits: the article through the front under load while another process edits the newest
  story; how long after each save the new headline is on that story's page, the home page
  and its section's page through the front.

Each load is `wrk -t2 -c16 -d10s --latency` asking for gzip. Prints requests/s, p50 and p99,
each as a ratio to the baseline of the same run, and the targets of issue #12: the cached
article through the front >= 5 x hello from gunicorn alone; every edit on every page within a
second (plus the one render that renews a page). Exits 0 either way. Loopback only; every wait
is bounded; gunicorn, nginx and Redis are always stopped (by PID).

    .venv/bin/python bench/front.py [--duration 10] [--connections 16] [--stories 1000]
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness, pages
from newsroom import front

EDITS = 5


def newest_story(url: str) -> tuple[str, str]:
    """The slug of the newest public story (on the home page and its section's first page)
    and of its section."""
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute(
            "SELECT a.slug, s.slug FROM articles_article a JOIN articles_section s "
            "ON s.id = a.section_id WHERE a.status = 'published' AND a.published_at <= now() "
            "ORDER BY a.published_at DESC, a.id DESC LIMIT 1"
        ).fetchone()


def edit_lags(front_port: int, env: dict, info: dict) -> list[float]:
    """Edit the newest story EDITS times, one after another; for each, the seconds from the
    save's end to the new headline on its page, the home page and its section's page, all
    through the front."""
    slug, section = newest_story(info["url"])
    paths = ("/", f"/news/{slug}/", f"/section/{section}/")
    lags = []
    for n in range(EDITS):
        headline = f"Front bench edit {n} {time.time():.0f}"
        pages.edit_once(env, slug, headline)
        saved = time.time()
        waiting, deadline = set(paths), time.monotonic() + 30
        while waiting and time.monotonic() < deadline:
            for path in list(waiting):
                if headline in harness.fetch(front_port, path)[2]:
                    waiting.discard(path)
            time.sleep(0.01)
        lags.append(time.time() - saved if not waiting else float("inf"))
    return lags


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--stories", type=int, default=1_000)
    args = parser.parse_args()
    for tool, package in (("wrk", "wrk"), ("redis-server", "redis-server"), ("nginx", "nginx")):
        if shutil.which(tool) is None and not os.path.exists(f"/usr/sbin/{tool}"):
            raise SystemExit(f"{tool} is missing: apt-get install -y {package}")
    load = os.getloadavg()[0]
    print(f"load average before the run: {load:.2f} on {os.cpu_count()} cores")
    pages.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    harness.manage(
        pages.environment(pages.database_url(args.stories)), "collectstatic", "--no-input", "-v0"
    )
    info = pages.prepare(args.stories, None, False)
    info["url"] = pages.database_url(args.stories)
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-front-") as folder:
        redis = harness.RedisServer(Path(folder) / "redis")
        (Path(folder) / "redis").mkdir()
        redis.start()
        try:
            env = pages.mode_environment(info, "cached", redis)
            env.update(FORWARDED_ALLOW_IPS="127.0.0.1", TRUSTED_PROXY_COUNT="1")
            with harness.gunicorn(env) as app_port:
                front_port = harness.free_port()
                prefix = Path(folder) / "nginx"
                front.start(
                    prefix,
                    listen=f"127.0.0.1:{front_port}",
                    upstream=f"127.0.0.1:{app_port}",
                    static_root=harness.STATIC_ROOT,
                    media_root=pages.MEDIA_ROOT,
                )
                try:
                    runs = {
                        "hello, gunicorn alone": (app_port, "/hello/"),
                        "article, gunicorn alone": (app_port, info["article"]),
                        "article through the front": (front_port, info["article"]),
                    }
                    for name, (port, path) in runs.items():
                        pages.check_and_warm(port, path)
                        results[name] = harness.wrk(
                            f"http://127.0.0.1:{port}{path}", args.duration, args.connections
                        )
                    # Edits while the front is under load.
                    lags: list[float] = []
                    editor = threading.Thread(
                        target=lambda: lags.extend(edit_lags(front_port, env, info))
                    )
                    editor.start()
                    results["article through the front, edited"] = harness.wrk(
                        f"http://127.0.0.1:{front_port}{info['article']}",
                        args.duration,
                        args.connections,
                    )
                    editor.join(timeout=300)
                finally:
                    front.stop(prefix)
        finally:
            redis.stop()

    hello = results["hello, gunicorn alone"]["rate"]
    print(f"\n{info['stories']:,} stories; wrk -t2 -c{args.connections} -d{args.duration}s")
    print(f"{'page':<38} {'req/s':>9} {'x hello':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for name, result in results.items():
        print(
            f"{name:<38} {result['rate']:>9.0f} {pages.ratio(result['rate'], hello):>8.2f}"
            f" {result['p50']:>8.2f} {result['p99']:>8.2f} {result['note']}"
        )
    front_ratio = pages.ratio(results["article through the front"]["rate"], hello)
    worst = max(lags) if lags else float("inf")
    print(
        f"\nedits under load: {len(lags)} saves, on every page through the front after "
        f"{', '.join(f'{lag:.2f}' for lag in lags)} s (median {statistics.median(lags):.2f} s)"
        if lags
        else "\nedits under load: none measured"
    )
    print("\nTargets")
    print(
        f"  {'MET    ' if front_ratio >= 5 else 'NOT MET'}  the cached article through the front "
        f"= {front_ratio:.2f} x hello from gunicorn alone (>= 5)"
    )
    print(
        f"  {'MET    ' if worst <= 1.2 else 'NOT MET'}  every edit on every page through the "
        f"front within {worst:.2f} s (<= 1 s plus one render, 1.2 s)"
    )


if __name__ == "__main__":
    main()
