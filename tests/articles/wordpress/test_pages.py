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
    assert '<figure data-embed="https://www.youtube.com/watch?v=ferry123">' in body
    assert '<p><a href="https://video.example/clip/9"' in body  # a site not allowed: a link
    assert "script" not in body
    assert "iframe" not in body
    assert "tracking" not in body
    cafes = story(102).body
    assert cafes.startswith("<p>The council voted on Tuesday")
    assert "<br>" in cafes  # the classic editor's single line break
    assert "<h2>What the owners say</h2>" in cafes  # its first sub-heading: h2
    assert '<figure data-embed="https://twitter.com/harbourgazette/status/1">' in cafes
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


# --- a story in another language ---------------------------------------------------------


def _hebrew_site(tmp_path):
    from tests.articles.wordpress.conftest import export_xml, item_xml

    polylang = '<category domain="language" nicename="en">English</category>'
    path = tmp_path / "hebrew.xml"
    path.write_text(
        export_xml(
            item_xml(
                801,
                "המעבורת חוזרת לשגרה",
                "publish",
                body="<p>המעבורת יצאה מהרציף בשבע בבוקר.</p>"
                "<blockquote><p>עבדנו לילות.</p></blockquote>",
                extra="<excerpt:encoded><![CDATA[אחרי שלושה שבועות של תיקונים.]]>"
                "</excerpt:encoded>",
            )
            + item_xml(802, "The English edition's story", "publish", extra=polylang),
            channel="<language>he-IL</language>",
        )
    )
    run_import(path)


def test_a_hebrew_story_is_marked_right_to_left_and_the_page_stays_valid(client, tmp_path):
    _hebrew_site(tmp_path)
    hebrew, english = story(801), story(802)
    assert hebrew.language == "he-IL"
    assert english.language == ""  # Polylang says English, the site's language
    page = html.fromstring(client.get(hebrew.get_absolute_url()).content)
    assert page.xpath("/html/@lang") == ["en"]  # the site's own words stay English
    for xpath in ("//h1", "//p[@class='story__dek']", "//div[@class='story__body']"):
        [element] = page.xpath(xpath)
        assert (element.get("lang"), element.get("dir")) == ("he-IL", "rtl"), xpath
    assert "המעבורת יצאה מהרציף" in page.xpath("//div[@class='story__body']")[0].text_content()
    page = html.fromstring(client.get(english.get_absolute_url()).content)
    assert page.xpath("//h1")[0].get("lang") is None
    require_tool(VNU, "npm ci, as make test does")
    require_tool(shutil.which("java") or "java", "apt-get install default-jre-headless")
    file = tmp_path / "hebrew.html"
    file.write_bytes(client.get(hebrew.get_absolute_url()).content)
    assert html_problems([str(file)]) == []


def test_a_post_says_its_own_language(tmp_path):
    from tests.articles.wordpress.conftest import export_xml, item_xml

    meta = (
        "<wp:postmeta><wp:meta_key>_locale</wp:meta_key><wp:meta_value>ar</wp:meta_value>"
        "</wp:postmeta>"
    )
    path = tmp_path / "mixed.xml"
    path.write_text(
        export_xml(item_xml(811, "خبر", "publish", extra=meta) + item_xml(812, "News", "publish"))
    )
    run_import(path)
    assert (story(811).language, story(811).text_direction) == ("ar", "rtl")
    assert story(812).language == ""  # no channel language: the site's
