"""Library pictures in story bodies (articles/body_images.py): the one stored form the
sanitiser keeps, the picture and caption the story page shows, the page's queries (one for
all of a body's pictures), the page cache renewed when a picture changes, and the admin form
keeping a body's pictures through a save."""

import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import html
from playwright.sync_api import Page, expect

from articles import body_images, rich_text
from articles.models import LiveUpdate
from articles.rich_text import clean_body
from tests.articles.test_admin import change_url, errors_in, form_data
from tests.factories import make_article, make_image, make_user
from tests.helpers import PASSWORD, answer_prompts, log_in
from tests.test_browser import accessibility_violations

pytestmark = pytest.mark.django_db


def figure(image) -> str:
    return f'<figure data-image="{image.pk}"></figure>'


def story_body(page) -> html.HtmlElement:
    [body] = html.fromstring(page.content).xpath("//div[contains(@class, 'story__body')]")
    return body


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ('<figure data-image="12"></figure>', '<figure data-image="12"></figure>'),
        # Nothing else about it is kept: its own picture, caption, class, style.
        (
            '<figure data-image=" 12 " class="wide" style="x"><img src="/x.jpg" alt="">'
            "<figcaption>Old caption</figcaption>fallback</figure>",
            '<figure data-image="12"></figure>',
        ),
        # An ID that is not a number names no picture: the figure is its content.
        ('<figure data-image="12x"><p>Text kept.</p></figure>', "<p>Text kept.</p>"),
        ('<figure data-image="javascript:1"></figure>', ""),
        ('<figure data-image="\uff11\uff12"></figure>', ""),  # full-width digits
        # Inside another figure, or a paragraph: a block of its own.
        (
            '<figure><figure data-image="3"></figure><figcaption>c</figcaption></figure>',
            '<figure data-image="3"></figure>',
        ),
        (
            '<p>Before<figure data-image="5"></figure>after</p>',
            '<p>Before</p><figure data-image="5"></figure><p>after</p>',
        ),
    ],
)
def test_a_picture_is_kept_only_in_its_one_stored_form(dirty, clean):
    assert clean_body(dirty) == clean
    assert clean_body(clean) == clean  # and a clean body stays as it is


def test_a_body_without_pictures_is_rendered_as_stored_without_a_query(
    django_assert_num_queries,
):
    body = "<p>Nothing to show.</p>"
    with django_assert_num_queries(0):
        assert body_images.render_in_body(body) is body


def test_the_story_page_shows_the_picture_with_its_caption_and_credit(client):
    image = make_image(
        width=1600, height=1000, alt_text="Boats in the harbour", caption="The harbour at dawn."
    )
    article = make_article(body=f"<p>Before.</p>{figure(image)}<p>After.</p>")
    assert article.body == f"<p>Before.</p>{figure(image)}<p>After.</p>"
    body = story_body(client.get(article.get_absolute_url()))
    [shown] = body.xpath("./figure")
    assert [e.tag for e in body] == ["p", "figure", "p"]  # at its place
    [img] = shown.xpath(".//img")
    assert img.get("alt") == "Boats in the harbour"
    assert (img.get("width"), img.get("height")) == ("1600", "1000")
    assert img.get("loading") == "lazy"
    assert img.get("sizes") == "(min-width: 60em) 44rem, calc(100vw - 2rem)"
    widths = re.findall(r"-(\d+)w\.jpg (\d+)w", img.get("srcset"))
    assert all(a == b for a, b in widths)  # each copy as wide as it says
    assert [int(w) for w, _ in widths] == [120, 240, 480, 800, 1200, 1600]
    [webp] = shown.xpath(".//source[@type='image/webp']")
    assert webp.get("sizes") == img.get("sizes")
    [caption] = shown.xpath("./figcaption")
    assert caption.text_content() == "The harbour at dawn. (Photo: Tests)"
    assert caption.xpath("./span[@class='credit']/text()") == ["(Photo: Tests)"]


def test_a_picture_without_caption_or_credit_has_no_figcaption(client):
    image = make_image(caption="", credit="")
    article = make_article(body=figure(image))
    [shown] = story_body(client.get(article.get_absolute_url())).xpath("./figure")
    assert shown.xpath("./figcaption") == []
    assert len(shown.xpath(".//img")) == 1


def test_a_picture_no_longer_in_the_library_shows_nothing(client):
    kept, gone = make_image(), make_image()
    article = make_article(body=f"<p>Text.</p>{figure(gone)}{figure(kept)}")
    gone.delete()
    body = story_body(client.get(article.get_absolute_url()))
    assert len(body.xpath(".//img")) == 1
    assert body.xpath(".//img/@alt") == [kept.alt_text]
    assert "data-image" not in html.tostring(body, encoding="unicode")


def cold_get(client, article):
    """The story's page on a cold cache, as the first reader after a change gets it."""
    for cache in caches.all():
        cache.clear()
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "miss"
    return response


def test_the_page_reads_all_its_pictures_in_one_query(client, django_assert_num_queries):
    pictures = [make_image() for _ in range(5)]
    plain = make_article(body="<p>No pictures.</p>")
    one = make_article(body=f"<p>One.</p>{figure(pictures[0])}")
    five = make_article(body="<p>Five.</p>" + "".join(figure(p) for p in pictures))
    cold_get(client, plain)  # the first request's own queries (the popular stories ranked)
    with CaptureQueriesContext(connection) as without:
        cold_get(client, plain)
    with django_assert_num_queries(len(without) + 1):
        cold_get(client, one)
    with django_assert_num_queries(len(without) + 1):
        page = cold_get(client, five)
    assert len(story_body(page).xpath("./figure//img")) == 5  # all five were shown


def test_a_change_to_a_picture_renews_the_page(client):
    image = make_image(caption="The first caption.")
    article = make_article(body=figure(image))
    url = article.get_absolute_url()
    assert "The first caption." in client.get(url).text
    assert client.get(url)["X-Page-Cache"].startswith("hit")
    image.caption = "The corrected caption."
    image.save()
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "The corrected caption." in response.text
    image.delete()
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert story_body(response).xpath(".//img") == []


def test_a_body_with_pictures_survives_a_save_through_the_admin_form(admin_client):
    first, second = make_image(), make_image()
    body = f"<p>Before.</p>{figure(first)}<h2>Then</h2>{figure(second)}<p>After.</p>"
    article = make_article(body=body)
    response = admin_client.get(change_url(article))
    data = form_data(response.content.decode(), "article_form")
    assert data["body"] == [body]  # the form offers the body as stored
    data["headline"] = ["A new headline"]
    response = admin_client.post(change_url(article), data)
    assert response.status_code == 302, errors_in(response)
    article.refresh_from_db()
    assert article.headline == "A new headline"
    assert article.body == body


def test_the_editor_previews_a_picture_by_its_number(admin_client):
    image = make_image(caption="The harbour at dawn.")
    response = admin_client.get(f"/admin/articles/image/body-picture/{image.pk}/")
    picture = response.json()
    assert (picture["id"], picture["caption"], picture["credit"]) == (
        image.pk,
        "The harbour at dawn.",
        "Photo: Tests",
    )
    assert picture["src"].endswith("-240w.jpg")
    assert (picture["thumb_width"], picture["thumb_height"]) == (160, 100)
    missing = admin_client.get(f"/admin/articles/image/body-picture/{image.pk + 1}/")
    assert missing.status_code == 404


# In the browser ---------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_editor_keeps_and_inserts_library_pictures(page: Page, live_server):
    kept = make_image(caption="The harbour at dawn.")
    added = make_image(caption="The ferry leaving.")
    article = make_article(
        body=f"<p>The ferry left at seven.</p>{figure(kept)}<p>It came back.</p>"
    )
    user = make_user("superuser", password=PASSWORD)
    log_in(page, live_server.url, user.username)
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")

    editor = page.locator('.field-body .ProseMirror[contenteditable="true"]')
    box = editor.locator("figure.prose-image")
    expect(box).to_contain_text(f"Picture {kept.pk}")
    expect(box).to_contain_text("The harbour at dawn. (Photo: Tests)")
    expect(box.locator("img")).to_have_count(1)
    assert box.get_attribute("contenteditable") == "false"  # one block, not typed into
    assert accessibility_violations(page) == []

    alerts = answer_prompts(page, ["not a number", str(added.pk)])
    editor.locator("p", has_text="It came back.").click()
    page.keyboard.press("End")
    button = page.locator('.prose-menubar button[title="insert picture"]')
    button.click()  # refused: a picture is named by its number
    assert alerts == ["A picture is named by its number in the image library, such as 42."]
    button.click()
    expect(box).to_have_count(2)
    expect(box.nth(1)).to_contain_text("The ferry leaving.")
    page.get_by_role("button", name="Update", exact=True).click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    article.refresh_from_db()
    assert article.body == (
        f"<p>The ferry left at seven.</p>{figure(kept)}<p>It came back.</p>{figure(added)}"
    )
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.locator(".story__body figure img")).to_have_count(2)
    expect(page.locator(".story__body figcaption").nth(1)).to_have_text(
        "The ferry leaving. (Photo: Tests)"
    )


def test_a_picture_named_twice_is_read_once_and_shown_twice(django_assert_num_queries):
    image = make_image(alt_text="The quay")
    body = f"{figure(image)}<p>Between.</p>{figure(image)}"
    assert body_images.ids_in(body) == [image.pk]
    with django_assert_num_queries(1):
        shown = body_images.render_in_body(body)
    assert shown.count('alt="The quay"') == 2
    assert shown.index("<p>Between.</p>") > shown.index("<figure")


def test_a_live_updates_editor_offers_no_picture_but_its_text_keeps_one():
    """An update has a picture field of its own; a picture in its text (pasted) is kept as
    stored, and shows nothing there (``with_embeds`` leaves its empty element)."""
    assert set(rich_text.BODY_EXTENSIONS) - set(rich_text.LIVE_UPDATE_EXTENSIONS) == {
        "LibraryImage"
    }
    text = '<p>Now.</p><figure data-image="4"></figure>'
    update = LiveUpdate(article=make_article(live=True), text=text)
    update.full_clean()
    assert update.text == text
