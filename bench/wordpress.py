"""WordPress import benchmark: time and peak memory of `manage.py import_wordpress` for
generated exports of 1,000, 10,000 and 100,000 posts.

    nice .venv/bin/python bench/wordpress.py                       # SQLite, in a temporary folder
    nice .venv/bin/python bench/wordpress.py --database-url postgres://postgres@127.0.0.1:5432/newsroom_bench_i14
    nice .venv/bin/python bench/wordpress.py --sizes 1000,10000

Each size gets a fresh database (migrated first, not timed) and its own export, written here
from a template: block-editor bodies of a few paragraphs with a heading, a quote and a list,
ten authors, twenty categories (half of them nested), fifty tags, a comment on every fifth
post, one post in ten a draft. No pictures (they cost the same per picture whatever the size).
The import runs in a child process; its peak resident memory is read from the kernel
(``wait4``), so the figures are the whole command's. Memory should stay flat: the verdict
compares the largest export's peak with the one ten times smaller.

The import runs as in production, with ``TASKS_BACKEND=database``: the one related-stories
task it queues at its end is left to ``manage.py db_worker`` and is not in its time (with the
immediate backend the command runs it itself, after the stories). ``--related-up-to N`` also
times that pass (``manage.py related``) for the exports of at most N posts, separately.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (
    PYTHON,
    ROOT,
    manage,
    production_env,
    recreate_database,
)

HEADER = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Bench Gazette</title><link>https://bench.example</link>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_blog_url>https://bench.example</wp:base_blog_url>
"""

BODY = """<!-- wp:paragraph -->
<p>Story {n} begins with the news: the harbour board met on day {day} and voted {votes} to {against}.</p>
<!-- /wp:paragraph -->
<!-- wp:heading -->
<h2>What was decided</h2>
<!-- /wp:heading -->
<!-- wp:paragraph -->
<p>The members heard from the fishermen, the ferry company and the <strong>cafe owners</strong>
of the quay, who asked for longer hours in the summer months.</p>
<!-- /wp:paragraph -->
<!-- wp:quote -->
<blockquote class="wp-block-quote"><p>We asked for this for years.</p><cite>An owner</cite></blockquote>
<!-- /wp:quote -->
<!-- wp:list -->
<ul><li>Three sailings a day</li><li>Fares unchanged</li><li>New timetable in spring</li></ul>
<!-- /wp:list -->
<!-- wp:paragraph -->
<p>The next meeting is in a month; story {n} will be updated then.</p>
<!-- /wp:paragraph -->"""


def write_export(path: Path, posts: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for a in range(10):
            out.write(
                f"<wp:author><wp:author_id>{a + 1}</wp:author_id><wp:author_login>writer{a}"
                f"</wp:author_login><wp:author_display_name>Writer {a}</wp:author_display_name>"
                "</wp:author>\n"
            )
        for c in range(20):
            parent = f"cat{c - 10}" if c >= 10 else ""
            out.write(
                f"<wp:category><wp:term_id>{c + 1}</wp:term_id><wp:category_nicename>cat{c}"
                f"</wp:category_nicename><wp:category_parent>{parent}</wp:category_parent>"
                f"<wp:cat_name>Category {c}</wp:cat_name></wp:category>\n"
            )
        for t in range(50):
            out.write(
                f"<wp:tag><wp:term_id>{100 + t}</wp:term_id><wp:tag_slug>tag{t}</wp:tag_slug>"
                f"<wp:tag_name>Tag {t}</wp:tag_name></wp:tag>\n"
            )
        for n in range(1, posts + 1):
            day = 1 + n % 28
            month = 1 + (n // 28) % 12
            year = 2000 + n // 336 % 26
            date = f"{year}-{month:02d}-{day:02d} 10:{n % 60:02d}:00"
            gmt = f"{year}-{month:02d}-{day:02d} 08:{n % 60:02d}:00"
            status = "draft" if n % 10 == 0 else "publish"
            comment = (
                "<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_content>Yes"
                "</wp:comment_content></wp:comment>"
                if n % 5 == 0
                else ""
            )
            body = BODY.format(n=n, day=day, votes=n % 7, against=n % 3)
            out.write(
                f"<item><title>Story number {n} from the harbour</title>"
                f"<link>https://bench.example/{year}/{month:02d}/{day:02d}/story-{n}/</link>"
                f"<dc:creator>writer{n % 10}</dc:creator>"
                f'<guid isPermaLink="false">https://bench.example/?p={n}</guid>'
                f"<content:encoded><![CDATA[{body}]]></content:encoded>"
                f"<excerpt:encoded><![CDATA[The board voted on story {n}.]]></excerpt:encoded>"
                f"<wp:post_id>{n}</wp:post_id><wp:post_date>{date}</wp:post_date>"
                f"<wp:post_date_gmt>{gmt}</wp:post_date_gmt><wp:post_name>story-{n}</wp:post_name>"
                f"<wp:status>{status}</wp:status><wp:post_parent>0</wp:post_parent>"
                "<wp:post_type>post</wp:post_type><wp:is_sticky>0</wp:is_sticky>"
                f'<category domain="category" nicename="cat{n % 20}">Category {n % 20}</category>'
                f'<category domain="post_tag" nicename="tag{n % 50}">Tag {n % 50}</category>'
                f'<category domain="post_tag" nicename="tag{(n * 7) % 50}">Tag {(n * 7) % 50}</category>'
                f"<wp:postmeta><wp:meta_key>_wp_old_slug</wp:meta_key><wp:meta_value>old-{n}"
                f"</wp:meta_value></wp:postmeta>{comment}</item>\n"
            )
        out.write("</channel></rss>\n")


def environment(database_url: str, media: Path) -> dict:
    return production_env(
        database_url,
        MEDIA_ROOT=str(media),
        REDIS_URL="",
        PAGE_CACHE_SECONDS="0",
        TASKS_BACKEND="database",
    )


def fresh_database(database_url: str, env: dict) -> None:
    parts = urlsplit(database_url)
    if parts.scheme.startswith("postgres"):
        name = parts.path.lstrip("/")
        assert "bench" in name, "a benchmark database of its own (with bench in its name)"
        recreate_database(database_url)
    manage(env, "migrate", "--no-input", "-v0")


def timed_command(args: list[str], env: dict) -> tuple[float, float, str]:
    """Seconds, peak resident MB and the output of one manage.py command, in a child."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{args[0]} failed:\n{output}")
    return seconds, usage.ru_maxrss / 1024, output


READ_ONLY = """
import sys
from articles.wordpress import parse
parse.check(sys.argv[1])
for _ in range(2):
    items = sum(kind == "item" for kind, _ in parse.read(sys.argv[1]))
print(items)
"""


def timed_reading(path: Path, env: dict) -> tuple[float, float]:
    """Seconds and peak resident MB of the import's three readings of the file alone (the
    check, then the two streaming passes), without Django or a database."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [PYTHON, "-c", READ_ONLY, str(path)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("reading the export failed")
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp folder")
    parser.add_argument(
        "--related-up-to",
        type=int,
        default=0,
        help="also time the related-stories pass after imports of at most this many posts",
    )
    parser.add_argument(
        "--import-up-to",
        type=int,
        default=100_000,
        help="import only exports of at most this many posts; larger ones are only read",
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    results, readings = [], []
    with tempfile.TemporaryDirectory(prefix="bench-wordpress-") as folder:
        folder = Path(folder)
        for size in sizes:
            export = folder / f"export-{size}.xml"
            write_export(export, size)
            database_url = args.database_url or f"sqlite:///{folder / f'db-{size}.sqlite3'}"
            env = environment(database_url, folder / f"media-{size}")
            megabytes = export.stat().st_size / 1e6
            seconds, peak = timed_reading(export, env)
            readings.append((size, seconds, peak))
            print(
                f"{size:>7,} posts ({megabytes:6.1f} MB export): read three times in "
                f"{seconds:6.1f} s, peak memory {peak:5.0f} MB",
                flush=True,
            )
            if size <= args.import_up_to:
                fresh_database(database_url, env)
                seconds, peak, output = timed_command(["import_wordpress", str(export)], env)
                results.append((size, seconds, peak))
                print(
                    f"{size:>7,} posts imported: {seconds:8.1f} s, {size / seconds:6.1f} posts/s, "
                    f"peak memory {peak:5.0f} MB",
                    flush=True,
                )
                print("         " + output.strip().splitlines()[1].strip(), flush=True)
                if size <= args.related_up_to:
                    seconds, peak, output = timed_command(["related"], env)
                    print(
                        f"{size:>7,} posts' related stories chosen: {seconds:8.1f} s "
                        f"({size / seconds:6.1f} stories/s), peak memory {peak:5.0f} MB",
                        flush=True,
                    )
            export.unlink()
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"Database: {database}; this process's own peak: "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    for what, rows in (("reading", readings), ("import", results)):
        if len(rows) >= 2:
            small, large = rows[-2], rows[-1]
            ratio = large[2] / small[2]
            verdict = "flat" if ratio < 1.25 else "GROWS"
            per_post = (large[1] / large[0]) / (small[1] / small[0])
            print(
                f"Peak memory of the {what}, {large[0]:,} vs {small[0]:,} posts: x{ratio:.2f} "
                f"({verdict}; target under x1.25); time per post x{per_post:.2f}"
            )


if __name__ == "__main__":
    main()
