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

For each size, two passes, each with its own gunicorn (2 workers, as `make serve` runs it,
the project's gunicorn.conf.py when there is one, access log off), DEBUG off, the cache in
Redis db 3 (flushed before each pass, that db only):

- cold: every cache off (Django's dummy cache), for comparison only: each request reads
  everything from the database and renders it;
- uncached: PAGE_CACHE_SECONDS=0 (the full-page cache off; the parts pages share, such as
  the story itself, the side lists and the navigation, still come from the cache);
- cached: the full-page cache as configured, in Redis;
- local: the same with the cache in each worker's memory (no Redis), for comparison only.

Each pass loads /hello/ (a view returning "hello" through the same middleware: the
framework's baseline), the home page, an article from the middle of the archive, the
largest section, a search for a word most stories contain and the RSS feed, each with
`wrk -t2 -c16 -d10s --latency` after a check that it answers 200 and a few warm-up requests.

Prints requests/s, p50 and p99 per page and mode with the ratio to the baseline measured in
the same pass, how each figure changed from the small to the large size, and the targets:
every cached page >= 0.80 x the baseline, the uncached article >= 0.25 x the baseline, and
every page's p50 at the large size <= 1.3 x its p50 at the small size. Exits 0 either way.
Loopback only; every wait is bounded; gunicorn is always stopped.

    .venv/bin/python bench/pages.py [--duration 10] [--connections 16]
                                    [--small 1000] [--large 100000] [--reseed]
"""

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
BENCH_DB = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom_bench_pages"
)
MEDIA_ROOT = ROOT / "bench" / ".media"
STATIC_ROOT = ROOT / "bench" / ".static"  # where settings read STATIC_ROOT from the environment
REDIS_URL = "redis://127.0.0.1:6379/3"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
DEMO_IMAGES = ROOT / "articles" / "demo" / "images"

PAGES = ["hello", "home", "article", "section", "search", "feed"]
# For comparison only (no target): "cold", every cache off (each request renders everything
# from the database), and "local", the page cache in each worker's memory instead of Redis
# (what the round trip to Redis costs a cached page).
MODES = ["cold", "uncached", "cached", "local"]
SEARCH_WORD = "government"  # in most bodies (a frequent word of bench/search.py's vocabulary)
RARE_WORD = "quetzalcoatlite"  # in one story in 10,000
WARM_UP = 5  # requests per page before it is loaded
BATCH = 2000  # stories per INSERT

CACHED_TARGET = 0.80  # a cached page's throughput, as a share of the baseline's
UNCACHED_ARTICLE_TARGET = 0.25
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


def database_name(url: str) -> str:
    return url.rsplit("/", 1)[1]


def environment(url: str, **extra) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only",
        "DATABASE_URL": url,
        "CONN_MAX_AGE": "60",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "MEDIA_ROOT": str(MEDIA_ROOT),
        "STATIC_ROOT": str(STATIC_ROOT),
        # Plain HTTP on loopback: no redirect to HTTPS (as `make serve` runs it).
        "SECURE_SSL_REDIRECT": "0",
        "REDIS_URL": REDIS_URL,
        "TASKS_BACKEND": "immediate",
        **extra,
    }


def admin_connection():
    import psycopg

    return psycopg.connect(BENCH_DB.rsplit("/", 1)[0] + "/postgres", autocommit=True)


def create_database(url: str, template: str | None = None) -> None:
    """(Re)create the database, empty or as a copy of ``template``."""
    name = database_name(url)
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if template is None:
            conn.execute(f'CREATE DATABASE "{name}"')
            return
        source = database_name(template)
        # A copy needs the source to itself: our gunicorn and seeding connections are gone
        # by now, but their backends (or autovacuum) may linger a moment.
        for attempt in range(10):
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [source],
            )
            try:
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
                return
            except Exception as exc:
                if "being accessed by other users" not in str(exc) or attempt == 9:
                    raise
                time.sleep(1)


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


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, timeout=600)


def prepare(size: int, template_size: int | None, reseed: bool) -> dict:
    """The database of ``size`` stories, seeded if need be; what the pages to load are."""
    url = database_url(size)
    env = environment(url)
    start = size
    if not reseed and story_count(url) == size and media_complete(url):
        print(f"{database_name(url)}: {size:,} stories already seeded (--reseed seeds again)")
    elif template_size is not None and story_count(database_url(template_size)) == template_size:
        create_database(url, template=database_url(template_size))
        start = template_size
        print(f"{database_name(url)}: a copy of the {template_size:,} stories, adding the rest")
    else:
        create_database(url)
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


def flush_cache() -> None:
    """Empty the benchmark's Redis database (db 3, and only it)."""
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_timeout=5, socket_connect_timeout=5)
        client.flushdb()
        client.close()
    except Exception as exc:  # no redis-py, no server: the pass runs on whatever cache is set
        print(f"(could not flush {REDIS_URL}: {exc})")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Gunicorn reads this: the project's gunicorn.conf.py, if any, then the benchmark's overrides.
GUNICORN_CONFIG = """\
import os
import runpy

_project = {project!r}
if os.path.exists(_project):
    globals().update(
        {{k: v for k, v in runpy.run_path(_project).items() if not k.startswith("__")}}
    )
raw_env = [e for e in globals().get("raw_env", []) if not e.startswith("DJANGO_SETTINGS_MODULE=")]
raw_env.append("DJANGO_SETTINGS_MODULE=bench.settings")
workers = 2
bind = [{bind!r}]
accesslog = None
loglevel = "warning"
daemon = False
pidfile = None
reload = False
"""


@contextlib.contextmanager
def gunicorn(env: dict):
    """gunicorn on a free loopback port; yields the port; always stopped afterwards."""
    port = free_port()
    bind = f"127.0.0.1:{port}"
    with tempfile.NamedTemporaryFile("w", prefix="gunicorn-bench-", suffix=".py") as config:
        config.write(GUNICORN_CONFIG.format(project=str(ROOT / "gunicorn.conf.py"), bind=bind))
        config.flush()
        command = [GUNICORN, "newsroom.wsgi", "-c", config.name, "--workers", "2", "--bind", bind]
        process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    get(port, "/hello/", timeout=2)
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit("gunicorn did not start") from None
                    time.sleep(0.2)
            yield port
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=15)


def get(port: int, path: str, timeout: float = 60) -> tuple[int, str]:
    """Status and Location of one GET (redirects are not followed)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"User-Agent": USER_AGENT})
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("Location") or ""
    finally:
        conn.close()


def check_and_warm(port: int, path: str) -> None:
    for _ in range(WARM_UP):
        status, location = get(port, path)
        if status != 200:
            moved = f" to {location}" if location else ""
            raise SystemExit(f"GET {path} answered {status}{moved}, not 200: nothing measured")


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def wrk(url: str, duration: int, connections: int) -> dict:
    """Requests/s, p50 and p99 (ms) of one wrk run, and wrk's note of errors (if any)."""
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "--timeout",
        "30s",  # wrk's default of 2 s would drop, not time, a slow page's answers
        "-H",
        f"User-Agent: {USER_AGENT}",
        url,
    ]
    out = subprocess.run(
        command, check=True, capture_output=True, text=True, timeout=duration + 60
    ).stdout

    def latency(percent: str) -> float:
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
        return float(match.group(1)) * UNITS_MS[match.group(2)] if match else float("nan")

    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    problems = " ".join(
        line.strip() for line in out.splitlines() if "Non-2xx" in line or "Socket errors" in line
    )
    return {
        "rate": float(rate.group(1)) if rate else 0.0,
        "p50": latency("50"),
        "p99": latency("99"),
        "note": problems,
    }


def run_size(info: dict, duration: int, connections: int) -> dict:
    """Both passes over one database; results by (page, mode)."""
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
        flush_cache()
        env = environment(info["url"])
        env.pop("PAGE_CACHE_SECONDS", None)  # the default, unless:
        if mode in ("uncached", "cold"):
            env["PAGE_CACHE_SECONDS"] = "0"
        if mode == "cold":
            env["BENCH_NO_CACHE"] = "1"
        if mode == "local":
            env.pop("REDIS_URL", None)
        with gunicorn(env) as port:
            for path in paths.values():
                check_and_warm(port, path)
            for page, path in paths.items():
                result = wrk(f"http://127.0.0.1:{port}{path}", duration, connections)
                results[page, mode] = result
                print(
                    f"  {info['stories']:>7,} {mode:<8} {page:<8} {result['rate']:8.0f} req/s"
                    f"  p50 {result['p50']:7.1f} ms  p99 {result['p99']:7.1f} ms  {result['note']}",
                    flush=True,
                )
    return results


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
    for size in (small, large):
        results = runs[size]
        for page in PAGES[1:]:
            value = ratio(results[page, "cached"]["rate"], results["hello", "cached"]["rate"])
            checks.append(
                (
                    "cached pages >= 0.80 x hello",
                    value >= CACHED_TARGET,
                    f"cached {page} >= {CACHED_TARGET:.2f} x hello at {size:,}: {value:.2f}",
                )
            )
        value = ratio(results["article", "uncached"]["rate"], results["hello", "uncached"]["rate"])
        checks.append(
            (
                "uncached article >= 0.25 x hello",
                value >= UNCACHED_ARTICLE_TARGET,
                f"uncached article >= {UNCACHED_ARTICLE_TARGET:.2f} x hello at {size:,}: "
                f"{value:.2f}",
            )
        )
    for mode in ("uncached", "cached"):  # "local" is for comparison only
        for page in PAGES[1:]:
            value = ratio(runs[large][page, mode]["p50"], runs[small][page, mode]["p50"])
            checks.append(
                (
                    f"p50 at {large:,} <= 1.3 x at {small:,}",
                    value <= P50_GROWTH_LIMIT,
                    f"{mode} {page} p50 at {large:,} <= {P50_GROWTH_LIMIT} x at {small:,}: "
                    f"{value:.2f}",
                )
            )
    return checks


# Seeding, in a subprocess with Django set up on one database ----------------------------------


def worker(start: int, stop: int, output: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import logging

    import django

    django.setup()
    logging.getLogger("django.tasks").setLevel(logging.WARNING)  # a line per rendition task
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
    args = parser.parse_args()
    if args.worker:
        start, stop, output = args.worker
        worker(int(start), int(stop), output)
        return
    if not 0 < args.small < args.large:
        parser.error("--small must be above 0 and below --large")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")

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
    for size, template in ((args.small, None), (args.large, args.small)):
        seeding = time.perf_counter()
        info = prepare(size, template, args.reseed)
        info["url"] = database_url(size)
        print(f"database ready in {time.perf_counter() - seeding:.1f} s; loading the pages")
        infos[size] = info
        runs[size] = run_size(info, args.duration, args.connections)

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
