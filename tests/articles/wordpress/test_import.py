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
from tests.articles.wordpress.conftest import export_xml as _export
from tests.articles.wordpress.conftest import item_xml as _item
from tests.articles.wordpress.conftest import run_import
from tests.helpers import media_files

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
    assert "2 embed(s) kept and 1 made links (a site not allowed)" in out
    assert "Not imported: comments, pages, menus, widgets" in out
    assert "post 101" in err
    assert "dropped 1 script(s), 1 iframe(s)" in err
    assert "post 107" in err
    assert "password-protected" in err


def _meta(**values) -> str:
    return "".join(
        f"<wp:postmeta><wp:meta_key>{key}</wp:meta_key>"
        f"<wp:meta_value><![CDATA[{value}]]></wp:meta_value></wp:postmeta>"
        for key, value in values.items()
    )


@pytest.mark.parametrize(
    ("meta", "seo_title", "description"),
    [
        pytest.param(
            {"_aioseo_title": "Tides at the quay", "_aioseo_description": "Water at the edge."},
            "Tides at the quay",
            "Water at the edge.",
            id="All in One SEO",
        ),
        pytest.param(
            {
                "_aioseo_title": "Tides: #post_title #separator_sa #site_title",
                "_aioseo_description": "#post_excerpt",
            },
            "Tides: Spring tides reach the quay",
            "",
            id="All in One SEO, its tags",
        ),
        pytest.param(
            {"_aioseop_title": "Tides, old plugin", "_aioseop_description": "Pack 3's text."},
            "Tides, old plugin",
            "Pack 3's text.",
            id="All in One SEO Pack",
        ),
        pytest.param(
            {
                "_seopress_titles_title": "Tides by SEOPress",
                "_seopress_titles_desc": "The year's highest water.",
            },
            "Tides by SEOPress",
            "The year's highest water.",
            id="SEOPress",
        ),
        pytest.param(
            {
                "_seopress_titles_title": "%%post_title%% %%sep%% %%sitename%%",
                "_seopress_titles_desc": "Read %%post_title%% now.",
            },
            "Spring tides reach the quay",
            "Read Spring tides reach the quay now.",
            id="SEOPress, its variables",
        ),
    ],
)
def test_all_in_one_seo_and_seopress_give_the_seo_title_and_description(
    tmp_path, meta, seo_title, description
):
    path = tmp_path / "seo.xml"
    path.write_text(
        _export(_item(801, "Spring tides reach the quay", "publish", extra=_meta(**meta)))
    )
    run_import(path)
    tides = story(801)
    assert (tides.seo_title, tides.description) == (seo_title, description)


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
    # No picture stored and no rendition made: MEDIA_ROOT gains no file at all.
    assert media_files() == set()
    # What a real run would do with the pictures is still told, as a real run counts them
    # (its "Images: 4 stored, 2 reused, 3 read from uploads, 1 fetched, 1 missing"): the
    # three in the uploads read and to store, the two used again reused, the remote one to
    # fetch (not fetched), the lost one missing.
    assert "Images: 3 to store, 2 reused, 3 read from uploads, 1 to fetch, 1 missing" in out


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


def test_a_dry_run_after_an_import_says_what_would_change_and_why(imported, export, uploads):
    edited = story(102)
    edited.headline = "Quay cafés to stay open until midnight"
    edited.save()
    story(104).delete()
    text = export.read_text().replace("Tickets are sold on board.", "Tickets are sold online.")
    export.write_text(text.replace("The council voted on Tuesday", "The council voted on Monday"))
    before = {a.pk: (a.lock_version, a.modified_at) for a in Article.objects.all()}
    recorded = set(WordPressItem.objects.values_list("pk", "imported_at", "source_hash"))
    files = media_files()
    out, err = run_import(
        export, uploads=str(uploads), author_map=["desk=Harbour Gazette Staff"], dry_run=True
    )
    assert "Dry run: nothing was written." in out
    assert "Stories: 8 read, 0 failed" in out
    assert "  would be updated: 1 (1 published)" in out
    assert "  unchanged: 5 (" in out
    assert "  kept as edited in Newsroom (conflict): 1 (1 published)" in out
    assert "  deleted in Newsroom, not re-created: 1 (1 review)" in out
    assert "would be created" not in out
    assert "Skipped: 3 comment(s), 1 menu items, 1 pages, 1 posts in state trash" in out
    # The reasons, each story by its WordPress ID and title.
    assert "CONFLICT post 102 'Cafés on the quay stay open late': changed in the export" in err
    assert "skipped post 104 'Harbour dues to rise in spring': deleted in Newsroom since" in out
    # The updated story's pictures are in the library already: reused, none to store.
    assert "Images: 0 to store, " in out
    # And nothing was written.
    assert "sold on board." in story(101).body
    assert {a.pk: (a.lock_version, a.modified_at) for a in Article.objects.all()} == before
    assert set(WordPressItem.objects.values_list("pk", "imported_at", "source_hash")) == recorded
    assert media_files() == files


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


# --- the cost per story ----------------------------------------------------------------------

_TERMS = (
    '<category domain="category" nicename="local">Local</category>'
    '<category domain="post_tag" nicename="harbour">Harbour</category>'
    '<category domain="post_tag" nicename="ferries">Ferries</category>'
    "<wp:postmeta><wp:meta_key>_wp_old_slug</wp:meta_key><wp:meta_value>old</wp:meta_value>"
    "</wp:postmeta>"
)


def _posts(count: int, start: int = 1) -> str:
    return "".join(
        _item(n, f"Story {n}", "publish", extra=_TERMS) for n in range(start, start + count)
    )


# What an import costs in queries: a fixed number per run (the author, section and tags made
# once, with their old addresses; the related-stories pass's list of stories) and then the same
# number for every story, whatever the export's length. Writing a story takes 14 on SQLite:
# its transaction and the save's savepoint (4), its record looked up, its slug checked, the
# row, its first state, the old-slug check, its byline, its tags (2), its old addresses and its
# record; on PostgreSQL one more for its search vector (once its text and tags are in).
# Choosing its related stories at the end takes 11 on SQLite (pins, tags, words, exclusions,
# two candidate lists, then the old list replaced in a savepoint), 10 on PostgreSQL (one
# ranked list).
def _queries(count: int) -> int:
    from django.db import connection

    postgresql = connection.vendor == "postgresql"
    once = 19
    per_story = (15 if postgresql else 14) + (10 if postgresql else 11)
    return once + per_story * count


@pytest.mark.parametrize("count", [4, 8])
def test_the_queries_per_story_do_not_grow_with_the_export(
    tmp_path, django_assert_num_queries, count
):
    from django.db import connection

    path = tmp_path / "many.xml"
    path.write_text(_export(_posts(count)))
    with django_assert_num_queries(_queries(count)):
        run_import(path)
    assert Article.objects.count() == count
    if connection.vendor == "postgresql":  # each vector has the text and the tags
        from django.contrib.postgres.search import SearchQuery

        for word in ("Story", "Ferries"):
            found = Article.objects.filter(search_vector=SearchQuery(word, config="english"))
            assert found.count() == count, word
    # The pass at the end chose every story's related stories, once each.
    from django.conf import settings

    for article in Article.objects.all():
        related = list(article.related_rows.values_list("related_id", flat=True))
        assert len(related) == min(count - 1, settings.RELATED_STORIES)
        assert article.pk not in related


# --- the exit code ---------------------------------------------------------------------------


def test_a_failed_item_makes_the_command_fail_and_a_conflict_does_not(tmp_path):
    good = tmp_path / "good.xml"
    good.write_text(_export(_item(601, "A good story", "publish")))
    run_import(good)
    edited = story(601)
    edited.headline = "Edited in Newsroom"
    edited.save()
    good.write_text(_export(_item(601, "A good story, changed", "publish")))
    out, err = run_import(good)  # returns: a conflict keeps the edit, it is no failure
    assert "CONFLICT post 601" in err
    assert "kept as edited in Newsroom (conflict): 1" in out
    bad = tmp_path / "bad.xml"
    bad.write_text(_export(_item(602, "", "publish")))
    with pytest.raises(CommandError) as failed:
        run_import(bad)
    assert failed.value.returncode == 1


@pytest.fixture(scope="module")
def manage_py(tmp_path_factory):
    """``manage.py`` run as its own process (its output a pipe, not a terminal), on a
    migrated SQLite database and a media folder of its own."""
    import os
    import subprocess
    import sys

    from tests.helpers import ROOT

    folder = tmp_path_factory.mktemp("manage")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "MEDIA_ROOT": str(folder / "media"),
        "REDIS_URL": "",
        "DEBUG": "1",
    }

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    migrated = manage("migrate", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    return manage


def test_the_exit_status_of_manage_py(manage_py, tmp_path):
    """The real process: 0 for a clean import (conflicts included), 1 when an item failed or
    the file was refused."""
    good = tmp_path / "good.xml"
    good.write_text(_export(_item(701, "A good story", "publish")))
    done = manage_py("import_wordpress", str(good), "-v0")
    assert done.returncode == 0, done.stderr
    assert "Stories: 1 read, 0 failed" in done.stdout
    mixed = tmp_path / "mixed.xml"
    mixed.write_text(_export(_item(702, "Another", "publish") + _item(703, "", "publish")))
    failed = manage_py("import_wordpress", str(mixed), "-v0")
    assert failed.returncode == 1
    assert "FAILED post 703" in failed.stderr
    assert "1 item(s) could not be imported" in failed.stderr
    refused = manage_py("import_wordpress", str(tmp_path / "nowhere.xml"), "-v0")
    assert refused.returncode == 1
    assert "Nothing was imported" in refused.stderr


def _revision(wp_id: int) -> str:
    return (
        f"<item><wp:post_id>{wp_id}</wp:post_id><wp:post_type>revision</wp:post_type>"
        f"<wp:status>inherit</wp:status><content:encoded><![CDATA[<p>{'Tide. ' * 700}</p>]]>"
        "</content:encoded></item>"
    )


def test_progress_off_a_terminal_is_a_line_on_stderr_per_tenth_of_the_file(manage_py, tmp_path):
    # Two hundred revisions (left alone, so quick) make a file of some 850 kB, read in many
    # pieces: every tenth of it is reached, in each of the two readings.
    path = tmp_path / "long.xml"
    path.write_text(
        _export(_item(711, "A story", "publish") + "".join(_revision(n) for n in range(2000, 2200)))
    )
    assert path.stat().st_size > 800_000
    done = manage_py("import_wordpress", str(path))
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if "of the file read" in line]
    assert lines == [
        f"{phase}: {tenth * 10}% of the file read"
        for phase in ("people and pictures", "stories")
        for tenth in range(11)
    ]
    assert "\r" not in done.stderr  # no bar: that is for a terminal
    assert "of the file read" not in done.stdout
    assert "Stories: 1 read, 0 failed" in done.stdout
    assert "200 site machinery" in done.stdout
