"""`manage.py import_articles`: Markdown stories with YAML front matter.

Stories and their pictures are written to ``tmp_path / "stories"``; uploads go to the
per-test MEDIA_ROOT (tests/conftest.py), so listing it shows exactly what an import stored.
"""

import datetime as dt
import io
from pathlib import Path

import markdown
import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image as PILImage

from articles import importer
from articles.models import Article, ArticleAuthor, Author, Image, Section, Tag
from tests.factories import make_author, make_section, make_tag
from tests.helpers import media_files

pytestmark = pytest.mark.django_db

IL = dt.timezone(dt.timedelta(hours=2))
PUBLISHED = dt.datetime(2026, 11, 5, 8, 15, tzinfo=IL)
DEMO_STORIES = Path(importer.__file__).resolve().parent / "demo" / "stories"
MODELS = (Article, ArticleAuthor, Author, Image, Section, Tag)


# --- helpers ---------------------------------------------------------------------------


@pytest.fixture
def stories(tmp_path) -> Path:
    folder = tmp_path / "stories"
    folder.mkdir()
    return folder


def write_story(folder: Path, name: str = "story.md", body: str = "Rain fell.\n", **front) -> Path:
    """A story file: a draft titled "Rain returns to the Negev" unless ``front`` says
    otherwise (a key given as None is left out)."""
    front = {"title": "Rain returns to the Negev", **front}
    front = {key: value for key, value in front.items() if value is not None}
    text = yaml.safe_dump(front, sort_keys=False, allow_unicode=True)
    return write_raw(folder / name, f"---\n{text}---\n{body}")


def write_raw(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def write_jpeg(path: Path, size=(640, 360), color=(30, 90, 160), **options) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    PILImage.new("RGB", size, color).save(path, "JPEG", **options)
    return path


def run(*paths, **options) -> tuple[str, str]:
    """Run the command that must succeed; return what it wrote to stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_articles", *map(str, paths), stdout=out, stderr=err, **options)
    except CommandError as exc:
        pytest.fail(f"import_articles failed: {exc}\n{err.getvalue()}")
    return out.getvalue(), err.getvalue()


def run_failing(*paths, match: str = "could not be imported", **options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match=match):
        call_command("import_articles", *map(str, paths), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def snapshot() -> dict:
    """Everything an import could write: row counts and stored files."""
    return {**{model.__name__: model.objects.count() for model in MODELS}, "files": media_files()}


NOTHING = {**{model.__name__: 0 for model in MODELS}, "files": set()}


def full_story(folder: Path, **front) -> Path:
    write_jpeg(folder / "images" / "negev.jpg")
    values = {
        "title": "Rain returns to the Negev",
        "slug": "negev-rain",
        "dek": "Flash floods close two roads.",
        "section": "All Israel",
        "authors": [
            "Dana Levi",
            {"name": "Yossi Mizrahi", "slug": "yossi", "bio": "On the south."},
        ],
        "published": PUBLISHED,
        "updated": PUBLISHED + dt.timedelta(hours=3),
        "status": "published",
        "image": "images/negev.jpg",
        "image_alt": "A flooded wadi",
        "image_caption": "Nahal Zin in flood, November 4, 2026.",
        "image_credit": "Photo: Tests",
        "tags": ["Weather", "Negev"],
        "description": "The first rain of the season.",
        "featured": True,
        **front,
    }
    return write_story(
        folder, "negev.md", "The *first* rain.\n\n## Roads\n\nTwo closed.\n", **values
    )


# --- a story and its parts ----------------------------------------------------------------


def test_every_key_is_imported(stories):
    path = full_story(stories)
    out, err = run(path)

    assert err == ""
    assert f"created   {path} -> negev-rain" in out
    article = Article.objects.get()
    assert (article.headline, article.slug) == ("Rain returns to the Negev", "negev-rain")
    assert article.dek == "Flash floods close two roads."
    assert article.description == "The first rain of the season."
    assert (article.status, article.featured) == (Article.Status.PUBLISHED, True)
    assert article.published_at == PUBLISHED
    assert article.updated_at == PUBLISHED + dt.timedelta(hours=3)
    assert (article.section.name, article.section.slug) == ("All Israel", "all-israel")
    assert [(a.name, a.slug, a.bio) for a in article.byline] == [
        ("Dana Levi", "dana-levi", ""),
        ("Yossi Mizrahi", "yossi", "On the south."),
    ]
    assert sorted(article.tags.values_list("slug", flat=True)) == ["negev", "weather"]
    image = article.lead_image
    assert (image.alt_text, image.credit, image.width) == ("A flooded wadi", "Photo: Tests", 640)
    assert image.caption == "Nahal Zin in flood, November 4, 2026."
    assert article.body == "<p>The <em>first</em> rain.</p>\n<h2>Roads</h2>\n<p>Two closed.</p>"


def test_minimal_story_is_a_draft_with_a_slug_from_its_title(stories):
    run(write_story(stories, title="Rain returns to the Negev!"))
    article = Article.objects.get()
    assert article.slug == "rain-returns-to-the-negev"
    assert (article.status, article.published_at) == (Article.Status.DRAFT, None)
    assert (article.section, article.lead_image, article.featured) == (None, None, False)
    assert Author.objects.count() == Tag.objects.count() == 0


@pytest.mark.parametrize(
    "published",
    ["2026-11-05T08:15:00+02:00", "2026-11-05 08:15:00+02:00", "2026-11-05T06:15:00Z"],
)
def test_published_time_is_iso_8601_with_an_offset(stories, published):
    write_raw(stories / "a.md", f"---\ntitle: A\nstatus: published\npublished: {published}\n---\n")
    write_story(stories, "b.md", title="B", published=published)  # the same, quoted
    run(stories)
    assert [a.published_at for a in Article.objects.order_by("slug")] == [PUBLISHED, PUBLISHED]


def test_body_is_sanitised_exactly_as_admin_input(stories):
    body = (
        'He said "yes" -- twice.\n\n<script>alert("x")</script>\n\n'
        '<p onclick="steal()" style="color:red">Styled</p>\n\n'
        "[safe](https://example.org) and [evil](javascript:alert(1))\n\n<iframe src=x></iframe>\n"
    )
    run(write_story(stories, body=body))
    article = Article.objects.get()

    html = markdown.markdown(body, extensions=importer.MARKDOWN_EXTENSIONS)
    as_admin = Article(headline="x", body=html)
    as_admin.save()  # what the admin does with the same HTML
    assert article.body == as_admin.body
    forbidden = ("<script", "alert(", "onclick", "style=", "javascript:", "<iframe")
    assert [text for text in forbidden if text in article.body] == []
    assert '<a href="https://example.org" rel="noopener noreferrer">safe</a>' in article.body
    assert "\u201cyes\u201d \u2013 twice" in article.body  # smart quotes and dash


def test_existing_section_author_and_tags_are_reused(stories):
    section = make_section(name="Business & Tech", slug="business")  # another slug in the admin
    author = make_author(name="Dana Levi", slug="dana-levi")
    tags = [make_tag(name="Tel Aviv", slug="tlv"), make_tag(name="Water", slug="water")]
    front = {"section": "Business & Tech", "authors": ["Dana Levi"], "tags": ["Tel Aviv", "water"]}
    run(write_story(stories, **front))
    article = Article.objects.get()
    assert (article.section, article.byline) == (section, [author])
    assert list(article.tags.order_by("pk")) == tags
    assert (Section.objects.count(), Author.objects.count(), Tag.objects.count()) == (1, 1, 2)


def test_author_bio_fills_an_empty_bio_but_never_overwrites(stories):
    empty = make_author(name="Dana Levi", slug="dana-levi", bio="")
    kept = make_author(name="Yossi Mizrahi", slug="yossi", bio="Written by the desk.")
    authors = [
        {"name": "Dana Levi", "bio": "Dana covers science."},
        {"name": "Yossi M.", "slug": "yossi", "bio": "From a story file."},
    ]
    run(write_story(stories, authors=authors))
    empty.refresh_from_db()
    kept.refresh_from_db()
    assert empty.bio == "Dana covers science."
    assert (kept.name, kept.bio) == ("Yossi Mizrahi", "Written by the desk.")
    assert Author.objects.count() == 2


def test_a_directory_imports_every_markdown_file_in_it(stories, tmp_path):
    write_story(stories, "one.md", title="One")
    write_story(stories, "two.md", title="Two")
    write_story(stories, "notes.txt", title="Not a story")
    other = write_story(tmp_path, "three.md", title="Three")
    out, _ = run(stories, other)
    assert sorted(Article.objects.values_list("slug", flat=True)) == ["one", "three", "two"]
    assert "3 file(s): 3 created, 0 failed" in out


def test_no_markdown_files_is_an_error(stories):
    run_failing(stories, match="No Markdown files found")


# --- lead images ------------------------------------------------------------------------


def test_lead_image_is_turned_upright_and_stripped(stories):
    exif = PILImage.Exif()
    exif[0x0112], exif[0x8825] = 6, {1: "N", 2: (31.0, 46.0, 0.0)}
    write_jpeg(stories / "phone.jpg", size=(200, 100), exif=exif, comment=b"SECRET")
    run(write_story(stories, image="phone.jpg"))
    image = Article.objects.get().lead_image
    assert (image.width, image.height) == (100, 200)
    assert len(media_files()) == 3 + 3  # the original, a WebP and a JPEG rendition, 3 crops
    for name in media_files():
        data = (Path(settings.MEDIA_ROOT) / name).read_bytes()
        assert [marker for marker in (b"Exif", b"SECRET") if marker in data] == []
        with PILImage.open(io.BytesIO(data)) as opened:
            assert dict(opened.getexif()) == {}
            if "x50-" not in name:  # the ratio crops have their own shape
                assert opened.height > opened.width, name


def test_the_same_picture_in_two_stories_is_stored_once(stories):
    write_jpeg(stories / "shared.jpg")
    write_story(stories, "a.md", title="A", image="shared.jpg", image_alt="Same")
    write_story(stories, "b.md", title="B", image="shared.jpg", image_alt="Same")
    run(stories)
    first, second = Article.objects.order_by("slug")
    assert first.lead_image == second.lead_image
    assert Image.objects.count() == 1
    assert len([name for name in media_files() if name.startswith("images/")]) == 1


def test_a_new_picture_for_a_story_replaces_the_lead_image(stories):
    path = write_story(stories, image="one.jpg")
    write_jpeg(stories / "one.jpg", color=(200, 0, 0))
    run(path)
    first = Article.objects.get().lead_image
    write_jpeg(stories / "two.jpg", color=(0, 200, 0))
    write_story(stories, image="two.jpg")
    out, _ = run(path)
    assert f"updated   {path}" in out
    assert Article.objects.get().lead_image not in (None, first)
    assert Image.objects.count() == 2


# --- importing again ----------------------------------------------------------------------


def test_importing_the_same_file_again_changes_nothing(stories):
    path = full_story(stories)
    run(path)
    before = snapshot()
    article = Article.objects.get()

    out, err = run(path, verbosity=2)

    assert err == ""
    assert f"unchanged {path} -> negev-rain" in out
    assert "1 file(s): 1 unchanged, 0 failed" in out
    assert snapshot() == before
    again = Article.objects.get()
    assert (again.pk, again.modified_at) == (article.pk, article.modified_at)
    assert again.lead_image_id == article.lead_image_id


def test_an_edited_file_updates_the_same_story(stories):
    path = full_story(stories)
    run(path)
    article = Article.objects.get()

    authors = [{"name": "Yossi Mizrahi", "slug": "yossi"}, "Dana Levi", "Avi Cohen"]
    full_story(stories, title="Rain returns, roads reopen", authors=authors, tags=["Negev"])
    out, _ = run(path)

    assert f"updated   {path} -> negev-rain" in out
    again = Article.objects.get()
    assert (again.pk, again.headline) == (article.pk, "Rain returns, roads reopen")
    assert again.modified_at > article.modified_at
    assert [a.slug for a in again.byline] == ["yossi", "dana-levi", "avi-cohen"]  # file order
    assert list(again.tags.values_list("name", flat=True)) == ["Negev"]
    assert (Article.objects.count(), Image.objects.count()) == (1, 1)


def test_edited_image_text_is_saved_and_reported(stories):
    path = full_story(stories)
    run(path)
    full_story(stories, image_alt="A wadi in flood, seen from the road")
    out, _ = run(path)
    assert f"updated   {path} -> negev-rain" in out
    image = Article.objects.get().lead_image
    assert image.alt_text == "A wadi in flood, seen from the road"
    assert Image.objects.count() == 1


# --- files with a problem -------------------------------------------------------------------


FAILURES = {
    "missing title": ({"title": None}, "'title' is required"),
    "misspelt key": ({"tittle": "Rain"}, "unknown key 'tittle'; did you mean 'title'?"),
    "unknown author key": ({"authors": [{"name": "A", "email": "a@b"}]}, "unknown author key"),
    "missing image": ({"image": "nowhere.jpg"}, "image file not found"),
    "text as image": ({"image": "letter.jpg"}, "not an image"),
    "bad date": ({"published": "5 November 2026"}, "'published' is not an ISO 8601 time"),
    "no offset": ({"published": dt.datetime(2026, 11, 5, 8, 15)}, "needs a UTC offset"),
    "date only": ({"published": dt.date(2026, 11, 5)}, "has a date but no time"),
    "published, no time": ({"status": "published", "published": None}, "needs a 'published' time"),
    "updated first": ({"updated": PUBLISHED - dt.timedelta(seconds=1)}, "'updated' is earlier"),
    "bad status": ({"status": "live"}, "status must be 'draft' or 'published'"),
    "featured text": ({"featured": "yes"}, "'featured' must be true or false"),
    "title too long": ({"title": "x" * 201}, "title: Ensure this value has at most 200"),
    "dek too long": ({"dek": "x" * 301}, "dek: Ensure this value has at most 300"),
    "slug too long": ({"slug": "x" * 201}, "slug: Ensure this value has at most 200"),
    "section too long": ({"section": "x" * 101}, "section: Ensure this value has at most 100"),
    "author too long": ({"authors": ["x" * 151]}, "author name: Ensure this value has at most"),
    "tag too long": ({"tags": ["x" * 101]}, "tag: Ensure this value has at most 100"),
    "alt text too long": ({"image_alt": "x" * 251}, "image_alt: Ensure this value has at most"),
    "credit too long": ({"image_credit": "x" * 201}, "image_credit: Ensure this value has"),
    "unusable section": ({"section": "!!!"}, "section '!!!' has no letters or digits"),
    "author twice": ({"authors": ["Dana Levi", "Dana Levi"]}, "the same author is listed twice"),
    "bad author slug": ({"authors": [{"name": "A", "slug": "A B"}]}, "author slug 'A B' is not"),
    "title without latin letters": ({"title": "גשם בנגב", "slug": None}, "no slug can be made"),
}


@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry-run"])
@pytest.mark.parametrize(("front", "reason"), FAILURES.values(), ids=FAILURES.keys())
def test_a_file_with_a_problem_is_reported_and_nothing_is_written(stories, front, reason, dry_run):
    (stories / "letter.jpg").write_text("Dear editor, this is not a photo.")
    # The rest of the file is valid: a section, authors, tags and an image it would write.
    path = full_story(stories, **front)

    _, err = run_failing(path, dry_run=dry_run)

    assert f"FAILED {path}: " in err
    assert reason in err
    assert snapshot() == NOTHING


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("---\ntitle: [unclosed\n---\nBody\n", "the YAML front matter is not valid"),
        ("---\ntitle: A\npublished: 2026-13-45T10:00:00+02:00\n---\n", "month must be in 1..12"),
        ("---\ntitle: A\nupdated: 2026-02-30T10:00:00+02:00\n---\n", "day is out of range"),
        ("---\n- title\n- A\n---\n", "must be a mapping"),
        ("title: A\n\nNo front matter.\n", "no YAML front matter"),
        ("---\ntitle: A\nBody without the closing line.\n", "not closed"),
        ("---\ntitle: Caf\xe9\n---\n".encode("latin-1"), "cannot read the file"),
    ],
    ids=["bad yaml", "impossible month", "impossible day", "list", "none", "unclosed", "latin-1"],
)
def test_a_file_that_cannot_be_read_is_reported(stories, text, reason):
    path = write_raw(stories / "broken.md", text)
    _, err = run_failing(path)
    assert f"FAILED {path}: " in err
    assert reason in err
    assert Article.objects.count() == 0


@pytest.mark.parametrize(
    ("limit", "value", "reason"),
    [("IMAGE_MAX_PIXELS", 640 * 360 - 1, "640x360 pixels"), ("IMAGE_MAX_BYTES", 100, "too large")],
)
def test_a_picture_over_the_limits_is_refused(stories, settings, limit, value, reason):
    setattr(settings, limit, value)
    _, err = run_failing(full_story(stories))
    assert f"FAILED {stories / 'negev.md'}: image negev.jpg: The image" in err
    assert reason in err
    assert snapshot() == NOTHING


def test_a_path_that_does_not_exist_is_reported(stories):
    _, err = run_failing(stories / "gone.md")
    assert f"FAILED {stories / 'gone.md'}: cannot read the file" in err


def test_one_bad_file_does_not_stop_the_others(stories):
    write_story(stories, "a-good.md", title="First good")
    write_story(stories, "b-bad.md", title="Bad", tittle="typo")
    write_story(stories, "c-good.md", title="Second good")

    out, err = run_failing(stories, match=r"^1 of 3 file\(s\) could not be imported")

    assert sorted(Article.objects.values_list("slug", flat=True)) == ["first-good", "second-good"]
    assert err.count("FAILED") == 1
    assert "b-bad.md: unknown key 'tittle'" in err
    assert "3 file(s): 2 created, 1 failed" in out


def test_a_failed_write_rolls_back_rows_and_stored_files(stories):
    # A story that passed reading but breaks a database rule while being written (as a
    # concurrent edit could): the section, authors, tags and image it created must go too.
    story = importer.read_story(full_story(stories))
    story.updated = story.published - dt.timedelta(hours=1)
    with pytest.raises(importer.StoryFileError, match="updated time cannot be before"):
        importer.import_story(story)
    assert snapshot() == NOTHING


# --- dry run ----------------------------------------------------------------------------


def test_dry_run_validates_without_writing(stories):
    full_story(stories)
    write_story(stories, "plain.md", title="Plain")
    out, err = run(stories, dry_run=True)
    assert err == ""
    assert [line.split()[0] for line in out.splitlines()[:2]] == ["valid", "valid"]
    assert "2 file(s): 2 valid, 0 failed" in out
    assert snapshot() == NOTHING


def test_dry_run_leaves_an_imported_story_as_it_was(stories):
    path = full_story(stories)
    run(path)
    before = snapshot()
    full_story(stories, title="A new headline", image_alt="New alt", tags=["New tag"])
    run(path, dry_run=True)
    assert snapshot() == before
    article = Article.objects.get()
    assert (article.headline, article.lead_image.alt_text) == (
        "Rain returns to the Negev",
        "A flooded wadi",
    )


# --- the demo content --------------------------------------------------------------------


def test_demo_stories_import_cleanly_and_a_second_run_changes_nothing(settings):
    files = sorted(DEMO_STORIES.glob("*.md")) if DEMO_STORIES.is_dir() else []
    if not files:
        pytest.skip(f"no demo stories yet in {DEMO_STORIES}")
    settings.IMAGE_RENDITION_WIDTHS = (480,)  # the content is under test, not the resizing
    _, err = run(DEMO_STORIES)  # a bad file fails the test with the command's stderr
    assert err == "", err
    assert Article.objects.count() == len(files)
    before = snapshot()
    out, err = run(DEMO_STORIES)
    assert f"{len(files)} unchanged, 0 failed" in out, out
    assert snapshot() == before
