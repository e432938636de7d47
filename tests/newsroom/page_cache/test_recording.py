"""What a response shows (``newsroom.page_cache.recording``)."""

import pytest
from django.contrib.auth.models import Group

from newsroom import page_cache
from newsroom.page_cache.recording import collecting, tags_of

pytestmark = pytest.mark.django_db


def test_watched_objects_made_while_rendering_are_recorded_in_every_enclosing_render():
    first = Group.objects.create(name="One")
    with collecting() as page:
        with collecting() as part:
            list(Group.objects.filter(name="One"))
            page_cache.depends_on("list:groups")
        Group.objects.get(pk=first.pk)
    assert part.tags == {f"group:{first.pk}", "list:groups"}
    assert page.tags == part.tags


def test_nothing_is_recorded_outside_a_render():
    Group.objects.create(name="One")
    page_cache.depends_on("anything")  # no error, no effect
    with collecting() as page:
        pass
    assert page.tags == set()


def test_covered_by_records_the_list_instead_of_each_object():
    Group.objects.create(name="One")
    with collecting() as page:
        with page_cache.covered_by("groups:all"):
            list(Group.objects.all())
        page_cache.depends_on("after")
    assert page.tags == {"groups:all", "after"}


def test_changes_within_keeps_the_soonest(monkeypatch):
    with collecting() as page:
        with collecting() as part:
            page_cache.changes_within(60)
        page_cache.changes_within(600)
    assert part.until == page.until


def test_tags_of_plain_keys_kept_values_and_unknown_objects():
    group = Group.objects.create(name="One")
    assert tags_of("a key") == tags_of(12) == tags_of(None) == ()
    assert tags_of(group) is None  # what it shows was not recorded for a part
    with collecting():
        value = page_cache.remember("groups", lambda: list(Group.objects.all()))
        assert f"group:{group.pk}" in tags_of(value)


def test_saving_or_deleting_a_watched_object_invalidates_its_tag(client):
    group = Group.objects.create(name="Proofreaders")
    client.get("/groups/")
    group.name = "Desk"
    group.save()
    assert "Desk" in client.get("/groups/").text
    group.delete()
    assert "Desk" not in client.get("/groups/").text
