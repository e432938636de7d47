"""Autosave (articles/autosave.py and its admin view): the text is kept without touching the
story, one row per person and story however often it is sent, a stale tab never overwrites
newer work, an expired session gets a clear answer, and reopening offers the newer text."""

import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from articles.models import Article, StoryAutosave
from tests.articles.test_admin import change_url, form_data
from tests.factories import logged_in, make_article, make_user

pytestmark = pytest.mark.django_db

URL = reverse("admin:articles_article_autosave")
ADD = "/admin/articles/article/add/"


@pytest.fixture
def editor():
    return make_user("Editors", username="eddie")


def opened(client, story) -> dict:
    """What the form's script knows when the page has loaded: the story's version and the
    autosave count."""
    html = client.get(change_url(story) if story else ADD).content.decode()
    data = form_data(html, "article_form")
    revision = re.search(r'data-revision="(\d+)"', html).group(1)
    return {
        "story": str(story.pk) if story else "",
        "seen_version": data["seen_version"][0],
        "draft_key": data.get("draft_key", [""])[0],
        "revision": revision,
    }


def autosave(client, tab: dict, **fields):
    response = client.post(URL, {**tab, **fields})
    if response.status_code == 200:
        tab["revision"] = str(response.json()["revision"])
    return response


def test_an_autosave_keeps_the_text_and_never_touches_the_story(editor, client):
    story = make_article(headline="Live headline", body="<p>Live body.</p>")
    desk = logged_in(editor)
    tab = opened(desk, story)
    version = Article.objects.get(pk=story.pk).lock_version

    for n in range(5):  # every few seconds while typing
        response = autosave(desk, tab, headline=f"Draft headline {n}", body="<p>New body.</p>")
        assert response.status_code == 200, response.content
        assert response.json()["label"].startswith("Autosaved at ")

    story = Article.objects.get(pk=story.pk)
    assert (story.headline, story.body, story.lock_version) == (
        "Live headline",
        "<p>Live body.</p>",
        version,
    )
    assert "Live headline" in client.get(story.get_absolute_url()).content.decode()
    row = StoryAutosave.objects.get()  # one row, not one per keystroke
    assert (row.revision, row.fields["headline"]) == (5, "Draft headline 4")
    assert not Version.objects.get_for_object(story).exists()  # no revision per autosave


def test_reopening_offers_the_newer_text_and_restores_it(editor):
    story = make_article(headline="Saved headline")
    desk = logged_in(editor)
    autosave(desk, opened(desk, story), headline="Typed later", body="<p>More words.</p>")

    page = desk.get(change_url(story)).content.decode()
    assert "You have newer text of this story, autosaved at" in page
    assert 'href="?restore=1"' in page

    restored = desk.get(change_url(story) + "?restore=1")
    data = form_data(restored.content.decode(), "article_form")
    assert data["headline"] == ["Typed later"]
    assert "This is your autosaved text, not yet saved to the story." in restored.content.decode()
    assert Article.objects.get(pk=story.pk).headline == "Saved headline"

    data["workflow"] = ["update"]
    assert desk.post(change_url(story), data).status_code == 302
    assert Article.objects.get(pk=story.pk).headline == "Typed later"
    assert not StoryAutosave.objects.exists()  # saved: nothing left to offer
    assert "You have newer text" not in desk.get(change_url(story)).content.decode()


def test_a_story_not_saved_once_is_autosaved_and_offered_again(editor):
    desk = logged_in(editor)
    tab = opened(desk, None)
    assert uuid.UUID(tab["draft_key"])

    assert (
        autosave(desk, tab, headline="Rain in the Negev", body="<p>It rained.</p>").status_code
        == 200
    )
    assert not Article.objects.exists()

    page = desk.get(ADD).content.decode()  # the tab was closed; a new one opens the add form
    assert "a story not saved yet (“Rain in the Negev”)" in page
    restored = desk.get(f"{ADD}?restore={tab['draft_key']}")
    data = form_data(restored.content.decode(), "article_form")
    assert data["headline"] == ["Rain in the Negev"]
    assert data["draft_key"] == [tab["draft_key"]]

    data["workflow"] = ["save"]
    assert desk.post(ADD, data).status_code == 302
    assert Article.objects.get().headline == "Rain in the Negev"
    assert not StoryAutosave.objects.exists()


def test_a_stale_tab_never_overwrites_a_newer_autosave(editor):
    story = make_article()
    desk = logged_in(editor)
    old_tab, new_tab = opened(desk, story), opened(desk, story)
    assert autosave(desk, old_tab, headline="First tab").status_code == 200
    new_tab["revision"] = old_tab["revision"]  # the second tab reloaded and saw it
    assert autosave(desk, new_tab, headline="Second tab, newer").status_code == 200

    response = autosave(desk, old_tab, headline="First tab, stale")

    assert response.status_code == 409
    assert response.json()["error"].startswith("Another tab autosaved newer text of this story at")
    assert StoryAutosave.objects.get().fields["headline"] == "Second tab, newer"


def test_an_autosave_from_before_the_story_was_saved_is_refused(editor):
    story = make_article()
    desk, other = logged_in(editor), logged_in(make_user("Editors", username="olga"))
    tab = opened(desk, story)
    data = form_data(other.get(change_url(story)).content.decode(), "article_form")
    data.update({"headline": ["Olga's headline"], "workflow": ["update"]})
    assert other.post(change_url(story), data).status_code == 302

    response = autosave(desk, tab, headline="Eddie's late words")

    assert response.status_code == 409
    message = response.json()["error"]
    assert message.startswith("This story was saved by olga at ")
    assert "this tab's text was not autosaved" in message
    assert Article.objects.get(pk=story.pk).headline == "Olga's headline"
    assert not StoryAutosave.objects.exists()


def test_an_expired_session_gets_a_clear_answer_not_the_login_page(editor):
    story = make_article()
    desk = logged_in(editor)
    tab = opened(desk, story)
    desk.logout()

    response = autosave(desk, tab, headline="Typed while the session ran out")

    assert response.status_code == 401
    assert response.json()["error"].startswith("Your session has expired")
    assert not StoryAutosave.objects.exists()


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"revision": "x"}, 400, "The autosave's revision is missing or not a number."),
        ({"seen_version": ""}, 400, "The autosave's story version is missing or not a number."),
        ({"story": "999999"}, 404, "That story no longer exists."),
        (
            {"body": "x" * 500_001},
            400,
            "The body is over 500,000 characters: too long to autosave.",
        ),
    ],
)
def test_bad_autosaves_are_refused_with_a_reason(editor, change, status, message):
    story = make_article()
    desk = logged_in(editor)
    tab = {**opened(desk, story), **change}

    response = desk.post(URL, tab)

    assert response.status_code == status
    assert response.json()["error"] == message
    assert not StoryAutosave.objects.exists()


def test_a_new_storys_autosave_needs_its_key(editor):
    desk = logged_in(editor)
    response = desk.post(URL, {"story": "", "draft_key": "nope", "revision": "0"})
    assert response.status_code == 400
    assert response.json()["error"] == "A new story's autosave needs the key its form was given."


def test_a_writer_cannot_autosave_a_story_that_is_not_their_draft():
    writer = make_user("Writers")
    story = make_article(status="review", owner=writer)
    author = logged_in(writer)
    tab = {"story": str(story.pk), "seen_version": str(story.lock_version), "revision": "0"}

    response = author.post(URL, {**tab, "headline": "Sneaky"})

    assert response.status_code == 403
    assert not StoryAutosave.objects.exists()


def test_autosave_needs_csrf_and_post(editor):
    story = make_article()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    assert strict.post(URL, {"story": str(story.pk)}).status_code == 403
    assert logged_in(editor).get(URL).status_code == 405


def test_autosave_costs_a_fixed_number_of_queries(editor, django_assert_num_queries):
    story = make_article()
    desk = logged_in(editor)
    tab = opened(desk, story)
    autosave(desk, tab, headline="One")
    for n in range(20):
        make_article()
        StoryAutosave.objects.create(
            user=editor, draft_key=uuid.uuid4(), fields={"headline": str(n)}
        )
    # The session, the user, whether the session owes a second factor (accounts), the story,
    # the user's and their groups' permissions, the story's row lock, the autosave row and its
    # update; and the savepoints of the two atomic blocks, which this test's own transaction
    # turns them into.
    with django_assert_num_queries(13):
        assert autosave(desk, tab, headline="Two").status_code == 200
