"""Embeds (articles/embeds.py) in story bodies: the address an embed keeps, the stored form
the story page turns into a player or a card, and the editor keeping it through an edit.
(Live updates' own embeds are tested in test_live.py; the sanitiser's side in
test_sanitize.py; the importer's in wordpress/test_blocks.py.)"""

import pytest
from lxml import html
from playwright.sync_api import Page, expect

from articles import embeds
from articles.models import Article, LiveUpdate, WordPressItem
from tests.articles.wordpress.conftest import export_xml, item_xml, run_import
from tests.factories import make_article, make_user
from tests.helpers import PASSWORD, answer_prompts, log_in, require_tool
from tests.test_browser import AXE, accessibility_violations
from tests.test_browser_csp import violations, watched  # noqa: F401 - the fixture

YOUTUBE = "https://www.youtube.com/watch?v=abcDEF12345"
X_POST = "https://x.com/police/status/1"
BODY = (
    f'<p>The storm reached the coast.</p><figure data-embed="{YOUTUBE}"></figure>'
    f'<p>The police asked drivers to stay home.</p><figure data-embed="{X_POST}"></figure>'
)


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        (YOUTUBE, YOUTUBE),
        ("http://youtu.be/abcDEF12345", "https://youtu.be/abcDEF12345"),
        ("https://www.youtube.com/embed/abcDEF12345?rel=0", YOUTUBE),
        ("http://www.youtube-nocookie.com/embed/abcDEF12345", YOUTUBE),
        ("https://player.vimeo.com/video/76979871?h=1", "https://vimeo.com/76979871"),
        ("http://example.org/x", "http://example.org/x"),  # not ours to change
    ],
)
def test_the_address_an_embed_keeps(url, kept):
    assert embeds.canonical_url(url) == kept


def test_only_an_allowed_address_has_a_stored_form():
    assert embeds.stored(X_POST) == (
        f'<figure data-embed="{X_POST}"><a href="{X_POST}" rel="noopener noreferrer">'
        f"X embed: {X_POST}</a></figure>"
    )
    assert embeds.stored("https://evil.example/x") == ""
    assert embeds.stored("http://x.com/police/status/1") == ""  # https only


def test_a_body_without_embeds_is_rendered_as_stored():
    body = "<p>Nothing to embed here.</p>"
    assert embeds.render_in_body(body) is body


@pytest.mark.django_db
def test_the_story_page_shows_a_privacy_player_and_a_card(client):
    article = make_article(body=BODY)
    assert article.body.count("<figure data-embed=") == 2  # stored as the sanitiser keeps it
    page = html.fromstring(client.get(article.get_absolute_url()).content)
    [body] = page.xpath("//div[contains(@class, 'story__body')]")
    [frame] = body.xpath(".//iframe")
    assert frame.get("src") == "https://www.youtube-nocookie.com/embed/abcDEF12345"
    assert frame.get("title") == "YouTube video"
    assert frame.get("loading") == "lazy"
    [card] = body.xpath(".//div[contains(@class, 'live-embed--card')]")
    assert card.xpath(".//a/@href") == [X_POST]
    assert "View this post on X" in card.text_content()
    assert body.xpath(".//figure") == []  # the stored element is not shown as such
    assert [p.text for p in body.xpath("./p")] == [
        "The storm reached the coast.",
        "The police asked drivers to stay home.",
    ]


@pytest.mark.django_db
def test_a_live_updates_text_shows_its_embeds_too(client):
    story = make_article(live=True)
    LiveUpdate.objects.create(article=story, text=f'<figure data-embed="{YOUTUBE}"></figure>')
    text = client.get(story.get_absolute_url()).text
    assert 'src="https://www.youtube-nocookie.com/embed/abcDEF12345"' in text


# In the browser ---------------------------------------------------------------------------


def offline(page: Page) -> None:
    """The players' frames answered as if the network were down (the tests are offline)."""
    page.route("https://www.youtube-nocookie.com/**", lambda route: route.abort())


@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_story_with_embeds_is_accessible_and_keeps_the_policy(watched, live_server, width):  # noqa: F811
    require_tool(AXE, "npm ci, as make test does")
    article = make_article(body=BODY)
    offline(watched)
    watched.set_viewport_size({"width": width, "height": 900})
    watched.goto(live_server.url + article.get_absolute_url())
    frame = watched.locator(".story__body iframe.live-embed__frame")
    frame.scroll_into_view_if_needed()
    box = frame.bounding_box()
    assert box["width"] > 300
    assert abs(box["height"] - box["width"] * 9 / 16) < 2  # a 16:9 box, filled or not
    expect(watched.locator(".story__body .live-embed--card")).to_contain_text("View this post on X")
    assert watched.evaluate("document.documentElement.scrollWidth") <= width
    assert violations(watched) == []
    # The player's own page is YouTube's to check, not ours: axe skips the frame.
    watched.evaluate(AXE.read_text())
    result = watched.evaluate(
        "axe.run(document, {iframes: false, runOnly: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']})"
    )
    assert [v["id"] for v in result["violations"]] == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_editing_an_imported_story_keeps_its_embed(page: Page, live_server, tmp_path):
    export = tmp_path / "embed.xml"
    export.write_text(
        export_xml(
            item_xml(
                901,
                "Ferry video",
                "publish",
                body=f"<p>The ferry left at seven.</p>\n\n{YOUTUBE}\n\n<p>It came back.</p>",
            )
        )
    )
    run_import(export)
    article = WordPressItem.objects.get(wp_id="901").article
    assert f'<figure data-embed="{YOUTUBE}">' in article.body
    user = make_user("superuser", password=PASSWORD)
    offline(page)
    log_in(page, live_server.url, user.username)
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")

    editor = page.locator('.field-body .ProseMirror[contenteditable="true"]')
    box = editor.locator("figure.prose-embed")
    expect(box).to_have_text(f"YouTube embed: {YOUTUBE}")  # the kind, then the address
    assert box.get_attribute("contenteditable") == "false"  # one block, not typed into
    assert accessibility_violations(page) == []
    editor.locator("p", has_text="It came back.").click()
    page.keyboard.press("End")
    page.keyboard.type(" In time for lunch.")
    page.get_by_role("button", name="Update", exact=True).click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    article.refresh_from_db()
    assert "<p>It came back. In time for lunch.</p>" in article.body
    assert article.body.count(f'<figure data-embed="{YOUTUBE}">') == 1
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.locator(".story__body iframe")).to_have_attribute(
        "src", "https://www.youtube-nocookie.com/embed/abcDEF12345"
    )
    expect(page.locator(".story__body")).to_contain_text("In time for lunch.")
    assert Article.objects.count() == 1


@pytest.mark.django_db
def test_in_a_story_of_another_language_an_embeds_words_are_the_sites(client):
    article = make_article(body=BODY, language="he")
    page = html.fromstring(client.get(article.get_absolute_url()).content)
    [body] = page.xpath("//div[contains(@class, 'story__body')]")
    assert (body.get("lang"), body.get("dir")) == ("he", "rtl")
    marked = [(e.get("lang"), e.get("dir")) for e in body.xpath(".//div[@class]")]
    assert marked == [("en", "ltr"), ("en", "ltr")]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_editor_inserts_an_embed_by_its_address(page: Page, live_server):
    user = make_user("superuser", password=PASSWORD)
    article = make_article(body="<p>The storm reached the coast.</p>")
    log_in(page, live_server.url, user.username)
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    editor = page.locator('.field-body .ProseMirror[contenteditable="true"]')
    editor.locator("p").click()
    page.keyboard.press("End")
    button = page.locator('.prose-menubar button[title="insert embed"]')

    alerts = answer_prompts(page, ["https://evil.example/clip/1", X_POST])
    button.click()  # a site not allowed: refused, naming it and the sites allowed
    expect(editor.locator("figure.prose-embed")).to_have_count(0)
    [refused] = alerts
    assert refused.startswith("Embeds from evil.example are not allowed. Allowed sites: ")
    assert "YouTube" in refused
    button.click()
    expect(editor.locator("figure.prose-embed")).to_have_text(f"X embed: {X_POST}")
    page.get_by_role("button", name="Update", exact=True).click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    article.refresh_from_db()
    assert article.body == "<p>The storm reached the coast.</p>" + embeds.stored(X_POST)
