"""Staff notes (articles/staff_notes.py and the story form's notes panel): threads, replies,
resolving, what readers never see, and an @mention mailed through the task queue to a real
SMTP server, never inside the request."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from articles import staff_notes
from articles.models import StaffNote
from tests.articles.test_admin import change_url
from tests.factories import logged_in, make_article, make_user
from tests.newsletter.conftest import smtp_server  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups():
    """The Writers and Editors groups, which a transactional test's flushed database lacks."""
    from django.apps import apps

    from articles.roles import sync_groups

    sync_groups(apps)


@pytest.fixture
def editor():
    return make_user("Editors", username="eddie", email="eddie@example.com")


@pytest.fixture
def writer():
    return make_user("Writers", username="wendy", email="wendy@example.com")


def notes_url(story) -> str:
    return reverse("admin:articles_article_notes", args=[story.pk])


def test_a_thread_with_replies_is_resolved_and_reopened(editor, writer):
    story = make_article(status="draft", owner=writer)
    author, desk = logged_in(writer), logged_in(editor)

    response = author.post(notes_url(story), {"text": "Is the count from Tuesday right?"})
    assert response.status_code == 302
    assert response["Location"] == change_url(story) + "#staff-notes"
    thread = StaffNote.objects.get()
    desk.post(notes_url(story), {"reply_to": thread.pk, f"reply_text_{thread.pk}": "Yes, checked."})
    desk.post(notes_url(story), {"resolve": thread.pk})

    thread.refresh_from_db()
    assert (thread.resolved_by, thread.replies.get().text) == (editor, "Yes, checked.")
    page = desk.get(change_url(story)).content.decode()
    assert "Resolved by eddie" in page
    assert '<span class="count">0 open</span>' in page

    # A reply reopens it; so does the button.
    author.post(notes_url(story), {"reply_to": thread.pk, f"reply_text_{thread.pk}": "One more"})
    thread.refresh_from_db()
    assert thread.resolved_at is None
    desk.post(notes_url(story), {"resolve": thread.pk})
    desk.post(notes_url(story), {"reopen": thread.pk})
    thread.refresh_from_db()
    assert thread.resolved_at is None


def test_notes_are_never_shown_to_readers(editor, client):
    story = make_article(headline="Public story")
    staff_notes.add(article=story, author=editor, text="Internal: the source asked not to be named")
    assert "Internal: the source" not in client.get(story.get_absolute_url()).content.decode()


def test_the_panel_answers_the_forms_script_with_html(editor):
    story = make_article()
    response = logged_in(editor).post(
        notes_url(story), {"text": "Check the caption"}, headers={"X-Requested-With": "fetch"}
    )
    assert response.status_code == 200
    assert "data-staff-notes" in response.content.decode()
    assert "Check the caption" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "   "}, "The note is empty: write something first."),
        ({"text": "x" * 5001}, "The note is 5,001 characters; the limit is 5,000."),
        ({"resolve": "999999"}, "That thread no longer exists."),
    ],
)
def test_a_bad_note_is_refused_with_a_reason_and_nothing_stored(editor, data, message):
    story = make_article()
    desk = logged_in(editor)

    response = desk.post(notes_url(story), data, headers={"X-Requested-With": "fetch"})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not StaffNote.objects.exists()


def test_a_thread_of_another_story_cannot_be_answered_here(editor):
    story, other = make_article(), make_article()
    thread = staff_notes.add(article=other, author=editor, text="Elsewhere")

    response = logged_in(editor).post(
        notes_url(story), {"reply_to": thread.pk, f"reply_text_{thread.pk}": "Hijack"}
    )

    assert response.status_code == 302
    assert not thread.replies.exists()


def test_staff_without_note_permission_and_readers_are_refused(client):
    story = make_article()
    clerk = make_user(None, is_staff=True)
    assert logged_in(clerk).post(notes_url(story), {"text": "Hi"}).status_code == 403
    assert client.post(notes_url(story), {"text": "Hi"}).status_code == 302  # to the login
    assert not StaffNote.objects.exists()


def test_mentions_find_active_staff_only(editor, writer):
    make_user(None, username="reader")
    make_user("Editors", username="gone", is_active=False)
    found = staff_notes.mentioned_users(
        "@wendy and @eddie, see @reader's note; @gone left. mail@example.com is no mention."
    )
    assert {user.username for user in found} == {"wendy", "eddie"}


# The worker closes the database connections it finds when it starts, as a worker process
# does: this test commits for real (on PostgreSQL a closed connection inside the test's own
# transaction would end it).
@pytest.mark.django_db(transaction=True)
def test_a_mention_is_mailed_through_the_task_queue_not_in_the_request(
    groups,
    editor,
    writer,
    settings,
    smtp_server,  # noqa: F811 - the fixture imported above
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.SITE_URL = "https://news.example"
    story = make_article(headline="Cranes return", status="draft", owner=writer)

    response = logged_in(writer).post(
        notes_url(story), {"text": "@eddie can you check the numbers? Thanks, @wendy"}
    )
    assert response.status_code == 302

    assert smtp_server.received == []  # the request only queued it
    assert DBTaskResult.objects.count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    (mail,) = smtp_server.received
    assert mail.rcpt_tos == ["eddie@example.com"]  # not the author, who named herself
    message = mail.message
    assert message["Subject"] == "wendy mentioned you on “Cranes return”"
    body = message.get_content()
    assert "@eddie can you check the numbers?" in body
    assert f"https://news.example/admin/articles/article/{story.pk}/change/#staff-notes" in body


def test_the_desk_shows_open_notes(editor):
    story = make_article(headline="Noted story")
    staff_notes.add(article=story, author=editor, text="Needs a second source")
    done = staff_notes.add(article=story, author=editor, text="Old business")
    staff_notes.resolve(thread=done, by=editor)

    html = logged_in(editor).get("/admin/").content.decode()

    assert "Needs a second source" in html
    assert "Old business" not in html
    assert 'Open notes <span class="count">1</span>' in html
