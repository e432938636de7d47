"""The story desk's workflow through the admin's own forms and actions: who may move a story
between draft, review, published and unpublished, and what readers see at each step."""

import datetime as dt
import json
import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from articles.models import Article, Note, Transition
from articles.templatetags.newsroom import isotime
from tests.articles.test_admin import article_post, change_url, errors_in, form_data, local_split
from tests.factories import logged_in, make_article, make_image, make_user

pytestmark = pytest.mark.django_db

ADD = "/admin/articles/article/add/"
CHANGELIST = "/admin/articles/article/"
ALT_TEXT_MESSAGE = "The lead image has no alt text"


@pytest.fixture
def writer():
    return make_user("Writers", username="wendy")


@pytest.fixture
def editor():
    return make_user("Editors", username="eddie")


def draft(owner, **fields):
    fields.setdefault("status", Article.Status.DRAFT)
    return make_article(owner=owner, **fields)


def open_form(client, article) -> dict:
    response = client.get(change_url(article))
    assert response.status_code == 200
    return form_data(response.content.decode(), "article_form")


def run_action(client, action, *articles):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [str(a.pk) for a in articles], "index": "0"},
        follow=True,
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def offered_actions(client) -> set[str]:
    html = client.get(CHANGELIST).content.decode()
    select = re.search(r'<select name="action".*?</select>', html, re.S)
    return set(re.findall(r'<option value="(\w+)"', select.group(0))) if select else set()


def reload(article) -> Article:
    return Article.objects.get(pk=article.pk)


# Roles


def permissions(group_name) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def test_groups_from_the_migration_hold_the_key_permissions():
    writers, editors = permissions("Writers"), permissions("Editors")

    assert {"articles.add_article", "articles.change_article", "articles.view_article"} <= writers
    assert not writers & {"articles.publish_article", "articles.delete_article"}
    assert not writers & {"articles.add_note", "articles.change_note"}
    assert {
        "articles.publish_article",
        "articles.change_article",
        "articles.delete_article",
        "articles.add_note",
    } <= editors


def test_superuser_can_do_everything_without_a_group(client):
    boss = make_user("superuser")
    story = make_article(headline="Boss", status=Article.Status.REVIEW)
    assert boss.has_perm("articles.publish_article")
    client.force_login(boss)

    assert {"submit_for_review", "publish_now", "unpublish", "delete_selected"} <= offered_actions(
        client
    )
    run_action(client, "publish_now", story)
    assert reload(story).status == Article.Status.PUBLISHED
    assert client.get(f"/admin/articles/article/{story.pk}/preview/").status_code == 200


# Writers


def test_writer_creates_edits_and_submits_a_draft(writer):
    client = logged_in(writer)
    response = client.post(ADD, article_post(headline="Crane count", slug="crane-count"))
    assert response.status_code == 302, errors_in(response)
    story = Article.objects.get()
    assert (story.status, story.owner, story.last_edited_by) == ("draft", writer, writer)

    # The writer's status menu offers only draft and review.
    html = client.get(change_url(story)).content.decode()
    menu = re.search(r'<select name="status".*?</select>', html, re.S).group(0)
    assert re.findall(r'<option value="(\w+)"', menu) == ["draft", "review"]

    data = open_form(client, story)
    data["headline"] = ["Crane count breaks a record"]
    assert client.post(change_url(story), data).status_code == 302
    assert reload(story).headline == "Crane count breaks a record"

    data = open_form(client, story)
    data["status"] = ["review"]
    response = client.post(change_url(story), data)
    assert response.status_code == 302, errors_in(response)
    assert reload(story).status == Article.Status.REVIEW


def test_writer_submits_own_drafts_by_action_but_not_others(writer):
    mine = draft(writer, headline="Mine")
    theirs = draft(make_user("Writers"), headline="Theirs")

    response = run_action(logged_in(writer), "submit_for_review", mine, theirs)

    assert "Submitted 1 story." in messages_of(response)
    assert reload(mine).status == Article.Status.REVIEW
    assert reload(theirs).status == Article.Status.DRAFT


def test_writer_cannot_publish_through_the_add_form(writer):
    date, time = local_split(timezone.now() - dt.timedelta(hours=1))
    data = article_post(
        headline="Sneaky",
        slug="sneaky",
        status="published",
        published_at_0=date,
        published_at_1=time,
    )

    response = logged_in(writer).post(ADD, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["status"]
    assert not Article.objects.exists()


@pytest.mark.parametrize("status", ["published", "unpublished"])
def test_writer_cannot_publish_through_the_change_form(writer, status):
    story = draft(writer, headline="Still a draft")
    client = logged_in(writer)
    data = open_form(client, story)
    data["status"] = [status]
    data["published_at_0"], data["published_at_1"] = local_split(timezone.now())

    response = client.post(change_url(story), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["status"]
    story = reload(story)
    assert (story.status, story.published_at) == ("draft", None)


@pytest.mark.parametrize(
    "state", ["review", "published", "someone else's draft", "own unpublished story"]
)
def test_writer_cannot_change_a_story_that_is_not_their_draft(writer, state):
    owner = make_user("Writers") if state == "someone else's draft" else writer
    status = {"someone else's draft": "draft", "own unpublished story": "unpublished"}.get(
        state, state
    )
    story = make_article(headline="Untouched", owner=owner, status=status)
    editor_view = open_form(logged_in(make_user("Editors")), story)
    client = logged_in(writer)

    page = client.get(change_url(story))
    assert page.status_code == 200  # read-only: writers may read every story
    assert 'name="_save"' not in page.content.decode()
    assert 'name="headline"' not in page.content.decode()

    editor_view["headline"] = ["Changed by a writer"]
    editor_view["status"] = ["draft"]
    assert client.post(change_url(story), editor_view).status_code == 403
    assert reload(story).headline == "Untouched"
    assert reload(story).status == status


def test_writer_is_not_offered_the_publishing_actions_and_cannot_force_them(writer):
    in_review = draft(writer, status=Article.Status.REVIEW)
    live = make_article(owner=writer)
    client = logged_in(writer)

    assert offered_actions(client) == {"submit_for_review"}
    run_action(client, "publish_now", in_review)
    run_action(client, "unpublish", live)
    run_action(client, "delete_selected", live)

    assert reload(in_review).status == Article.Status.REVIEW
    assert reload(live).status == Article.Status.PUBLISHED
    assert not Transition.objects.filter(by=writer).exists()


def test_writer_cannot_set_editor_only_fields(writer):
    client = logged_in(writer)
    date, time = local_split(timezone.now() - dt.timedelta(hours=1))
    crafted = {"featured": "on", "published_at_0": date, "published_at_1": time}
    crafted["owner"] = str(make_user("Writers").pk)
    response = client.post(ADD, article_post(headline="Quiet", slug="quiet", **crafted))
    assert response.status_code == 302, errors_in(response)
    story = Article.objects.get()
    assert (story.featured, story.published_at, story.owner) == (False, None, writer)

    html = client.get(change_url(story)).content.decode()
    for field in ("featured", "published_at_0", "updated_at_0", "owner"):
        assert f'name="{field}"' not in html, field
    data = open_form(client, story)
    data.update({key: [value] for key, value in crafted.items()})
    response = client.post(change_url(story), data)
    assert response.status_code == 302, errors_in(response)
    story = reload(story)
    assert (story.featured, story.published_at, story.owner) == (False, None, writer)


# Editors


def test_editor_publishes_now_by_action(editor, client):
    story = draft(make_user("Writers"), headline="Ready", status=Article.Status.REVIEW)
    before = timezone.now()

    response = run_action(logged_in(editor), "publish_now", story)

    assert "Published 1 story." in messages_of(response)
    story = reload(story)
    assert story.status == Article.Status.PUBLISHED
    assert before <= story.published_at <= timezone.now()
    assert client.get(story.get_absolute_url()).status_code == 200


def test_publish_now_brings_a_scheduled_story_forward(editor, client):
    story = make_article(published_at=timezone.now() + dt.timedelta(days=1))
    assert client.get(story.get_absolute_url()).status_code == 404

    response = run_action(logged_in(editor), "publish_now", story)

    assert "Published 1 story." in messages_of(response)
    assert reload(story).published_at <= timezone.now()
    assert client.get(story.get_absolute_url()).status_code == 200


def test_editor_publishes_and_schedules_through_the_form(editor, client):
    now_story = draft(None, headline="Now", status=Article.Status.REVIEW)
    later_story = draft(None, headline="Later", status=Article.Status.REVIEW)
    desk = logged_in(editor)
    for story, when in [(now_story, -1), (later_story, +3)]:
        data = open_form(desk, story)
        data["status"] = ["published"]
        moment = timezone.now() + dt.timedelta(hours=when)
        data["published_at_0"], data["published_at_1"] = local_split(moment)
        response = desk.post(change_url(story), data)
        assert response.status_code == 302, errors_in(response)

    assert client.get(now_story.get_absolute_url()).status_code == 200
    assert client.get(later_story.get_absolute_url()).status_code == 404
    assert reload(later_story).status == Article.Status.PUBLISHED

    # The time comes.
    Article.objects.filter(pk=later_story.pk).update(
        published_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert client.get(later_story.get_absolute_url()).status_code == 200


def test_editor_unpublishes_and_readers_get_the_gone_page(editor, client):
    story = make_article(headline="Taken down", slug="taken-down")
    assert client.get(story.get_absolute_url()).status_code == 200

    response = run_action(logged_in(editor), "unpublish", story)

    assert "Unpublished 1 story." in messages_of(response)
    assert reload(story).status == Article.Status.UNPUBLISHED
    page = client.get(story.get_absolute_url())
    assert page.status_code == 410
    html = page.content.decode()
    assert "This story has been taken down" in html
    assert 'class="site-header"' in html  # the branded page, not a bare response
    assert '<meta name="robots" content="noindex">' in html
    assert "Taken down" not in html


@pytest.mark.parametrize(("kind", "label"), [("correction", "Correction"), ("update", "Update")])
def test_editor_adds_a_note_and_the_story_shows_it(editor, client, kind, label):
    story = make_article(headline="Corrected", slug="corrected")
    desk = logged_in(editor)
    data = open_form(desk, story)
    when = (timezone.now() - dt.timedelta(minutes=5)).replace(microsecond=0)
    date, time = local_split(when)
    data.update(
        {
            "notes-TOTAL_FORMS": ["1"],
            "notes-0-kind": [kind],
            "notes-0-text": ["An earlier version gave the wrong year."],
            "notes-0-created_at_0": [date],
            "notes-0-created_at_1": [time],
        }
    )

    response = desk.post(change_url(story), data)

    assert response.status_code == 302, errors_in(response)
    note = Note.objects.get(article=story)
    assert (note.kind, note.created_at) == (kind, when)
    assert reload(story).updated_at == when
    html = client.get(story.get_absolute_url()).content.decode()
    foot = re.search(r'<section class="story__notes".*?</section>', html, re.S)
    assert foot, "no notes at the foot of the story"
    assert f"<strong>{label}</strong>" in foot.group(0)
    assert f'<time datetime="{isotime(when)}">' in foot.group(0)
    assert "An earlier version gave the wrong year." in foot.group(0)
    ld = json.loads(re.search(r'ld\+json">(.*?)</script>', html, re.S).group(1))
    assert ld["dateModified"] == isotime(when)
    assert ld["datePublished"] == isotime(reload(story).published_at)


def test_each_transition_is_recorded_in_order(writer, editor):
    author, desk = logged_in(writer), logged_in(editor)
    author.post(ADD, article_post(headline="Journey", slug="journey"))
    story = Article.objects.get()
    data = open_form(author, story)
    data["status"] = ["review"]
    author.post(change_url(story), data)
    run_action(desk, "publish_now", story)
    run_action(desk, "unpublish", story)
    data = open_form(desk, story)
    data["status"] = ["published"]
    assert desk.post(change_url(story), data).status_code == 302

    steps = list(Transition.objects.filter(article=story).order_by("at", "pk"))
    assert [(t.from_status, t.to_status, t.by) for t in steps] == [
        ("", "draft", writer),
        ("draft", "review", writer),
        ("review", "published", editor),
        ("published", "unpublished", editor),
        ("unpublished", "published", editor),
    ]
    times = [t.at for t in steps]
    assert times == sorted(times)
    assert all(t is not None for t in times)


# Alt text


def test_publishing_with_a_lead_image_without_alt_text_is_refused(editor, client):
    picture = make_image(alt_text="")
    story = draft(None, headline="No alt", status=Article.Status.REVIEW, lead_image=picture)
    desk = logged_in(editor)

    data = open_form(desk, story)
    data["status"] = ["published"]
    data["published_at_0"], data["published_at_1"] = local_split(timezone.now())
    response = desk.post(change_url(story), data)
    assert response.status_code == 200
    assert ALT_TEXT_MESSAGE in str(response.context["adminform"].form.errors["lead_image"])

    response = run_action(desk, "publish_now", story)
    assert any(
        m.startswith("Not published: No alt:") and ALT_TEXT_MESSAGE in m
        for m in messages_of(response)
    ), messages_of(response)
    assert not any(m.startswith("Published") for m in messages_of(response))

    story = reload(story)
    assert (story.status, story.published_at) == ("review", None)
    assert list(Transition.objects.filter(article=story).values_list("to_status", flat=True)) == [
        "review"
    ]
    assert client.get(story.get_absolute_url()).status_code == 404


def test_editor_removes_a_note_the_story_had_without_an_update_time(editor):
    story = make_article(headline="Old note")
    note = Note.objects.create(article=story, text="Added before notes set the update time.")
    desk = logged_in(editor)
    data = open_form(desk, story)
    assert data["notes-0-id"] == [str(note.pk)]
    data["notes-0-DELETE"] = ["on"]

    response = desk.post(change_url(story), data)

    assert response.status_code == 302, errors_in(response)
    assert not Note.objects.exists()
    assert reload(story).updated_at is None
