"""The digest treats a live story as one story: listed once when it is published, however
many updates it gets, and not again in a later digest because of new updates."""

import datetime as dt

import pytest
from django.utils import timezone

from articles.models import LiveUpdate
from newsletter import sending
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_a_live_story_with_many_updates_is_one_story_in_the_digest():
    now = timezone.now()
    # Published times of their own: the factory's default steps back a minute per story made
    # in the session, which leaves this digest's window once the whole suite has run.
    live = make_article(
        headline="Storm over the coast", live=True, published_at=now - dt.timedelta(hours=1)
    )
    other = make_article(headline="Budget passes", published_at=now - dt.timedelta(hours=2))
    LiveUpdate.objects.bulk_create(
        LiveUpdate(
            article=live,
            published_at=now - dt.timedelta(minutes=i),
            text=f"<p>Update {i}.</p>",
        )
        for i in range(30)
    )
    digest = sending.create_digest(since=now - dt.timedelta(days=1))
    assert sorted(digest.stories.values_list("pk", flat=True)) == sorted([live.pk, other.pk])
    LiveUpdate.objects.create(article=live, text="<p>One more, after the digest.</p>")
    assert sending.create_digest() is None  # new updates are not a new story
