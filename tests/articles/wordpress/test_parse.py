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


# --- earlier versions of the format -----------------------------------------------------------


def _older_export(version: str) -> str:
    """A small export as WordPress wrote WXR ``version``: its own namespaces, a category and
    a tag of the header as ``wp:term`` (with a menu's term, which is no category nor tag), and
    for 1.0 a post's tags in the domain "tag" and its category also bare, as WordPress 2.x
    wrote them."""
    tag_domain = "tag" if version == "1.0" else "post_tag"
    bare = "<category><![CDATA[Europe]]></category>" if version == "1.0" else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/{version}/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/{version}/">
<channel><title>Old Harbour</title><link>https://old.example</link>
<wp:wxr_version>{version}</wp:wxr_version><wp:base_blog_url>https://old.example</wp:base_blog_url>
<wp:author><wp:author_id>7</wp:author_id><wp:author_login>mara</wp:author_login>
<wp:author_display_name><![CDATA[Mara Tide]]></wp:author_display_name></wp:author>
<wp:category><wp:term_id>31</wp:term_id><wp:category_nicename>world</wp:category_nicename>
<wp:category_parent></wp:category_parent><wp:cat_name><![CDATA[World]]></wp:cat_name></wp:category>
<wp:term><wp:term_id>32</wp:term_id><wp:term_taxonomy>category</wp:term_taxonomy>
<wp:term_slug>europe</wp:term_slug><wp:term_parent>world</wp:term_parent>
<wp:term_name><![CDATA[Europe]]></wp:term_name></wp:term>
<wp:tag><wp:term_id>33</wp:term_id><wp:tag_slug>harbour</wp:tag_slug>
<wp:tag_name><![CDATA[Harbour]]></wp:tag_name></wp:tag>
<wp:term><wp:term_id>34</wp:term_id><wp:term_taxonomy>post_tag</wp:term_taxonomy>
<wp:term_slug>tides</wp:term_slug><wp:term_name><![CDATA[Tide tables]]></wp:term_name></wp:term>
<wp:term><wp:term_id>35</wp:term_id><wp:term_taxonomy>nav_menu</wp:term_taxonomy>
<wp:term_slug>main</wp:term_slug><wp:term_name><![CDATA[Main menu]]></wp:term_name></wp:term>
<item><title>Spring tides reach the quay</title>
<link>https://old.example/2026/03/02/spring-tides/</link><dc:creator>mara</dc:creator>
<guid isPermaLink="false">https://old.example/?p=901</guid>
<content:encoded><![CDATA[<p>The water stood a hand below the quay's edge.</p>]]></content:encoded>
<excerpt:encoded><![CDATA[The highest tides of the year.]]></excerpt:encoded>
<wp:post_id>901</wp:post_id><wp:post_date>2026-03-02 09:00:00</wp:post_date>
<wp:post_date_gmt>2026-03-02 08:00:00</wp:post_date_gmt><wp:post_name>spring-tides</wp:post_name>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
{bare}<category domain="category" nicename="europe"><![CDATA[Europe]]></category>
<category domain="{tag_domain}" nicename="harbour"><![CDATA[Harbour]]></category>
<category domain="{tag_domain}" nicename="tides"><![CDATA[tides]]></category>
</item></channel></rss>"""


@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_wxr_1_0_and_1_1_and_their_terms_are_read(tmp_path, client, version):
    from articles.models import Tag

    path = tmp_path / "older.xml"
    path.write_text(_older_export(version))
    read = list(parse.read(path))
    site = next(value for kind, value in read if kind == "site")
    assert site.wxr_version == version
    terms = {
        (kind, value.slug, value.parent) for kind, value in read if kind in ("category", "tag")
    }
    assert terms == {
        ("category", "world", ""),
        ("category", "europe", "world"),
        ("tag", "harbour", ""),
        ("tag", "tides", ""),
    }
    out, _ = run_import(path)
    assert "Stories: 1 read, 0 failed" in out
    assert "categories: 2; tags: 2" in out
    story = WordPressItem.objects.get(kind="post", wp_id="901").article
    assert story.dek == "The highest tides of the year."  # the excerpt's own namespace
    assert "a hand below the quay" in story.body
    assert [author.name for author in story.byline] == ["Mara Tide"]
    assert story.section.name == "World"  # Europe's parent, from its wp:term_parent
    assert sorted(story.tags.values_list("name", flat=True)) == ["Europe", "Harbour", "Tide tables"]
    tides = Tag.objects.get(name="Tide tables").get_absolute_url()
    for old, now in (
        ("/?cat=32", Tag.objects.get(name="Europe").get_absolute_url()),
        ("/category/world/", story.section.get_absolute_url()),
        ("/?tag=tides", tides),
        ("/2026/03/02/spring-tides/", story.get_absolute_url()),
    ):
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, now), old
