"""Page throughput benchmark: the public pages under gunicorn, at 1,000 and at 100,000 stories.

Seeds a separate PostgreSQL database per size (newsroom_bench_pages_1000 and
newsroom_bench_pages_100000; BENCH_DATABASE_URL overrides the base name): sections, authors
(one of them the organisational "All Israel News Staff"), tags, five lead images stored in
bench/.media with their renditions made by the project's own code, and stories with
~900-word bodies, 1-3 bylines and 2-4 tags each, published over the past three years, all
with bulk inserts, then every search vector in one UPDATE, then VACUUM ANALYZE. The large
database starts as a copy of the small one (CREATE DATABASE ... TEMPLATE), to which the rest
of the stories are added. A database whose story count already matches is kept, so a re-run
seeds nothing (--reseed starts again). Reads for "Popular Articles" are refreshed every run.

The cache is a redis-server of the benchmark's own, on a free loopback port, started and
stopped (by its PID) here: no other Redis database is touched. gunicorn runs as `make serve`
runs it (gunicorn.conf.py, 2 workers, its JSON access log written), DEBUG off, one gunicorn
per pass:

- cold: every cache off (Django's dummy cache): each request reads everything from the
  database and renders it;
- uncached: PAGE_CACHE_SECONDS=0 (the full-page cache off; the parts pages share, such as
  the story itself, the side lists and the navigation, still come from the cache);
- cached: the full-page cache as configured, in Redis;
- local: the same with the cache in each worker's memory (no Redis), for comparison only;
- down: the Redis the site is configured with is stopped (the cache fails open).

Each pass loads /hello/ (a view returning "hello" through the same middleware: the
framework's baseline), the home page, an article from the middle of the archive, the
largest section, a search for a word most stories contain and the RSS feed, each with
`wrk -t2 -c16 -d10s --latency` (asking for gzip, as browsers do) after a check that it answers
200 and a few warm-up requests.

Two more checks at each size, with the cache up:
- edits: the article under load for the duration, then again while another process saves
  that story every second: throughput with edits over throughput without, and the slowest
  answer;
- outage: the article cached, Redis hung (SIGSTOP), the story edited, Redis woken: the first
  request after shows the edit.

Prints requests/s, p50 and p99 per page and mode with the ratio to the baseline measured in
the same pass, how each figure changed from the small to the large size, and each target of
issue #11 as a ratio with its verdict:
- cached pages >= 0.80 x hello; the article uncached (its parts cached) >= 0.35 x hello;
- cold: the article >= 0.07 x hello, the home page >= 0.10 x hello;
- down: every page answers 200 at >= 0.9 x its cold figure; an edit made while Redis was out
  is on its page at the first request after;
- edits: >= 0.8 x the throughput without them, no answer slower than 1 s;
- every page's p50 at the large size <= 1.3 x its p50 at the small size.
Exits 0 either way. Loopback only; every wait is bounded; gunicorn and Redis are always
stopped.

    .venv/bin/python bench/pages.py [--duration 10] [--connections 16]
                                    [--small 1000] [--large 100000] [--reseed]
"""

import argparse
import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import (  # noqa: E402 - after the path that makes bench importable
    PYTHON,
    RedisServer,
    database_name,
    fetch,
    get,
    gunicorn,
    manage,
    production_env,
    recreate_database,
    wrk,
)

BENCH_DB = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom_bench_pages"
)
MEDIA_ROOT = ROOT / "bench" / ".media"
DEMO_IMAGES = ROOT / "articles" / "demo" / "images"

PAGES = ["hello", "home", "article", "section", "search", "feed"]
# "local" (the page cache in each worker's memory instead of Redis: what the round trip to
# Redis costs a cached page) is for comparison only.
MODES = ["cold", "uncached", "cached", "local", "down"]
SEARCH_WORD = "government"  # in most bodies (a frequent word of bench/search.py's vocabulary)
RARE_WORD = "quetzalcoatlite"  # in one story in 10,000
WARM_UP = 5  # requests per page before it is loaded
BATCH = 2000  # stories per INSERT

CACHED_TARGET = 0.80  # a cached page's throughput, as a share of the baseline's
UNCACHED_ARTICLE_TARGET = 0.35  # the article with its parts cached, the page cache off
COLD_TARGETS = {"article": 0.07, "home": 0.10}  # every cache off
DOWN_TARGET = 0.90  # Redis stopped, as a share of the cold figure
EDITS_TARGET = 0.80  # an edit a second to the article under load, over the same load without
SLOWEST_LIMIT_MS = 1000.0
P50_GROWTH_LIMIT = 1.3  # p50 at the large size over p50 at the small size

SECTIONS = [  # name, share of the stories
    ("News", 0.35),
    ("Politics", 0.20),
    ("Business", 0.15),
    ("Technology", 0.10),
    ("Culture", 0.10),
    ("Opinion", 0.10),
]
STAFF = "All Israel News Staff"
FIRST_NAMES = ["Noa", "David", "Maya", "Yosef", "Tamar", "Ariel", "Leah", "Omar", "Sarah", "Eitan"]
LAST_NAMES = ["Levi", "Cohen", "Mizrahi", "Haddad", "Friedman", "Katz", "Nasser", "Shapiro"]
PLACES = [
    "Jerusalem",
    "Tel Aviv",
    "Haifa",
    "Galilee",
    "Negev",
    "Gaza",
    "Jordan",
    "Egypt",
    "Lebanon",
    "Cyprus",
    "Eilat",
    "Golan",
    "Judea",
    "Sharon",
    "Beersheba",
]
TOPICS = [
    "Politics",
    "Economy",
    "Security",
    "Culture",
    "Education",
    "Health",
    "Housing",
    "Transport",
    "Energy",
    "Environment",
]


# PostgreSQL, Redis and gunicorn, from the driving process (no Django here) ------------------


def database_url(size: int) -> str:
    return f"{BENCH_DB}_{size}"


def environment(url: str, **extra) -> dict:
    return production_env(
        url,
        DJANGO_SETTINGS_MODULE="bench.settings",
        CONN_MAX_AGE="60",
        MEDIA_ROOT=str(MEDIA_ROOT),
        TASKS_BACKEND="immediate",
        **extra,
    )


def story_count(url: str) -> int | None:
    """Stories in the database, or None when it (or its table) does not exist."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM articles_article").fetchone()[0]
    except psycopg.Error:
        return None


def media_complete(url: str) -> bool:
    """Whether every image file and rendition the database names is in bench/.media."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            rows = conn.execute("SELECT file, renditions FROM articles_image").fetchall()
    except psycopg.Error:
        return False
    names = [file for file, _renditions in rows]
    names += [
        name for _file, copies in rows for kind in (copies or {}).values() for name in kind.values()
    ]
    return bool(rows) and all((MEDIA_ROOT / name).is_file() for name in names)


def prepare(size: int, template_size: int | None, reseed: bool) -> dict:
    """The database of ``size`` stories, seeded if need be; what the pages to load are."""
    url = database_url(size)
    env = environment(url)
    start = size
    if not reseed and story_count(url) == size and media_complete(url):
        print(f"{database_name(url)}: {size:,} stories already seeded (--reseed seeds again)")
    elif template_size is not None and story_count(database_url(template_size)) == template_size:
        recreate_database(url, template=database_url(template_size))
        start = template_size
        print(f"{database_name(url)}: a copy of the {template_size:,} stories, adding the rest")
    else:
        recreate_database(url)
        start = 0
        print(f"{database_name(url)}: created, seeding")
    manage(env, "migrate", "--no-input", "-v0")
    with tempfile.NamedTemporaryFile("r", suffix=".json") as output:
        subprocess.run(
            [PYTHON, __file__, "--worker", str(start), str(size), output.name],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=3600,
        )
        return json.loads(Path(output.name).read_text())


def check_and_warm(port: int, path: str) -> None:
    for _ in range(WARM_UP):
        status, location = get(port, path)
        if status != 200:
            moved = f" to {location}" if location else ""
            raise SystemExit(f"GET {path} answered {status}{moved}, not 200: nothing measured")


def mode_environment(info: dict, mode: str, redis: RedisServer) -> dict:
    env = environment(info["url"], REDIS_URL=redis.url)
    if mode in ("uncached", "cold"):
        env["PAGE_CACHE_SECONDS"] = "0"
    if mode == "cold":
        env["BENCH_NO_CACHE"] = "1"
    if mode == "local":
        env.pop("REDIS_URL")
    return env


@contextlib.contextmanager
def editing(env: dict, slug: str, seconds: int):
    """Another process saving the story at ``slug`` every second (its headline changed) for
    ``seconds``, as an editor correcting a story under load would."""
    command = [PYTHON, __file__, "--editor", slug, str(seconds)]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        yield process
    finally:
        try:
            process.wait(timeout=seconds + 60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def edit_once(env: dict, slug: str, headline: str) -> None:
    subprocess.run(
        [PYTHON, __file__, "--edit", slug, headline], cwd=ROOT, env=env, check=True, timeout=120
    )


def run_size(info: dict, duration: int, connections: int, redis: RedisServer) -> dict:
    """Every pass over one database; results by (page, mode), plus the edit and outage
    checks."""
    paths = {
        "hello": "/hello/",
        "home": "/",
        "article": info["article"],
        "section": info["section"],
        "search": info["search"],
        "feed": "/feed/",
    }
    results = {}
    for mode in MODES:
        redis.start()  # a new, empty Redis for every pass
        env = mode_environment(info, mode, redis)
        try:
            if mode == "down":
                redis.stop()
            with gunicorn(env) as port:
                for path in paths.values():
                    check_and_warm(port, path)
                for page, path in paths.items():
                    result = wrk(f"http://127.0.0.1:{port}{path}", duration, connections)
                    results[page, mode] = result
                    print(
                        f"  {info['stories']:>7,} {mode:<8} {page:<8} {result['rate']:8.0f} req/s"
                        f"  p50 {result['p50']:7.1f} ms  p99 {result['p99']:7.1f} ms"
                        f"  {result['note']}",
                        flush=True,
                    )
                if mode == "cached":
                    results.update(edit_checks(env, port, info, duration, connections, redis))
        finally:
            redis.stop()
    return results


def edit_checks(env, port, info, duration, connections, redis) -> dict:
    """The article under load without edits, then with an edit a second; then an edit made
    while Redis is out, and the first answer after it is back."""
    url = f"http://127.0.0.1:{port}{info['article']}"
    slug = info["article"].rstrip("/").rsplit("/", 1)[1]
    quiet = wrk(url, duration, connections)
    with editing(env, slug, duration) as editor:
        busy = wrk(url, duration, connections)
    saves = len((editor.stdout.read() if editor.stdout else "").split())
    print(
        f"  {info['stories']:>7,} edits    article  {quiet['rate']:8.0f} req/s quiet,"
        f" {busy['rate']:8.0f} req/s with {saves} saves; slowest {busy['max']:.0f} ms",
        flush=True,
    )
    # The outage: the article cached, Redis hung, traffic meanwhile (every worker sees the
    # outage), an edit, Redis woken; the first request after.
    for _ in range(3):
        fetch(port, info["article"])
    redis.hang()
    marker = f"Corrected during the outage {time.time_ns()}"
    try:
        for _ in range(10):
            fetch(port, info["article"])
        edit_once(env, slug, marker)
    finally:
        redis.wake()
    status, _, body = fetch(port, info["article"])
    seen = status == 200 and marker in body
    print(f"  {info['stories']:>7,} outage   the edit is on the first page after: {seen}")
    return {("article", "quiet"): quiet, ("article", "edits"): busy, ("outage", "seen"): seen}


# Report ------------------------------------------------------------------------------------


def ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def print_size(size: int, info: dict, results: dict, duration: int, connections: int) -> None:
    print(
        f"\n{size:,} stories ({info['database']}): gunicorn 2 workers, "
        f"wrk -t2 -c{connections} -d{duration}s"
    )
    print(
        f"  article {info['article']}\n  section {info['section']} ({info['section_stories']:,}"
        f" stories)\n  search  {info['search']} ({info['search_matches']:,} matches)"
    )
    print(f"{'page':<8} {'mode':<9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs hello':>9}")
    for mode in MODES:
        baseline = results["hello", mode]["rate"]
        for page in PAGES:
            r = results[page, mode]
            print(
                f"{page:<8} {mode:<9} {r['rate']:8.0f} {r['p50']:8.1f} {r['p99']:8.1f}"
                f" {ratio(r['rate'], baseline):9.2f}  {r['note']}".rstrip()
            )


def print_change(small: int, large: int, runs: dict) -> None:
    a, b = runs[small], runs[large]
    print(f"\nChange from {small:,} to {large:,} stories (ratio = {large:,} / {small:,})")
    print(
        f"{'page':<8} {'mode':<9} {'req/s':>8} {'req/s':>8} {'ratio':>6}"
        f" {'p50 ms':>8} {'p50 ms':>8} {'ratio':>6}"
    )
    print(f"{'':<18} {small:>8,} {large:>8,} {'':>6} {small:>8,} {large:>8,}")
    for mode in MODES:
        for page in PAGES:
            x, y = a[page, mode], b[page, mode]
            print(
                f"{page:<8} {mode:<9} {x['rate']:8.0f} {y['rate']:8.0f}"
                f" {ratio(y['rate'], x['rate']):6.2f} {x['p50']:8.1f} {y['p50']:8.1f}"
                f" {ratio(y['p50'], x['p50']):6.2f}"
            )


def targets(small: int, large: int, runs: dict) -> list[tuple[str, bool, str]]:
    """(kind, met, line) for every target."""
    checks = []

    def check(kind: str, met: bool, line: str) -> None:
        checks.append((kind, met, line))

    for size in (small, large):
        results = runs[size]

        def vs_hello(page, mode, results=results):
            return ratio(results[page, mode]["rate"], results["hello", mode]["rate"])

        for page in PAGES[1:]:
            value = vs_hello(page, "cached")
            check(
                f"cached pages >= {CACHED_TARGET:.2f} x hello",
                value >= CACHED_TARGET,
                f"cached {page} >= {CACHED_TARGET:.2f} x hello at {size:,}: {value:.2f}",
            )
        value = vs_hello("article", "uncached")
        check(
            f"uncached article >= {UNCACHED_ARTICLE_TARGET:.2f} x hello",
            value >= UNCACHED_ARTICLE_TARGET,
            f"article, its parts cached, >= {UNCACHED_ARTICLE_TARGET:.2f} x hello at {size:,}:"
            f" {value:.2f}",
        )
        for page, target in COLD_TARGETS.items():
            value = vs_hello(page, "cold")
            check(
                "every cache off",
                value >= target,
                f"cold {page} >= {target:.2f} x hello at {size:,}: {value:.3f}",
            )
        for page in PAGES[1:]:
            down, cold = results[page, "down"], results[page, "cold"]
            value = ratio(down["rate"], cold["rate"])
            answered = "Non-2xx" not in down["note"]
            check(
                "Redis stopped",
                value >= DOWN_TARGET and answered,
                f"Redis stopped: {page} all 200 ({'yes' if answered else 'NO'}), >= "
                f"{DOWN_TARGET:.2f} x cold at {size:,}: {value:.2f}",
            )
        seen = results["outage", "seen"]
        check(
            "Redis stopped",
            seen,
            f"Redis out: an edit made meanwhile is on the first page after, at {size:,}: "
            f"{'yes' if seen else 'NO'}",
        )
        quiet, busy = results["article", "quiet"], results["article", "edits"]
        value = ratio(busy["rate"], quiet["rate"])
        check(
            "an edit a second",
            value >= EDITS_TARGET and busy["max"] < SLOWEST_LIMIT_MS,
            f"an edit a second: article >= {EDITS_TARGET:.2f} x without at {size:,}: "
            f"{value:.2f}, slowest {busy['max']:.0f} ms (< {SLOWEST_LIMIT_MS:.0f})",
        )
    for mode in ("uncached", "cached"):  # as before: what the caches serve
        for page in PAGES[1:]:
            value = ratio(runs[large][page, mode]["p50"], runs[small][page, mode]["p50"])
            check(
                f"p50 at {large:,} <= {P50_GROWTH_LIMIT} x at {small:,}",
                value <= P50_GROWTH_LIMIT,
                f"{mode} {page} p50 at {large:,} <= {P50_GROWTH_LIMIT} x at {small:,}: {value:.2f}",
            )
    return checks


def editor(slug: str, seconds: int) -> None:
    """Save the story at ``slug`` once a second for ``seconds`` (printing one word per save),
    then put its headline back."""
    django_setup()
    from articles.models import Article

    story = Article.objects.get(slug=slug)
    original = story.headline
    started, n = time.monotonic(), 0
    try:
        while time.monotonic() - started < seconds:
            n += 1
            story.headline = f"{original} (edit {n})"
            story.save()
            print("saved", flush=True)
            time.sleep(max(0.0, started + n - time.monotonic()))
    finally:
        story.headline = original
        story.save()


def edit(slug: str, headline: str) -> None:
    django_setup()
    from articles.models import Article

    story = Article.objects.get(slug=slug)
    story.headline = headline
    story.save()


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import logging

    import django

    django.setup()
    logging.getLogger("django.tasks").setLevel(logging.WARNING)


# Seeding, in a subprocess with Django set up on one database ----------------------------------


def worker(start: int, stop: int, output: str) -> None:
    django_setup()
    if stop > start:
        seed(start, stop)
    refresh_reads()
    Path(output).write_text(json.dumps(pages_to_load()))


def fixtures(rng: random.Random) -> None:
    """Sections, authors, tags and the lead images (stored and resized by the project's own
    code: Image.save() normalises the file, the renditions task makes the copies)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils.text import slugify

    from articles.models import Author, Image, Section, Tag

    started = time.perf_counter()
    Section.objects.bulk_create(
        Section(name=name, slug=slugify(name), order=i) for i, (name, _share) in enumerate(SECTIONS)
    )
    images = []
    for path in sorted(DEMO_IMAGES.glob("*.jpg"))[:5]:
        title = path.stem.replace("-", " ").capitalize()
        image = Image(
            file=SimpleUploadedFile(path.name, path.read_bytes(), "image/jpeg"),
            alt_text=f"{title}, an illustration",
            caption=f"{title}.",
            credit="Illustration: Newsroom",
        )
        image.save()
        image.refresh_from_db()
        if not image.renditions:  # a queued task would make them later: make them now
            image.make_renditions()
        images.append(image)
    names = sorted({f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in range(200)})
    authors = [
        Author(
            name=name,
            slug=slugify(name),
            bio=f"{name} reports for the newsroom on politics, society and the region.",
            photo=images[i % len(images)] if i % 4 == 0 else None,
        )
        for i, name in enumerate(names[:39])
    ]
    authors.append(
        Author(
            name=STAFF,
            slug=slugify(STAFF),
            kind=Author.Kind.ORGANISATION,
            bio="Reporting by the newsroom's staff.",
        )
    )
    Author.objects.bulk_create(authors)
    Tag.objects.bulk_create(
        Tag(name=f"{place} {topic}", slug=slugify(f"{place} {topic}"))
        for place in PLACES
        for topic in TOPICS
    )
    print(
        f"  fixtures: {len(SECTIONS)} sections, {len(authors)} authors, "
        f"{len(PLACES) * len(TOPICS)} tags, {len(images)} images with renditions "
        f"({time.perf_counter() - started:.1f} s)",
        flush=True,
    )


def seed(start: int, stop: int) -> None:
    """Stories ``start`` to ``stop - 1`` in bulk, their vectors in one UPDATE, then
    VACUUM ANALYZE (as autovacuum would after a bulk load: fresh statistics, the GIN index's
    pending list flushed)."""
    import datetime as dt

    from django.db import connection, transaction
    from django.utils import timezone
    from django.utils.text import slugify

    from articles import search
    from articles.models import Article, ArticleAuthor, Author, Image, Section, Tag
    from bench.search import FILLER, paragraphs, vocabulary

    started = time.perf_counter()
    rng = random.Random(start * 100_003 + stop)  # noqa: S311 - repeatable test data
    if start == 0:
        fixtures(rng)
    sections = {s.name: s.pk for s in Section.objects.all()}
    section_ids = [sections[name] for name, _share in SECTIONS]
    section_shares = [share for _name, share in SECTIONS]
    staff = Author.objects.get(slug=slugify(STAFF)).pk
    reporters = list(Author.objects.exclude(pk=staff).values_list("pk", flat=True))
    tags = list(Tag.objects.values_list("pk", flat=True))
    images = list(Image.objects.values_list("pk", flat=True))
    words, weights = vocabulary(rng)
    pool = paragraphs(rng, words, weights)
    headline_words = words[len(FILLER) :]
    now = timezone.now()
    span = 3 * 365 * 24 * 3600
    through = Article.tags.through
    with transaction.atomic():
        for first in range(start, stop, BATCH):
            stories = []
            for i in range(first, min(first + BATCH, stop)):
                headline = " ".join(rng.choices(headline_words, k=rng.randint(6, 11)))
                dek = " ".join(rng.choices(words, weights, k=rng.randint(16, 26)))
                body = "".join(f"<p>{p}</p>" for p in rng.sample(pool, 10))
                if i % 10_000 == 500:
                    body += f"<p>Geologists named the {RARE_WORD} seam after its finder.</p>"
                stories.append(
                    Article(
                        headline=headline.capitalize(),
                        slug=f"{slugify(headline)[:80].strip('-')}-{i}",
                        dek=f"{dek.capitalize()}.",
                        body=body,
                        lead_image_id=rng.choice(images) if rng.random() < 0.9 else None,
                        section_id=rng.choices(section_ids, section_shares)[0],
                        featured=rng.random() < 0.02,
                        status=Article.Status.PUBLISHED,
                        published_at=now - dt.timedelta(seconds=rng.randrange(60, span)),
                    )
                )
            created = Article.objects.bulk_create(stories)
            bylines, links = [], []
            for story in created:
                size = rng.choice((1, 1, 1, 2, 2, 3))
                if rng.random() < 0.15:  # the staff byline, alone or with reporters
                    team = [staff, *rng.sample(reporters, size - 1)]
                else:
                    team = rng.sample(reporters, size)
                bylines += [
                    ArticleAuthor(article_id=story.pk, author_id=author, position=position)
                    for position, author in enumerate(team)
                ]
                links += [
                    through(article_id=story.pk, tag_id=tag)
                    for tag in rng.sample(tags, rng.randint(2, 4))
                ]
            ArticleAuthor.objects.bulk_create(bylines)
            through.objects.bulk_create(links)
            done = first + len(created)
            if done // 20_000 > first // 20_000 or done == stop:
                print(
                    f"  {done:,} stories ({time.perf_counter() - started:.0f} s)",
                    flush=True,
                )
    inserted = time.perf_counter()
    search.update_search_vectors(Article.objects.filter(search_vector__isnull=True))
    vectors = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    done = time.perf_counter()
    print(
        f"  seeded stories {start:,} to {stop:,} in {done - started:.1f} s: inserts "
        f"{inserted - started:.1f} s, search vectors (one UPDATE) {vectors - inserted:.1f} s, "
        f"VACUUM ANALYZE {done - vectors:.1f} s",
        flush=True,
    )


def refresh_reads() -> None:
    """Reads over the "Popular Articles" window for 60 of the 500 newest stories (the days
    move on between runs, so they are written again every time)."""
    import datetime as dt

    from articles import reads
    from articles.models import Article, DailyReads

    rng = random.Random(7)  # noqa: S311 - repeatable test data
    newest = list(
        Article.objects.published().order_by("-published_at").values_list("pk", flat=True)[:500]
    )
    first_day = reads.window_start()
    DailyReads.objects.all().delete()
    DailyReads.objects.bulk_create(
        DailyReads(article_id=pk, day=first_day + dt.timedelta(days=d), count=rng.randint(1, 400))
        for pk in rng.sample(newest, min(60, len(newest)))
        for d in range(reads.popular_days())
        if rng.random() < 0.6
    )


def pages_to_load() -> dict:
    from django.conf import settings
    from django.contrib.postgres.search import SearchQuery
    from django.db.models import Count

    from articles.models import Article, Section
    from articles.search import CONFIG

    published = Article.objects.published()
    count = published.count()
    middle = published.order_by("-published_at", "-pk").only("slug")[count // 2]
    section = Section.objects.annotate(n=Count("articles")).order_by("-n").first()
    matches = published.filter(search_vector=SearchQuery(SEARCH_WORD, config=CONFIG)).count()
    return {
        "database": settings.DATABASES["default"]["NAME"],
        "stories": count,
        "article": middle.get_absolute_url(),
        "section": section.get_absolute_url(),
        "section_stories": section.n,
        "search": f"/search/?q={SEARCH_WORD}",
        "search_matches": matches,
    }


# Main ---------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--small", type=int, default=1_000, help="stories, first run")
    parser.add_argument("--large", type=int, default=100_000, help="stories, second run")
    parser.add_argument("--reseed", action="store_true", help="seed both databases again")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)  # START STOP OUTPUT
    parser.add_argument("--editor", nargs=2, help=argparse.SUPPRESS)  # SLUG SECONDS
    parser.add_argument("--edit", nargs=2, help=argparse.SUPPRESS)  # SLUG HEADLINE
    args = parser.parse_args()
    if args.worker:
        start, stop, output = args.worker
        worker(int(start), int(stop), output)
        return
    if args.editor:
        editor(args.editor[0], int(args.editor[1]))
        return
    if args.edit:
        edit(*args.edit)
        return
    if not 0 < args.small < args.large:
        parser.error("--small must be above 0 and below --large")
    for tool, package in (("wrk", "wrk"), ("redis-server", "redis-server")):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is missing: apt-get install -y {package}")

    began = time.perf_counter()
    load = os.getloadavg()[0]
    print(f"load average before the run: {load:.2f} on {os.cpu_count()} cores", end="")
    # wrk, gunicorn and PostgreSQL share the cores: anything else running skews the figures.
    print(" (other work is running: expect noisier figures)" if load > 1.0 else "")
    if args.reseed:
        shutil.rmtree(MEDIA_ROOT, ignore_errors=True)
    MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    # DEBUG off serves static files from the collected manifest (WhiteNoise).
    manage(environment(database_url(args.small)), "collectstatic", "--no-input", "-v0")

    runs, infos = {}, {}
    with tempfile.TemporaryDirectory(prefix="bench-redis-") as folder:
        redis = RedisServer(Path(folder))
        try:
            for size, template in ((args.small, None), (args.large, args.small)):
                seeding = time.perf_counter()
                info = prepare(size, template, args.reseed)
                info["url"] = database_url(size)
                print(f"database ready in {time.perf_counter() - seeding:.1f} s; loading")
                infos[size] = info
                runs[size] = run_size(info, args.duration, args.connections, redis)
        finally:
            redis.stop()

    for size in (args.small, args.large):
        print_size(size, infos[size], runs[size], args.duration, args.connections)
    print_change(args.small, args.large, runs)
    checks = targets(args.small, args.large, runs)
    print("\nTargets")
    for _kind, met, text in checks:
        print(f"  {'MET    ' if met else 'NOT MET'}  {text}")
    kinds = dict.fromkeys(kind for kind, _met, _text in checks)
    parts = [
        f"{kind} {sum(met for k, met, _ in checks if k == kind)}/"
        f"{sum(k == kind for k, _met, _ in checks)}"
        for kind in kinds
    ]
    met = sum(met for _kind, met, _text in checks)
    verdict = "ALL TARGETS MET" if met == len(checks) else "TARGETS NOT MET"
    print(
        f"\nSummary: {verdict}: {met} of {len(checks)} met ({'; '.join(parts)}). "
        f"Whole run {time.perf_counter() - began:.0f} s."
    )


if __name__ == "__main__":
    main()
