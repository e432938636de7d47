"""Imported stories as readers see them: the page's anatomy complete, valid HTML."""

import shutil

import pytest
from lxml import html

from articles.models import WordPressItem
from tests.articles.wordpress.conftest import run_import
from tests.helpers import require_tool
from tests.test_html_quality import VNU, html_problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(export, uploads, tmp_path):
    rules = tmp_path / "map.yaml"
    rules.write_text(
        "authors:\n"
        "  jdoe: {bio: Jane Doe covers the harbour and the islands.}\n"
        "  yossi: {bio: Yossi Levi writes from the harbour office.}\n"
        "  desk: {name: Harbour Gazette Staff, organisation: true, bio: The newsroom's desk.}\n"
    )
    run_import(export, uploads=str(uploads), map_file=str(rules))


def story(wp_id):
    return WordPressItem.objects.get(kind="post", wp_id=str(wp_id)).article


@pytest.mark.parametrize("wp_id", [101, 102, 109])
def test_an_imported_story_has_the_whole_anatomy(site, client, wp_id):
    article = story(wp_id)
    page = html.fromstring(client.get(article.get_absolute_url()).content)
    assert page.xpath("//h1")[0].text_content().strip() == article.headline
    text = page.text_content()
    assert article.section.name in text
    assert article.dek in text
    figure = page.xpath("//figure[contains(@class, 'story__figure')]")[0]
    assert figure.xpath(".//img/@alt")[0] == article.lead_image.alt_text
    caption = figure.text_content()
    assert article.lead_image.caption in caption
    assert article.lead_image.credit in caption
    for author in article.byline:
        assert author.name in text
        assert author.bio in text


def test_the_ferry_body_reads_as_the_newsroom_writes(site):
    body = story(101).body
    assert "<p>The <strong>morning ferry</strong> left the quay at seven" in body
    assert "<h2>Storm damage repaired</h2>" in body
    assert "<blockquote>" in body
    assert "<li>Three sailings a day</li>" in body
    assert "<p>Timetables are at the quay office.</p>" in body
    assert 'YouTube: <a href="https://www.youtube.com/watch?v=ferry123"' in body
    assert '<a href="https://video.example/clip/9"' in body
    assert "script" not in body
    assert "iframe" not in body
    assert "tracking" not in body
    cafes = story(102).body
    assert cafes.startswith("<p>The council voted on Tuesday")
    assert "<br>" in cafes  # the classic editor's single line break
    assert "<h2>What the owners say</h2>" in cafes  # its first sub-heading: h2
    assert 'X: <a href="https://twitter.com/harbourgazette/status/1"' in cafes
    assert "contact-form-7" not in cafes
    assert "[sic]" in cafes


def test_imported_pages_are_valid_html(site, client, tmp_path):
    require_tool(VNU, "npm ci, as make test does")
    require_tool(shutil.which("java") or "java", "apt-get install default-jre-headless")
    urls = [story(n).get_absolute_url() for n in (101, 102, 109)]
    urls += [story(101).section.get_absolute_url(), story(101).byline[0].get_absolute_url()]
    files = []
    for index, url in enumerate(urls):
        response = client.get(url)
        assert response.status_code == 200, url
        path = tmp_path / f"page-{index}.html"
        path.write_bytes(response.content)
        files.append(str(path))
    assert html_problems(files) == []


def test_the_seo_title_is_the_pages_title_and_the_desks_preview(site, client, admin_client):
    article = story(101)
    page = html.fromstring(client.get(article.get_absolute_url()).content)
    assert page.findtext(".//title").startswith("Island ferry back on timetable | ")
    form = html.fromstring(
        admin_client.get(f"/admin/articles/article/{article.pk}/change/").content
    )
    [preview] = form.xpath("//*[@data-preview='title']")
    assert preview.text_content().startswith("Island ferry back on timetable | ")
    assert form.xpath("//input[@name='seo_title']/@value") == ["Island ferry back on timetable"]
