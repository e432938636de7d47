"""Scheduled changes (``newsroom.page_cache.schedule``): pages stored before one are stale
after it, the sources say what it invalidates, and a CDN never keeps a page past it."""

import datetime as dt
import time

import pytest
from django.utils import timezone

from newsroom.page_cache.store import SCHEDULE, store
from tests.newsroom.page_cache import site

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("any_cache")]


def s_maxage(response) -> int:
    return int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0])


def test_a_cdn_never_keeps_a_page_past_the_next_scheduled_change(client, settings):
    site.Schedule.next_change = timezone.now() + dt.timedelta(seconds=100)
    assert 95 < s_maxage(client.get("/plain/")) <= 100 < settings.PAGE_CDN_SECONDS
    site.Schedule.next_change = None  # unscheduled (a write forgets the record)
    store().delete(SCHEDULE)
    assert s_maxage(client.get("/plain/")) == settings.PAGE_CDN_SECONDS


def test_when_a_change_comes_due_older_pages_are_stale_and_its_tags_invalidated(client):
    client.get("/plain/")
    client.get("/groups/")
    # The moment comes (recorded as the next change, now past; without waiting for it):
    site.Schedule.due_tags = ("thing:1",)
    store().write({SCHEDULE: time.time()}, 60)
    response = client.get("/groups/")
    assert response["X-Page-Cache"] == "miss"  # stored before the change
    assert len(site.Schedule.asked) == 1  # the sources were asked once...
    since, until = site.Schedule.asked[0]
    assert since <= until <= timezone.now()
    assert client.get("/groups/")["X-Page-Cache"] in {"hit", "hit-local"}
    assert client.get("/plain/")["X-Page-Cache"] == "miss"  # ...and what they named is stale
    assert len(site.Schedule.asked) == 1
