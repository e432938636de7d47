"""Reordering the front page in the admin's list: editors swap and rotate places in one save,
and two stories given one place are refused with the reason, nothing changed."""

import pytest

from articles.models import FrontPageSlot
from tests.factories import logged_in, make_article, make_user

pytestmark = pytest.mark.django_db

LIST = "/admin/articles/frontpageslot/"


@pytest.fixture
def places():
    return [
        FrontPageSlot.objects.create(position=n, article=make_article(headline=f"Story {n}"))
        for n in (1, 2, 3)
    ]


def save_list(client, new_places: dict):
    """POST the list's form as the browser does, with ``new_places`` {slot: place}."""
    data = {
        "form-TOTAL_FORMS": str(len(new_places)),
        "form-INITIAL_FORMS": str(len(new_places)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for n, (slot, place) in enumerate(new_places.items()):
        data[f"form-{n}-id"] = str(slot.pk)
        data[f"form-{n}-position"] = str(place)
    return client.post(LIST, data)


def order() -> list[str]:
    return [slot.article.headline for slot in FrontPageSlot.objects.select_related("article")]


def test_an_editor_swaps_the_lead_and_the_second_story(places):
    editor = logged_in(make_user("Editors"))
    first, second, third = places
    response = save_list(editor, {first: 2, second: 1, third: 3})
    assert response.status_code == 302
    assert order() == ["Story 2", "Story 1", "Story 3"]
    assert list(FrontPageSlot.objects.values_list("position", flat=True)) == [1, 2, 3]


def test_an_editor_rotates_three_places_in_one_save(places):
    editor = logged_in(make_user("Editors"))
    first, second, third = places
    assert save_list(editor, {first: 2, second: 3, third: 1}).status_code == 302
    assert order() == ["Story 3", "Story 1", "Story 2"]


def test_two_stories_given_one_place_are_refused_and_nothing_changes(places):
    editor = logged_in(make_user("Editors"))
    first, second, third = places
    response = save_list(editor, {first: 2, second: 2, third: 3})
    assert response.status_code == 200
    assert "Place 2 is given to two stories: “Story 1” and “Story 2”." in response.text
    assert order() == ["Story 1", "Story 2", "Story 3"]


def test_a_place_held_by_a_story_not_in_the_list_is_refused(places):
    """Only the rows posted are in the form (a filtered or paged list): a place held by
    another row still counts."""
    editor = logged_in(make_user("Editors"))
    first, _, third = places
    response = save_list(editor, {first: 2, third: 3})
    assert response.status_code == 200
    assert "Place 2 is given to two stories: “Story 2” and “Story 1”." in response.text
    assert order() == ["Story 1", "Story 2", "Story 3"]


def test_the_list_says_what_readers_see_of_each_place(places):
    """Each row: the place, the headline (a link to the place) and, under it, whether readers
    see it; a draft pinned to a place is listed as not shown."""
    import datetime as dt

    from django.utils import timezone

    FrontPageSlot.objects.create(
        position=4, article=make_article(headline="A draft", status="draft")
    )
    FrontPageSlot.objects.create(
        position=5,
        article=make_article(
            headline="Tomorrow's", published_at=timezone.now() + dt.timedelta(days=1)
        ),
    )
    page = logged_in(make_user("Editors")).get(LIST).text
    first = FrontPageSlot.objects.get(position=1)
    assert f'<a href="/admin/articles/frontpageslot/{first.pk}/change/">Story 1</a><br>' in page
    assert "Story 1</a><br>On the front page, published <time datetime=" in page
    assert "A draft</a><br>Draft: not shown" in page
    assert "Tomorrow&#x27;s</a><br>Scheduled: shown once published" in page
