"""`manage.py import_wordpress`: the rows an export becomes."""

import datetime as dt

import pytest
from django.core.management.base import CommandError

from articles.models import (
    Article,
    Author,
    Image,
    OldAddress,
    Section,
    Tag,
    Transition,
    WordPressItem,
)
from tests.articles.wordpress.conftest import run_import

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def story(wp_id) -> Article:
    return WordPressItem.objects.get(kind="post", wp_id=str(wp_id)).article


def test_every_state_becomes_its_newsroom_state(imported):
    assert story(101).status == Article.Status.PUBLISHED
    assert story(101).is_public
    assert story(103).status == Article.Status.DRAFT
    assert story(103).published_at is None
    assert story(104).status == Article.Status.REVIEW
    regatta = story(105)
    assert regatta.is_scheduled
    assert regatta.published_at == dt.datetime(2099, 6, 1, 7, 0, tzinfo=UTC)
    assert story(106).status == Article.Status.UNPUBLISHED  # private
    assert story(107).status == Article.Status.UNPUBLISHED  # password-protected
    assert not WordPressItem.objects.filter(kind="post", wp_id="108").exists()  # trash
    assert Article.objects.count() == 8
    # Nobody logged in moved them: the import is the first transition of each.
    assert Transition.objects.filter(by=None).count() == 8


def test_a_story_has_its_fields_times_section_tags_and_byline(imported):
    ferry = story(101)
    assert ferry.headline == "The ferry to the islands sails again"
    assert ferry.slug == "ferry-sails-again"
    assert (
        ferry.dek
        == "After three weeks of storm repairs, the island ferry is back on its timetable."
    )
    assert ferry.featured  # sticky
    assert ferry.published_at == dt.datetime(2026, 11, 5, 8, 15, tzinfo=UTC)
    assert ferry.updated_at == dt.datetime(2026, 11, 6, 10, 0, tzinfo=UTC)
    assert ferry.seo_title == "Island ferry back on timetable"
    assert (
        ferry.description
        == "The island ferry sails again after storm repairs: three sailings a day."
    )
    # Nested: "World > Europe" files the story under World, with Europe as a tag.
    assert ferry.section.name == "World"
    assert sorted(ferry.tags.values_list("name", flat=True)) == ["Europe", "Ferries", "Harbour"]
    assert [a.name for a in ferry.byline] == ["Jane Doe"]

    cafes = story(102)
    assert cafes.headline == "Cafés on the quay stay open late"  # the entity decoded
    assert cafes.description == "Quay cafés may stay open until midnight."  # Rank Math
    assert cafes.section.name == "Local"
    assert list(cafes.tags.values_list("name", flat=True)) == ["Café culture"]
    assert story(103).section is None  # Uncategorized is no section


def test_people_are_authors_and_no_login_is_made(imported, django_user_model):
    desk = Author.objects.get(name="Harbour Gazette Staff")
    assert desk.kind == Author.Kind.ORGANISATION
    assert [a.name for a in story(102).byline] == ["Harbour Gazette Staff"]
    assert Author.objects.get(name="Yossi Levi").kind == Author.Kind.PERSON
    assert not django_user_model.objects.exists()


def test_non_ascii_names_are_kept(imported):
    hebrew = story(109)
    assert hebrew.headline == "חדשות הנמל"
    assert hebrew.dek == "המעבורת חוזרת"
    assert hebrew.section.name == "חדשות"
    assert hebrew.section.slug == "section-6"  # addresses are ASCII: the term ID
    assert hebrew.slug == "post-109"


def test_the_summary_counts_everything(imported):
    out, err = imported
    assert "Stories: 8 read, 0 failed" in out
    assert "created: 8 (" in out
    assert "1 draft" in out
    assert "1 review" in out
    assert "1 scheduled" in out
    assert "Skipped: 3 comment(s)" in out
    assert "1 menu items" in out
    assert "1 pages" in out
    assert "1 posts in state trash" in out
    assert "1 script(s) and 1 iframe(s) dropped" in out
    assert "3 embed(s) as links" in out
    assert "Not imported: comments, pages, menus, widgets" in out
    assert "post 101" in err
    assert "dropped 1 script(s), 1 iframe(s)" in err
    assert "post 107" in err
    assert "password-protected" in err


def test_a_bad_item_is_reported_and_the_rest_goes_on(tmp_path):
    text = (tmp_path / "x").parent.joinpath("bad.xml")
    good = _item(501, "A good story", "publish")
    bad = _item(502, "", "publish")  # a published post without a title
    odd = _item(503, "A state nobody knows", "limbo")
    text.write_text(_export(good + bad + odd))
    with pytest.raises(CommandError, match="2 item"):
        run_import(text)
    assert Article.objects.get().headline == "A good story"
    _out, err = _capture_failed(text)
    assert "FAILED post 502 '': a published post without a title" in err
    assert "FAILED post 503 'A state nobody knows': unknown state 'limbo'" in err


def test_a_dry_run_writes_nothing_and_says_what_would_happen(export, uploads):
    out, _ = run_import(export, uploads=str(uploads), dry_run=True)
    assert "Dry run: nothing was written." in out
    assert "would be created: 8" in out
    for model in (Article, Author, Section, Tag, Image, OldAddress, WordPressItem):
        assert not model.objects.exists(), model


def test_a_second_run_changes_nothing(imported, export, uploads):
    before = {a.pk: (a.lock_version, a.modified_at) for a in Article.objects.all()}
    recorded = dict(WordPressItem.objects.values_list("pk", "imported_at"))
    images = Image.objects.count()
    out, _ = run_import(export, uploads=str(uploads), author_map=["desk=Harbour Gazette Staff"])
    assert "unchanged: 8" in out
    assert {a.pk: (a.lock_version, a.modified_at) for a in Article.objects.all()} == before
    assert Image.objects.count() == images
    assert dict(WordPressItem.objects.values_list("pk", "imported_at")) == recorded


def test_a_changed_post_is_updated_and_an_edited_story_is_kept(imported, export, uploads):
    edited = story(102)
    edited.headline = "Quay cafés to stay open until midnight"
    edited.save()
    text = export.read_text()
    text = text.replace("Tickets are sold on board.", "Tickets are sold on board and online.")
    text = text.replace("The council voted on Tuesday", "The council voted on Monday")
    export.write_text(text)
    out, err = run_import(export, uploads=str(uploads), author_map=["desk=Harbour Gazette Staff"])
    assert "updated: 1" in out
    assert "sold on board and online" in story(101).body
    assert "CONFLICT post 102" in err
    kept = story(102)
    assert kept.headline == "Quay cafés to stay open until midnight"
    assert "Tuesday" in kept.body


def test_a_story_deleted_in_newsroom_is_not_brought_back(imported, export, uploads):
    story(104).delete()
    export.write_text(export.read_text().replace("council's figures", "council's new figures"))
    out, _ = run_import(export, uploads=str(uploads), author_map=["desk=Harbour Gazette Staff"])
    assert "skipped post 104 'Harbour dues to rise in spring': deleted in Newsroom since" in out
    assert Article.objects.count() == 7


def test_the_mapping_file_chooses_sections_and_bylines(export, uploads, tmp_path):
    rules = tmp_path / "map.yaml"
    rules.write_text(
        "sections:\n  europe: Europe Desk\n  local:\n"
        "authors:\n  jdoe: {bio: Jane covers the harbour.}\n"
        "  yossi: {name: Gazette Wire, organisation: true}\n"
    )
    run_import(export, uploads=str(uploads), map_file=str(rules))
    assert story(101).section.name == "Europe Desk"
    assert story(102).section is None
    assert Author.objects.get(name="Jane Doe").bio == "Jane covers the harbour."
    assert Author.objects.get(name="Gazette Wire").kind == Author.Kind.ORGANISATION


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sectons: {}\n", "unknown key 'sectons'"),
        ("authors:\n  jdoe: {nme: X}\n", "unknown key 'nme' in authors.jdoe"),
        ("- a list\n", "must be a mapping"),
    ],
)
def test_a_bad_mapping_file_stops_before_anything(export, tmp_path, text, message):
    rules = tmp_path / "map.yaml"
    rules.write_text(text)
    with pytest.raises(CommandError, match=message):
        run_import(export, map_file=str(rules))
    assert not Article.objects.exists()


# --- helpers --------------------------------------------------------------------------------


def _capture_failed(path):
    import io

    from django.core.management import call_command

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_wordpress", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _item(wp_id, title, status):
    return f"""<item><title><![CDATA[{title}]]></title><dc:creator>ed</dc:creator>
<content:encoded><![CDATA[<p>Text of {wp_id}.</p>]]></content:encoded>
<wp:post_id>{wp_id}</wp:post_id><wp:post_date>2026-11-01 10:00:00</wp:post_date>
<wp:post_date_gmt>2026-11-01 09:00:00</wp:post_date_gmt><wp:post_name>post-{wp_id}</wp:post_name>
<wp:status>{status}</wp:status><wp:post_type>post</wp:post_type></item>"""


def _export(items: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>T</title><link>https://t.example</link><wp:wxr_version>1.2</wp:wxr_version>
{items}</channel></rss>"""
