"""What the desk sees of stories readers cannot see yet: the staff preview in the admin, with
a banner right for every state, and the signed share link that works without a login until
it expires."""

import datetime as dt
import html as html_lib
import re

import pytest
from django.test import Client
from django.utils import timezone

from articles.models import Article
from tests.articles.test_admin import change_url, form_data
from tests.factories import logged_in, make_article, make_user

pytestmark = pytest.mark.django_db

ROBOTS_NOINDEX = '<meta name="robots" content="noindex, nofollow">'


def preview_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/preview/"


def unpublished_stories():
    later = timezone.now() + dt.timedelta(days=2)
    return {
        "draft": make_article(headline="A draft", status=Article.Status.DRAFT),
        "in review": make_article(headline="In review", status=Article.Status.REVIEW),
        "published, scheduled for": make_article(headline="Scheduled", published_at=later),
    }


def assert_private(response):
    """Never cached, never indexed."""
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control, response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    assert ROBOTS_NOINDEX in response.content.decode()


def banner(response) -> str:
    match = re.search(r'<p class="preview-banner"[^>]*>(.*?)</p>', response.content.decode(), re.S)
    assert match, "no preview banner"
    return re.sub(r"<[^>]+>", "", match.group(1))


def share_link(client, article) -> str | None:
    """The share-preview address as the change form shows it to the editor."""
    page = client.get(change_url(article))
    assert page.status_code == 200
    match = re.search(
        r'<input id="share-link" type="text" readonly value="([^"]+)"',
        page.content.decode(),
    )
    return html_lib.unescape(match.group(1)) if match else None


# The staff preview in the admin


@pytest.mark.parametrize("role", ["Editors", "Writers"])
def test_staff_preview_renders_the_story_page_with_a_banner(role):
    client = logged_in(make_user(role))
    for state, story in unpublished_stories().items():
        response = client.get(preview_url(story))

        assert response.status_code == 200, state
        assert "articles/article_detail.html" in [t.name for t in response.templates]
        html = response.content.decode()
        assert f'<h1 class="story__headline">{story.headline}</h1>' in html
        text = banner(response)
        if state == "published, scheduled for":
            assert text.startswith("Preview: this story is scheduled for "), text
            assert "readers cannot see it until then" in text
        else:
            assert text == f"Preview: this story is {state}; readers cannot see it.", text
        assert_private(response)


def test_the_preview_banner_is_right_for_a_live_and_a_taken_down_story():
    client = logged_in(make_user("Editors"))
    live = make_article(headline="Live")
    gone = make_article(headline="Gone", status=Article.Status.UNPUBLISHED)

    assert banner(client.get(preview_url(live))) == (
        "Preview: this story is published, and readers see it as it is here."
    )
    assert banner(client.get(preview_url(gone))) == (
        "Preview: this story was unpublished; readers get a page saying it was taken down."
    )


def test_staff_preview_needs_a_staff_login(client):
    story = make_article(status=Article.Status.DRAFT)

    response = client.get(preview_url(story))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")

    client.force_login(make_user(None))  # a reader, not staff
    response = client.get(preview_url(story))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert "preview-banner" not in response.content.decode()


def test_staff_preview_of_a_missing_story_is_404():
    assert (
        logged_in(make_user("Editors")).get("/admin/articles/article/999999/preview/").status_code
        == 404
    )


def test_save_and_preview_saves_then_opens_the_preview():
    story = make_article(headline="Before", status=Article.Status.DRAFT)
    client = logged_in(make_user("Editors"))
    data = form_data(client.get(change_url(story)).content.decode(), "article_form")
    data["headline"] = ["After"]
    data["_preview"] = ["Save and preview"]

    response = client.post(change_url(story), data)

    assert response.status_code == 302
    assert response["Location"] == preview_url(story)
    assert Article.objects.get(pk=story.pk).headline == "After"


# The share link


@pytest.mark.parametrize("state", ["draft", "in review", "published, scheduled for"])
def test_share_link_from_the_change_form_works_without_a_login(state):
    story = unpublished_stories()[state]
    link = share_link(logged_in(make_user("Editors")), story)
    assert link, "the change form shows no share-preview link"
    assert link.startswith("http://testserver/preview/")

    reader = Client()
    response = reader.get(link)

    assert response.status_code == 200
    assert f'<h1 class="story__headline">{story.headline}</h1>' in response.content.decode()
    text = banner(response)
    shown = "scheduled for" if state == "published, scheduled for" else state
    assert text.startswith(f"Preview: this story is {shown}"), text
    assert text.endswith("This link expires."), text
    assert_private(response)
    assert "Set-Cookie" not in response
    assert not response.cookies
    assert not reader.cookies


def test_no_share_link_for_a_story_readers_can_already_see():
    story = make_article(headline="Live")

    assert share_link(logged_in(make_user("Editors")), story) is None


def test_expired_share_link_is_404(settings):
    story = make_article(status=Article.Status.DRAFT)
    link = share_link(logged_in(make_user("Editors")), story)
    assert Client().get(link).status_code == 200

    settings.PREVIEW_MAX_AGE = -1

    response = Client().get(link)
    assert response.status_code == 404
    assert "preview-banner" not in response.content.decode()


def test_tampered_share_link_is_404():
    story = make_article(status=Article.Status.DRAFT)
    other = make_article(status=Article.Status.DRAFT)
    link = share_link(logged_in(make_user("Editors")), story)
    token = link.rstrip("/").rsplit("/", 1)[1]
    value, stamp, signature = token.split(":")
    assert value == str(story.pk)

    forged = [
        f"{other.pk}:{stamp}:{signature}",  # another story, same signature
        f"{value}:{stamp}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",
        f"{value}:{stamp}",
        "not-a-token",
    ]
    for token in forged:
        assert Client().get(f"/preview/{token}/").status_code == 404, token


def test_share_link_of_a_deleted_story_is_404():
    story = make_article(status=Article.Status.DRAFT)
    link = share_link(logged_in(make_user("Editors")), story)
    story.delete()

    assert Client().get(link).status_code == 404
