"""Reading an export: bad files are refused whole, before anything is written."""

import pytest
from django.core.management.base import CommandError

from articles.models import Article, Author, OldAddress, Section, WordPressItem
from articles.wordpress import parse
from tests.articles.wordpress.conftest import HERE, run_import

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("entities.xml", "document type"),
        ("external.xml", "document type"),
        ("truncated.xml", "truncated"),
        ("broken.xml", "not well-formed XML at line 2"),
        ("feed.xml", "not a WordPress export"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_written(name, reason):
    with pytest.raises(CommandError, match=reason) as failure:
        run_import(HERE / name)
    assert "Nothing was imported" in str(failure.value)
    for model in (Article, Author, Section, OldAddress, WordPressItem):
        assert not model.objects.exists(), model


def test_entities_are_refused_even_without_a_document_type_check(tmp_path):
    # defusedxml refuses entity declarations by themselves too (forbid_entities).
    with pytest.raises(parse.ExportError, match=r"document type|entity"):
        parse.check(HERE / "entities.xml")


def test_a_missing_file_is_named():
    with pytest.raises(CommandError, match="cannot read the file"):
        run_import("/nonexistent/export.xml")


def test_reading_yields_header_then_items_and_drops_what_it_read():
    kinds = [kind for kind, _ in parse.read(HERE / "site.xml")]
    assert kinds.count("author") == 3
    assert kinds.count("category") == 5
    assert kinds.count("tag") == 3
    assert kinds.index("site") < kinds.index("item")
    items = [value for kind, value in parse.read(HERE / "site.xml") if kind == "item"]
    first = items[0]
    assert (first.wp_id, first.post_type, first.status, first.sticky) == (
        101,
        "post",
        "publish",
        True,
    )
    assert first.meta_values("_wp_old_slug") == ["ferry-returns", "ferry-back"]
    assert first.comments == 2
    hebrew = next(item for item in items if item.wp_id == 109)
    assert hebrew.slug == "חדשות-הנמל"


def test_a_time_keeps_the_sites_offset():
    moment = parse.moment("2026-11-05 10:15:00", "2026-11-05 08:15:00", None)
    assert moment.isoformat() == "2026-11-05T10:15:00+02:00"
    assert parse.moment("", "0000-00-00 00:00:00", None) is None
