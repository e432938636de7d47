"""Search benchmark: full-text search over N published stories on PostgreSQL.

Seeds N stories (default 10,000; ~900-word bodies drawn from a word list with a Zipf-like
spread, a few tags each) into a separate database, newsroom_bench_search (created and
migrated if missing), with bulk_create and then one UPDATE computing every search vector in
SQL. Then times what the search page does, without HTTP (``articles.search.search``, the
paginator's COUNT, the first page and its snippets), for a common word, a rare word, a
phrase and a word that matches nothing, RUNS times each, and prints p50/p95 in ms and the
query plan of each (the GIN index ``article_search_gin`` should appear).

    .venv/bin/python bench/search.py [--stories 10000] [--runs 50] [--reseed]
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import ensure_database, manage, production_env  # noqa: E402 - after the path above

PYTHON = sys.executable
BENCH_DB = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom_bench_search"
)

COMMON = [
    "government",
    "minister",
    "city",
    "police",
    "court",
    "report",
    "year",
    "people",
    "water",
    "school",
    "market",
    "plan",
    "president",
    "security",
    "price",
    "week",
    "country",
    "health",
    "family",
    "election",
    "council",
    "project",
    "road",
    "company",
    "army",
    "border",
    "budget",
    "village",
    "worker",
    "festival",
    "museum",
    "train",
    "hospital",
    "energy",
    "farmer",
    "student",
    "church",
    "mosque",
    "synagogue",
    "harbour",
    "desert",
    "river",
    "mountain",
    "coast",
    "island",
]
FILLER = [
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "on",
    "for",
    "with",
    "at",
    "by",
    "from",
    "that",
    "this",
    "was",
    "were",
    "is",
    "are",
    "has",
    "had",
    "will",
    "said",
    "also",
    "after",
    "before",
    "while",
    "more",
    "most",
    "other",
    "some",
    "many",
    "new",
    "first",
    "last",
]
RARE_WORD = "zanzibarite"  # in about ten stories
PHRASE = ("olive", "harvest")  # side by side in about 2% of stories
QUERIES = {
    "common word": "government",
    "rare word": RARE_WORD,
    "phrase": '"olive harvest"',
    "no match": "xylophonequux",
}


def environment() -> dict:
    return production_env(BENCH_DB)


def migrate(env):
    manage(env, "migrate", "--no-input", "-v0")


def vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """Real words first, then made-up ones; weights fall with rank (Zipf-like)."""
    syllables = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "shi", "dan", "el", "or", "ben"]
    made_up = {"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(6000)}
    words = FILLER + COMMON + sorted(made_up)
    weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(words))]
    return words, weights


def paragraphs(rng, words, weights, count=3000, size=90) -> list[str]:
    """A pool of paragraphs that bodies are drawn from (drawing each word of 9 million
    one by one would take most of the time budget)."""
    return [
        " ".join(rng.choices(words, weights=weights, k=size)).capitalize() + "."
        for _ in range(count)
    ]


def body(rng, pool, n_paragraphs=10) -> str:
    chosen = rng.sample(pool, n_paragraphs)
    if rng.random() < 0.02:
        at = rng.randrange(n_paragraphs)
        chosen[at] = f"{chosen[at][:-1]} {' '.join(PHRASE)}."
    return "".join(f"<p>{p}</p>" for p in chosen)


def seed(n: int, reseed: bool) -> None:
    import datetime as dt

    from django.db import connection, transaction
    from django.utils import timezone

    from articles import search
    from articles.models import Article, Section, Tag

    if not reseed and Article.objects.filter(slug__startswith="bench-").count() == n:
        print(f"{n:,} stories already seeded")
        return
    rng = random.Random(42)  # noqa: S311 - repeatable test data, not secrets
    words, weights = vocabulary(rng)
    pool = paragraphs(rng, words, weights)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE articles_article CASCADE")
    section, _ = Section.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    tags = [
        Tag.objects.get_or_create(slug=f"bench-{w}", defaults={"name": f"Bench {w}"})[0]
        for w in COMMON[:40]
    ]
    rare = set(rng.sample(range(n), 10))
    now = timezone.now()
    through = Article.tags.through
    with transaction.atomic():
        for start in range(0, n, 1000):
            batch = []
            for i in range(start, min(start + 1000, n)):
                text = body(rng, pool)
                if i in rare:
                    text += f"<p>The {RARE_WORD} deposit.</p>"
                headline = " ".join(rng.choices(words[len(FILLER) :], k=6)).capitalize()
                batch.append(
                    Article(
                        headline=headline,
                        slug=f"bench-{i}",
                        dek=" ".join(rng.choices(words, weights=weights, k=15)),
                        body=text,
                        section=section,
                        status=Article.Status.PUBLISHED,
                        published_at=now - dt.timedelta(minutes=rng.randrange(2 * 365 * 24 * 60)),
                    )
                )
            created = Article.objects.bulk_create(batch)
            through.objects.bulk_create(
                through(article_id=a.pk, tag_id=t.pk) for a in created for t in rng.sample(tags, 2)
            )
    inserted = time.perf_counter()
    search.update_search_vectors(Article.objects.all())  # one UPDATE, vectors made in SQL
    print(
        f"seeded {n:,} stories: insert {inserted - started:.1f} s, "
        f"search vectors (one UPDATE) {time.perf_counter() - inserted:.1f} s"
    )


def vacuum() -> None:
    """Flush the GIN index's pending list and refresh statistics, as autovacuum would after
    a bulk load: until then the planner prices the index scan too high and reads every
    row's vector instead."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE articles_article")


def search_page(query: str):
    """What the search view does, without HTTP and templates."""
    from django.conf import settings
    from django.core.paginator import Paginator

    from articles import search

    page = Paginator(search.search(query), settings.LIST_PAGE_SIZE).page(1)
    stories = list(page.object_list)
    search.add_snippets(stories, query)
    return page.paginator.count, stories


def percentile(values, p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stories", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()

    env = environment()
    ensure_database(BENCH_DB)
    migrate(env)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    from django.conf import settings

    from articles import search

    seed(args.stories, args.reseed)
    vacuum()
    print(f"\n{'query':<12} {'text':<16} {'matches':>8} {'p50 ms':>8} {'p95 ms':>8}")
    plans = {}
    for label, query in QUERIES.items():
        search_page(query)  # warm the cache
        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            count, _stories = search_page(query)
            timings.append((time.perf_counter() - started) * 1000)
        print(
            f"{label:<12} {query:<16} {count:>8,} {statistics.median(timings):>8.1f}"
            f" {percentile(timings, 95):>8.1f}"
        )
        plans[label] = search.search(query)[: settings.LIST_PAGE_SIZE].explain(analyze=True)
    for label, plan in plans.items():
        uses = "uses" if "article_search_gin" in plan else "does NOT use"
        print(f"\nEXPLAIN ANALYZE, {label} ({uses} article_search_gin):\n{plan}")


if __name__ == "__main__":
    main()
