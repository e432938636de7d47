"""The demo is loaded once: running it again changes nothing, and what an editor changed,
deleted or wrote stays as they left it."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.models import Article, DemoStory, Section

EDITED = "haifa-glass-exhibition"
DELETED = "late-autumn-heatwave-forecast"


def load(**kwargs) -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out, **kwargs)
    return out.getvalue()


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    settings.SITE_URL = "http://127.0.0.1:8130"
    return load()


@pytest.mark.django_db
def test_the_demo_loads_every_story_and_prints_the_address_it_serves(demo):
    assert "Demo stories: 15 loaded" in demo
    assert "Demo admin: http://127.0.0.1:8130/admin/" in demo
    assert "8000" not in demo
    assert Article.objects.count() == 15
    assert DemoStory.objects.count() == 15


@pytest.mark.django_db
def test_running_it_again_changes_nothing(demo):
    versions = dict(Article.objects.values_list("slug", "lock_version"))
    assert "Demo stories: 15 unchanged" in load()
    assert dict(Article.objects.values_list("slug", "lock_version")) == versions


@pytest.mark.django_db
def test_an_editors_change_and_deletion_are_never_undone(demo):
    story = Article.objects.get(slug=EDITED)
    story.headline = "An editor's better headline"
    story.save()
    Article.objects.get(slug=DELETED).delete()
    section = Section.objects.get(slug="culture")
    section.description = "The editor's own words."
    section.save()
    out = load()
    assert "2 kept, 13 unchanged" in out
    assert "edited since it was loaded" in out
    assert "deleted since it was loaded" in out
    assert Article.objects.get(slug=EDITED).headline == "An editor's better headline"
    assert not Article.objects.filter(slug=DELETED).exists()
    assert Section.objects.get(slug="culture").description == "The editor's own words."


@pytest.mark.django_db
def test_a_changed_demo_file_updates_only_a_story_nobody_touched(demo):
    record = DemoStory.objects.get(slug=EDITED)
    record.digest = "an older file"
    record.save()
    story = Article.objects.get(slug=EDITED)
    story.headline = "Changed in the database, as an older file had it"
    Article.objects.filter(pk=story.pk).update(headline=story.headline)  # no version bump
    assert "14 unchanged, 1 updated" in load()
    assert Article.objects.get(slug=EDITED).headline != story.headline
    record.refresh_from_db()
    assert record.lock_version == Article.objects.get(slug=EDITED).lock_version


@pytest.mark.django_db
def test_a_story_of_the_same_address_written_by_the_newsroom_is_kept(settings):
    settings.DEBUG = True
    Article.objects.create(headline="Ours", slug=EDITED, body="<p>Ours.</p>")
    out = load()
    assert "1 kept, 14 loaded" in out
    assert Article.objects.get(slug=EDITED).headline == "Ours"


@pytest.mark.django_db
def test_it_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=1"):
        load()
