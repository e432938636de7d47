"""Desk benchmark: the writing screen and an autosave with 100,000 stories and 10,000 images.

Seeds two PostgreSQL databases (created and migrated if missing; ``--reseed`` starts again):
``newsroom_bench_i10_small`` with 1,000 stories and 100 images, and ``newsroom_bench_i10_large``
with 100,000 stories and 10,000 images (short bodies, one or two bylines among 200 authors,
6 sections, a staff note on every 20th story). Then, for each, in one process with Django's
test client (no HTTP server, so only the application's own time is measured), it times:

- ``hello``: the bench's minimal view through the same middleware, the baseline;
- ``form``: opening the writing screen of a story (GET .../change/);
- ``add``: opening the form of a new story;
- ``autosave``: one autosave of that story (POST .../autosave/), a new text each time;
- ``desk`` and ``list``: the admin's front page and the story list, for comparison;

RUNS times each after a warm-up, and prints p50 and p95 in ms, the queries each made, the
ratio of each p50 to hello's in the same pass, and how each p50 grew from the small database
to the large one.

    .venv/bin/python bench/desk.py [--runs 40] [--reseed]
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import PYTHON, production_env  # noqa: E402 - after the path above

SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
SIZES = {"small": (1_000, 100), "large": (100_000, 10_000)}


def database_url(size: str) -> str:
    return f"{SERVER}/newsroom_bench_i10_{size}"


def environment(url: str) -> dict:
    return production_env(
        url,
        DJANGO_SETTINGS_MODULE="bench.desk_settings",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        ALLOWED_HOSTS="testserver",
        REDIS_URL="",
        CONN_MAX_AGE="60",  # as deployed: one connection kept, not one per request
        MEDIA_ROOT=str(ROOT / "bench" / ".media-desk"),
        PYTHONPATH=str(ROOT),
    )


def create_database(url: str, reseed: bool) -> bool:
    """Make the database if missing (or, with ``reseed``, anew); True if it is empty now."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reseed:
            conn.execute(f'DROP DATABASE "{name}"')
        if not exists or reseed:
            conn.execute(f'CREATE DATABASE "{name}"')
            return True
    return False


def run_child(size: str, role: str, *args: str) -> str:
    url = database_url(size)
    result = subprocess.run(
        [PYTHON, __file__, f"--{role}", size, *args],
        cwd=ROOT,
        env=environment(url),
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise SystemExit(f"{role} {size} failed:\n{result.stderr[-3000:]}")
    return result.stdout


# In the child process, with Django set up on the benchmark database.


def seed(size: str) -> None:
    import random

    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from articles.models import Article, ArticleAuthor, Author, Image, Section, StaffNote

    call_command("migrate", "--no-input", verbosity=0)
    if Article.objects.exists():
        return
    stories, pictures = SIZES[size]
    rng = random.Random(10)  # noqa: S311 - made-up content, not secrets
    editor = User.objects.create_superuser("bench-editor", "bench@example.com", "bench-password")
    sections = Section.objects.bulk_create(
        Section(name=f"Section {n}", slug=f"section-{n}", order=n) for n in range(6)
    )
    authors = Author.objects.bulk_create(
        Author(name=f"Reporter {n}", slug=f"reporter-{n}", bio="Covers the news.")
        for n in range(200)
    )
    Image.objects.bulk_create(
        Image(
            file=f"images/bench/picture-{n}.jpg",
            alt_text=f"Picture {n}",
            caption=f"Caption of picture {n}",
            credit="Photo: Bench",
            width=1600,
            height=1000,
        )
        for n in range(pictures)
    )
    image_ids = list(Image.objects.values_list("pk", flat=True))
    words = [
        "water",
        "road",
        "city",
        "council",
        "court",
        "school",
        "market",
        "rain",
        "harbour",
        "power",
    ]
    now = timezone.now()
    batch = 5_000
    for start in range(0, stories, batch):
        rows = []
        for n in range(start, min(start + batch, stories)):
            text = " ".join(rng.choice(words) for _ in range(200))
            rows.append(
                Article(
                    headline=f"Story {n}: {rng.choice(words)} {rng.choice(words)}",
                    slug=f"story-{n}",
                    dek="A sub-headline with the second news point.",
                    body=f"<p>{text}</p>",
                    status=rng.choice(["draft", "review", "published", "published", "published"]),
                    published_at=now - timezone.timedelta(minutes=n),
                    section=rng.choice(sections),
                    lead_image_id=rng.choice(image_ids),
                    owner=editor,
                    last_edited_by=editor,
                )
            )
        made = Article.objects.bulk_create(rows)
        ArticleAuthor.objects.bulk_create(
            ArticleAuthor(article=story, author=author, position=position)
            for story in made
            for position, author in enumerate(rng.sample(authors, rng.choice([1, 2])))
        )
        StaffNote.objects.bulk_create(
            StaffNote(article=story, author=editor, text="Check the figures.")
            for story in made[::20]
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def counting(count: list[int]):
    """A database execute wrapper that counts the queries made through it in ``count[0]``."""

    def counted(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    return counted


def measure(size: str, runs: int) -> None:
    import json

    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from articles.autosave import revision_of
    from articles.models import Article

    setup_test_environment()
    client = Client()
    client.force_login(User.objects.get(username="bench-editor"))
    story = Article.objects.filter(status="review").order_by("-pk").first()
    form_url = f"/admin/articles/article/{story.pk}/change/"
    autosave_url = "/admin/articles/article/autosave/"
    # Go on from an earlier run's autosave, as a freshly opened form does.
    state = {"revision": revision_of(user=story.owner, article=story), "n": 0}

    def autosave():
        state["n"] += 1
        response = client.post(
            autosave_url,
            {
                "story": story.pk,
                "seen_version": story.lock_version,
                "revision": state["revision"],
                "headline": f"{story.headline} (typing {state['n']})",
                "body": story.body + f"<p>More words {state['n']}.</p>",
            },
        )
        assert response.status_code == 200, response.content
        state["revision"] = response.json()["revision"]
        return response

    cases = {
        "hello": lambda: client.get("/hello/"),
        "form": lambda: client.get(form_url),
        "add": lambda: client.get("/admin/articles/article/add/"),
        "autosave": autosave,
        "desk": lambda: client.get("/admin/"),
        "list": lambda: client.get("/admin/articles/article/"),
    }
    results = {}
    for name, call in cases.items():
        for _ in range(3):
            response = call()
            assert response.status_code == 200, (name, response.status_code)
        count = [0]
        with connection.execute_wrapper(counting(count)):
            call()
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            call()
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        results[name] = {
            "p50": statistics.median(times),
            "p95": times[int(len(times) * 0.95) - 1],
            "queries": count[0],
        }
    print(json.dumps(results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--seed", help=argparse.SUPPRESS)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        return seed(args.seed)
    if args.measure:
        return measure(args.measure, args.runs)

    import json

    passes = {}
    for size, (stories, pictures) in SIZES.items():
        fresh = create_database(database_url(size), args.reseed)
        started = time.perf_counter()
        run_child(size, "seed")
        if fresh:
            print(
                f"seeded {size}: {stories:,} stories, {pictures:,} images "
                f"in {time.perf_counter() - started:.0f} s"
            )
        passes[size] = json.loads(run_child(size, "measure", "--runs", str(args.runs)))

    print()
    print(f"{'':10}{'small (1,000 / 100)':>34}{'large (100,000 / 10,000)':>36}{'growth':>9}")
    print(
        f"{'':10}{'p50 ms':>9}{'p95 ms':>9}{'queries':>8}{'x hello':>8}"
        f"{'p50 ms':>11}{'p95 ms':>9}{'queries':>8}{'x hello':>8}{'p50':>9}"
    )
    for name in passes["small"]:
        small, large = passes["small"][name], passes["large"][name]
        print(
            f"{name:10}{small['p50']:9.1f}{small['p95']:9.1f}{small['queries']:8d}"
            f"{small['p50'] / passes['small']['hello']['p50']:8.1f}"
            f"{large['p50']:11.1f}{large['p95']:9.1f}{large['queries']:8d}"
            f"{large['p50'] / passes['large']['hello']['p50']:8.1f}"
            f"{large['p50'] / small['p50']:9.2f}"
        )
    print(
        "\nx hello: p50 over the hello view's p50 in the same pass; growth: large p50 over small."
    )


if __name__ == "__main__":
    main()
