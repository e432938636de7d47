"""The writing screen's form (articles/admin/story_form.py, articles/workflow.py): the publish
panel's buttons, the checklist before publishing, the schedule, the lead image's details edited
in place, and the query count of the form."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from reversion.models import Version

from articles import staff_notes, workflow
from articles.models import Article, Image, Transition
from tests.articles.test_admin import article_post, change_url, errors_in, form_data
from tests.factories import (
    logged_in,
    make_article,
    make_author,
    make_image,
    make_section,
    make_user,
)

pytestmark = pytest.mark.django_db

ADD = "/admin/articles/article/add/"


@pytest.fixture
def editor():
    return make_user("Editors", username="eddie")


@pytest.fixture
def writer():
    return make_user("Writers", username="wendy")


def complete(**fields) -> dict:
    """An add-form submission that passes the checklist."""
    image = fields.pop("image", None) or make_image(alt_text="Cranes at dawn")
    data = article_post(
        headline="Cranes return to the Hula",
        slug="cranes",
        dek="Forty thousand birds stop on the way south.",
        section=str(make_section().pk),
        lead_image=str(image.pk),
        lead_alt_text=image.alt_text,
        lead_caption=image.caption,
        lead_credit=image.credit,
        body="<p>The count began at dawn.</p>",
        authors=[make_author()],
    )
    data.update(fields)
    return data


def open_form(client, story) -> dict:
    response = client.get(change_url(story))
    assert response.status_code == 200
    return form_data(response.content.decode(), "article_form")


def press(client, story, action, **changes):
    data = open_form(client, story)
    data.update({name: [value] for name, value in changes.items()})
    data["workflow"] = [action]
    return client.post(change_url(story), data)


def buttons_on(client, url) -> list[str]:
    html = client.get(url).content.decode()
    return re.findall(r'<button type="submit" name="workflow" value="(\w+)"', html)


# The buttons each person gets


def test_each_state_offers_the_buttons_named_for_what_they_do(editor, writer):
    desk, author = logged_in(editor), logged_in(writer)
    mine = make_article(status="draft", owner=writer)
    review = make_article(status="review", owner=writer)
    live = make_article()
    later = make_article(published_at=timezone.now() + dt.timedelta(days=1))
    gone = make_article(status="unpublished")

    assert buttons_on(author, ADD) == ["save", "submit"]
    assert buttons_on(author, change_url(mine)) == ["save", "submit"]
    assert buttons_on(author, change_url(review)) == []  # read-only to the writer now
    assert buttons_on(desk, ADD) == ["save", "submit", "publish", "schedule"]
    assert buttons_on(desk, change_url(review)) == ["update", "publish", "schedule", "draft"]
    assert buttons_on(desk, change_url(live)) == ["update", "unpublish"]
    assert buttons_on(desk, change_url(later)) == ["update", "schedule", "publish", "draft"]
    assert buttons_on(desk, change_url(gone)) == ["update", "publish", "schedule"]
    html = desk.get(change_url(live)).content.decode()
    assert ">Update</button>" in html
    assert ">Unpublish</button>" in html
    assert 'data-primary aria-keyshortcuts="Control+S Meta+S">Update' in html


def test_writer_saves_a_draft_and_submits_it(writer):
    author = logged_in(writer)
    response = author.post(ADD, {**complete(), "workflow": "save"})
    assert response.status_code == 302, errors_in(response)
    story = Article.objects.get()
    assert response["Location"] == change_url(story)  # back to the writing screen
    assert story.status == "draft"

    response = press(author, story, "submit")

    assert response.status_code == 302, errors_in(response)
    assert Article.objects.get().status == "review"
    message = [str(m) for m in author.get(change_url(story)).context["messages"]]
    assert message == ["Submitted for review: the editors see it on the desk."]


def test_a_writer_cannot_press_publish_even_in_a_crafted_post(writer):
    author = logged_in(writer)
    response = author.post(ADD, {**complete(), "workflow": "publish"})

    assert response.status_code == 200
    assert "You cannot publish this story." in response.content.decode()
    assert not Article.objects.exists()


def test_publish_now_with_the_time_left_empty_publishes_at_once(editor, client):
    desk = logged_in(editor)
    before = timezone.now()

    response = desk.post(ADD, {**complete(), "workflow": "publish"})

    assert response.status_code == 302, errors_in(response)
    story = Article.objects.get()
    assert story.is_public
    assert before <= story.published_at <= timezone.now()
    assert client.get(story.get_absolute_url()).status_code == 200


def test_the_checklist_refuses_to_publish_a_story_with_parts_missing(editor):
    desk = logged_in(editor)
    bare = article_post(headline="Only a headline", slug="only", body="<p></p>")

    response = desk.post(ADD, {**bare, "workflow": "publish"})

    assert response.status_code == 200
    form = response.context["adminform"].form
    for field in ("dek", "section", "lead_image", "body"):
        assert form.errors[field] == [f"Before publishing: {label(field)} is missing."], field
    assert "Before publishing: the byline is missing. Add an author." in response.content.decode()
    assert not Article.objects.exists()
    # A draft needs none of it.
    assert desk.post(ADD, {**bare, "workflow": "save"}).status_code == 302


def label(field: str) -> str:
    return dict(workflow.CHECKLIST)[field].lower()


def test_publishing_refuses_a_lead_image_whose_alt_text_was_emptied_here(editor):
    image = make_image(alt_text="Cranes")
    response = logged_in(editor).post(
        ADD, {**complete(image=image), "lead_alt_text": "", "workflow": "publish"}
    )

    assert response.status_code == 200
    assert "The lead image has no alt text" in response.content.decode()
    assert Image.objects.get(pk=image.pk).alt_text == "Cranes"  # nothing half-written


def test_schedule_in_the_future_then_it_appears_by_itself(editor, client):
    story = make_article(status="review", **{"dek": "D"})
    desk = logged_in(editor)
    when = (timezone.localtime() + dt.timedelta(hours=3)).replace(second=0, microsecond=0)
    data = {**complete(), "workflow": "schedule", "schedule_at": when.strftime("%Y-%m-%dT%H:%M")}
    response = desk.post(ADD, data)
    assert response.status_code == 302, errors_in(response)
    story = Article.objects.get(slug="cranes")
    assert (story.status, story.published_at) == ("published", when)
    assert client.get(story.get_absolute_url()).status_code == 404
    step = Transition.objects.filter(article=story).latest("at")
    assert step.scheduled_for == when
    assert workflow.describe_transition(step) == f"Scheduled for {when:%-d %b %Y, %H:%M}"

    Article.objects.filter(pk=story.pk).update(
        published_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert client.get(story.get_absolute_url()).status_code == 200


def test_a_schedule_time_in_the_past_is_refused_in_place(editor):
    story = make_article(status="review")
    past = timezone.localtime() - dt.timedelta(minutes=5)

    response = press(
        logged_in(editor), story, "schedule", schedule_at=past.strftime("%Y-%m-%dT%H:%M")
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["schedule_at"]
    assert errors == [
        f"{past:%-d %b %Y, %H:%M} is in the past: choose a later time, or press Publish now."
    ]
    assert Article.objects.get(pk=story.pk).status == "review"


def test_the_schedule_picker_defaults_to_the_next_hour_in_the_newsrooms_zone(editor):
    response = logged_in(editor).get(ADD)
    value = re.search(r'name="schedule_at" value="([^"]+)"', response.content.decode()).group(1)
    offered = timezone.make_aware(dt.datetime.fromisoformat(value))
    assert offered.minute == 0
    assert (
        timezone.now() + dt.timedelta(minutes=30)
        <= offered
        <= timezone.now() + dt.timedelta(minutes=91)
    )
    assert 'Publish at <span class="quiet">(Asia/Jerusalem)</span>' in response.content.decode()


def test_unpublish_and_unschedule(editor, client):
    live = make_article()
    later = make_article(published_at=timezone.now() + dt.timedelta(days=1))
    desk = logged_in(editor)

    assert press(desk, live, "unpublish").status_code == 302
    assert press(desk, later, "draft").status_code == 302

    assert client.get(live.get_absolute_url()).status_code == 410
    later = Article.objects.get(pk=later.pk)
    assert (later.status, later.published_at) == ("draft", None)


def test_update_keeps_a_live_story_live_and_history_says_what_happened(editor):
    story = make_article(
        headline="Before",
        section=make_section(),
        lead_image=make_image(),
        authors=[make_author()],
    )
    desk = logged_in(editor)

    assert press(desk, story, "update", headline="After").status_code == 302
    assert press(desk, story, "unpublish").status_code == 302
    assert press(desk, story, "publish").status_code == 302

    story = Article.objects.get(pk=story.pk)
    assert (story.headline, story.status) == ("After", "published")
    comments = [v.revision.comment for v in Version.objects.get_for_object(story).order_by("pk")]
    assert comments[0] == "Changed Headline."
    assert comments[1].startswith("Unpublished")
    assert comments[2].startswith("Published again")


# The lead image, in place


def test_alt_text_caption_and_credit_are_edited_from_the_story(editor):
    image = make_image(alt_text="", caption="Old", credit="Photo: Old")
    story = make_article(status="review", lead_image=image)
    response = press(
        logged_in(editor),
        story,
        "update",
        lead_alt_text="Cranes over the lake",
        lead_caption="Cranes over the Hula Valley",
        lead_credit="Photo: Newsroom",
    )

    assert response.status_code == 302, errors_in(response)
    image = Image.objects.get(pk=image.pk)
    assert (image.alt_text, image.caption, image.credit) == (
        "Cranes over the lake",
        "Cranes over the Hula Valley",
        "Photo: Newsroom",
    )


def test_a_post_without_the_details_leaves_the_picture_as_it_is(admin_client):
    image = make_image(alt_text="Kept", caption="Kept caption")
    story = make_article(status="draft", lead_image=image)
    data = open_form(admin_client, story)
    for name in ("lead_alt_text", "lead_caption", "lead_credit"):
        data.pop(name)

    assert admin_client.post(change_url(story), data).status_code == 302
    assert Image.objects.get(pk=image.pk).alt_text == "Kept"


def test_the_form_shows_the_chosen_picture_and_its_details(editor):
    image = make_image(alt_text="Cranes", caption="At dawn", credit="Photo: Tests")
    story = make_article(lead_image=image)
    html = logged_in(editor).get(change_url(story)).content.decode()

    assert f'name="lead_image" value="{image.pk}"' in html
    assert image.fallback_url in html
    assert 'name="lead_alt_text" value="Cranes"' in html
    assert "data-open-picker" in html
    assert "data-upload-input" in html


# Queries


def page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_forms_query_count_does_not_grow_with_the_newsroom(editor):
    """Stories, authors, images and notes added to the newsroom (and notes on the story)
    leave the writing screen's query count as it was."""
    desk = logged_in(editor)
    story = make_article(status="review", lead_image=make_image(), authors=[make_author()])
    staff_notes.add(article=story, author=editor, text="First look, @eddie")
    page_queries(desk, change_url(story))  # the content types, read once per process
    before = (page_queries(desk, change_url(story)), page_queries(desk, ADD))

    for n in range(12):
        make_article(authors=[make_author()], lead_image=make_image())
        thread = staff_notes.add(article=story, author=editor, text=f"Note {n}")
        staff_notes.add(article=story, author=editor, text="A reply", reply_to=thread)

    after = (page_queries(desk, change_url(story)), page_queries(desk, ADD))
    assert after == before
