"""The "Popular Articles" ranking: most read in the window, filled up with top stories, kept in
the database and read back in one query."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from articles import popular
from articles.models import Article, DailyReads, PopularStory
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def read(article, n, *, days_ago=0):
    DailyReads.objects.create(
        article=article, day=timezone.localdate() - dt.timedelta(days=days_ago), count=n
    )


def titles(stories):
    return [story.headline for story in stories]


def expire_the_ranking():
    PopularStory.objects.update(ranked_at=timezone.now() - dt.timedelta(hours=1))


def test_orders_by_reads_newest_first_on_ties_and_excludes_the_story():
    oldest = make_article(headline="Oldest", published_at=timezone.now() - dt.timedelta(days=3))
    older = make_article(headline="Older", published_at=timezone.now() - dt.timedelta(days=2))
    newer = make_article(headline="Newer", published_at=timezone.now() - dt.timedelta(days=1))
    current = make_article(headline="Current")
    read(oldest, 50)
    read(older, 10)
    read(newer, 10)
    read(current, 100)
    assert titles(popular.popular(current.pk, 3)) == ["Oldest", "Newer", "Older"]
    assert titles(popular.popular(oldest.pk, 3)) == ["Current", "Newer", "Older"]
    assert titles(popular.popular(None, 2)) == ["Current", "Oldest"]


def test_sums_the_window_and_old_reads_age_out(settings):
    settings.POPULAR_DAYS = 7
    steady = make_article(headline="Steady")
    was_big = make_article(headline="Was big")
    read(steady, 10, days_ago=0)
    read(steady, 10, days_ago=6)  # the 7th day back: still in
    read(was_big, 15, days_ago=1)
    read(was_big, 1000, days_ago=7)  # 8 days ago: out
    read(was_big, 1000, days_ago=30)
    assert titles(popular.popular(None, 2)) == ["Steady", "Was big"]
    settings.POPULAR_DAYS = 8  # another window: ranked again at once
    assert titles(popular.popular(None, 2)) == ["Was big", "Steady"]


def test_fills_up_with_the_newest_top_stories_then_the_newest():
    make_article(headline="Plain old", published_at=timezone.now() - dt.timedelta(days=5))
    make_article(headline="Top old", featured=True, published_at=timezone.now() - dt.timedelta(4))
    make_article(headline="Plain new", published_at=timezone.now() - dt.timedelta(hours=2))
    read_one = make_article(headline="Read", published_at=timezone.now() - dt.timedelta(days=9))
    read(read_one, 3)
    expected = ["Read", "Top old", "Plain new", "Plain old"]
    assert titles(popular.popular(None, 4)) == expected
    assert titles(popular.popular(None, 4)) == expected  # read back from the ranking kept


def test_without_reads_it_is_the_fallback_list():
    make_article(headline="Plain")
    make_article(headline="Top", featured=True)
    current = make_article(headline="Current", featured=True)
    assert titles(popular.popular(current.pk, 5)) == ["Top", "Plain"]
    assert titles(popular.popular(current.pk, 5)) == ["Top", "Plain"]


def test_lists_only_published_stories_and_drops_a_story_taken_down_at_once():
    gone = make_article(headline="Gone")
    make_article(headline="Draft", status=Article.Status.DRAFT)
    draft = Article.objects.get(headline="Draft")
    shown = make_article(headline="Shown")
    read(gone, 100)
    read(draft, 100)
    read(shown, 1)
    assert titles(popular.popular(None, 5)) == ["Gone", "Shown"]
    gone.status = Article.Status.UNPUBLISHED
    gone.save()
    assert titles(popular.popular(None, 5)) == ["Shown"]  # the ranking is still the kept one
    assert PopularStory.objects.count() == 2


def test_is_ranked_again_once_it_is_older_than_popular_cache_seconds():
    first = make_article(headline="First")
    second = make_article(headline="Second", published_at=timezone.now() - dt.timedelta(days=2))
    read(first, 5)
    read(second, 1)
    assert titles(popular.popular(None, 2)) == ["First", "Second"]
    read(second, 10, days_ago=1)
    assert titles(popular.popular(None, 2)) == ["First", "Second"]  # still the kept ranking
    expire_the_ranking()
    assert titles(popular.popular(None, 2)) == ["Second", "First"]


def test_two_rankings_at_once_never_clash():
    """Each ranking writes its places over the other's (as two requests would)."""
    stories = [make_article() for _ in range(4)]
    for n, story in enumerate(stories, start=1):
        read(story, n)
    first = popular.rank(7)
    DailyReads.objects.filter(article=stories[0]).update(count=100)
    second = popular.rank(7)
    assert [place.article_id for place in PopularStory.objects.all()] == [s.pk for s in second]
    assert first != second


@pytest.mark.parametrize("n_read", [1, 20])
def test_reading_the_ranking_is_one_query(django_assert_num_queries, n_read):
    """Ranking: the ids read in the window, the fallback's ids, the stories by id, then the
    places written (an upsert and a delete, in a savepoint here), and on PostgreSQL the places'
    statistics renewed. Reading it back: one query, however many stories were read."""
    stories = [make_article() for _ in range(max(8, n_read))]
    for n, story in enumerate(stories[:n_read], start=1):
        read(story, n)
    analyse = 1 if connection.vendor == "postgresql" else 0
    with django_assert_num_queries(1 + 3 + 2 + 2 + analyse):
        ranked = popular.popular(stories[0].pk, 5)
    with django_assert_num_queries(1):
        kept = popular.popular(stories[0].pk, 5)
    assert ranked == kept
    assert len(kept) == 5
    assert stories[0] not in kept
