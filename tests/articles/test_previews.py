"""What the desk sees of stories readers cannot see yet: the staff preview in the admin, the
signed share link that works without a login until it expires, the state of each story in the
change list, and the dashboard on the admin index."""

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
        r'<input type="text" readonly value="([^"]+)"[^>]*aria-label="Share preview link"',
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
        assert text.startswith(f"Preview: this story is {state}"), text
        assert "Readers cannot see this page" in text
        assert_private(response)


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
    assert text.startswith(f"Preview: this story is {state}"), text
    assert "this link expires" in text
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


# The change list and the dashboard


def changelist_rows(client) -> dict[str, dict[str, str]]:
    """Each story's row in the change list: its columns' text by column name."""
    html = client.get("/admin/articles/article/").content.decode()
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        cells = dict(re.findall(r'<t[hd] class="field-(\w+)[^"]*">(.*?)</t[hd]>', row, re.S))
        if "headline" in cells:
            text = {name: re.sub(r"<[^>]+>", "", value).strip() for name, value in cells.items()}
            rows[text["headline"]] = text
    return rows


def desk_stories():
    writer = make_user("Writers", username="wendy")
    editor = make_user("Editors", username="eddie")
    now = timezone.now()
    soon = (now + dt.timedelta(hours=5)).replace(second=0, microsecond=0)
    return (
        editor,
        soon,
        {
            "Draft story": make_article(status="draft", owner=writer),
            "Review story": make_article(status="review", owner=writer),
            "Scheduled story": make_article(published_at=soon, owner=writer, last_edited_by=editor),
            "Live story": make_article(owner=writer, last_edited_by=editor),
            "Old story": make_article(
                published_at=now - dt.timedelta(days=3), last_edited_by=editor
            ),
            "Removed story": make_article(
                status="unpublished", published_at=now - dt.timedelta(days=1), last_edited_by=editor
            ),
        },
    )


def test_changelist_shows_state_and_who_holds_each_story():
    editor, soon, stories = desk_stories()
    for headline, story in stories.items():
        Article.objects.filter(pk=story.pk).update(headline=headline)

    rows = changelist_rows(logged_in(editor))

    when = timezone.localtime(soon).strftime("%d %b %Y %H:%M")
    assert {headline: (row["state"], row["held_by"]) for headline, row in rows.items()} == {
        "Draft story": ("Draft", "wendy"),
        "Review story": ("In review", "Editors (review)"),
        "Scheduled story": (f"Scheduled for {when}", "eddie"),
        "Live story": ("Published", "eddie"),
        "Old story": ("Published", "eddie"),
        "Removed story": ("Unpublished", "eddie"),
    }


def dashboard(client) -> dict[str, list[str]]:
    html = client.get("/admin/").content.decode()
    board = re.search(r'<div class="module newsroom-dashboard".*?</div>', html, re.S)
    if board is None:
        return {}
    return {
        caption: re.findall(r'<a href="/admin/articles/article/\d+/change/">([^<]+)</a>', body)
        for caption, body in re.findall(
            r"<caption>(.*?)</caption>(.*?)</table>", board.group(0), re.S
        )
    }


@pytest.mark.parametrize("role", ["Editors", "Writers"])
def test_admin_index_shows_the_desk_dashboard(role):
    _, _, stories = desk_stories()
    for headline, story in stories.items():
        Article.objects.filter(pk=story.pk).update(headline=headline)

    assert dashboard(logged_in(make_user(role))) == {
        "In review": ["Review story"],
        "Scheduled": ["Scheduled story"],
        "Recently published": ["Live story", "Old story"],
    }


def test_dashboard_is_not_shown_to_staff_who_cannot_see_stories():
    make_article(status="review")
    clerk = make_user(None, is_staff=True)

    response = logged_in(clerk).get("/admin/")

    assert response.status_code == 200
    assert dashboard(logged_in(clerk)) == {}


def test_empty_dashboard_says_so():
    html = logged_in(make_user("Editors")).get("/admin/").content.decode()

    for text in ("Nothing waiting for review.", "Nothing scheduled.", "Nothing published yet."):
        assert text in html
