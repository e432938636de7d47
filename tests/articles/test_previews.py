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
    pk, key = value.split(".")
    assert pk == str(story.pk)

    forged = [
        f"{other.pk}.{key}:{stamp}:{signature}",  # another story, same signature
        f"{story.pk}:{stamp}:{signature}",  # the old keyless kind
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


# Share links end: revoked, unpublished; and only those who may edit the story see them


def revoke(client, article):
    page = client.get(change_url(article)).content.decode()
    action = f"/admin/articles/article/{article.pk}/share-links/revoke/"
    assert f'formaction="{action}"' in page, "no revoke button"
    return client.post(action, follow=True)


def test_revoking_ends_every_earlier_link_and_the_form_shows_a_new_one():
    story = make_article(headline="Embargoed", status=Article.Status.DRAFT)
    editor = logged_in(make_user("Editors"))
    first = share_link(editor, story)
    again = share_link(editor, story)
    assert Client().get(again).status_code == 200  # links made since work alike, until revoked
    assert Client().get(first).status_code == 200

    response = revoke(editor, story)

    assert response.status_code == 200
    assert "Share links made before now no longer work." in response.content.decode()
    assert Client().get(first).status_code == 404
    assert Client().get(again).status_code == 404
    second = share_link(editor, story)
    assert second != first
    assert Client().get(second).status_code == 200


def test_a_writer_revokes_links_of_an_own_draft_but_not_of_others():
    writer = make_user("Writers")
    own = make_article(status=Article.Status.DRAFT, owner=writer)
    theirs = make_article(status=Article.Status.DRAFT, owner=make_user("Writers"))
    client = logged_in(writer)
    assert revoke(client, own).status_code == 200

    theirs_link = share_link(logged_in(make_user("Editors")), theirs)
    response = client.post(f"/admin/articles/article/{theirs.pk}/share-links/revoke/")
    assert response.status_code == 403
    assert Client().get(theirs_link).status_code == 200


def test_a_writer_sees_no_share_link_for_a_story_they_may_not_edit():
    other_writer = make_user("Writers")
    draft = make_article(headline="Someone else's", status=Article.Status.DRAFT, owner=other_writer)
    writer = logged_in(make_user("Writers"))

    page = writer.get(change_url(draft))
    assert page.status_code == 200  # may read it
    html = page.content.decode()
    assert "testserver/preview/" not in html
    assert 'id="share-link"' not in html
    assert "data-copy-share" not in html
    assert "share-links/revoke" not in html
    assert share_link(logged_in(other_writer), draft)  # its owner does see one


def test_unpublishing_ends_a_share_link_for_good():
    later = timezone.now() + dt.timedelta(days=1)
    story = make_article(headline="Scheduled, then pulled", published_at=later)
    editor_user = make_user("Editors")
    link = share_link(logged_in(editor_user), story)
    assert Client().get(link).status_code == 200

    story.move_to(Article.Status.UNPUBLISHED, by=editor_user)
    response = Client().get(link)
    assert response.status_code == 404
    assert "story__headline" not in response.content.decode()
    assert share_link(logged_in(editor_user), story) is None  # none offered while taken down

    story.refresh_from_db()
    story.move_to(Article.Status.DRAFT, by=editor_user)
    assert Client().get(link).status_code == 404  # back to a draft: the old link stays dead


def test_a_share_link_of_a_story_published_since_leads_to_its_page():
    story = make_article(headline="Soon", status=Article.Status.DRAFT)
    editor_user = make_user("Editors")
    link = share_link(logged_in(editor_user), story)
    story.refresh_from_db()  # the key was made by the form's request
    story.move_to(Article.Status.PUBLISHED, by=editor_user)

    response = Client().get(link)
    assert response.status_code == 302
    assert response["Location"] == story.get_absolute_url()
