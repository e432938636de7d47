"""Every saved version of a story (django-reversion), what each changed, restoring an old one,
and the optimistic lock that keeps two editors from overwriting each other."""

import re

import pytest
import reversion
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles.models import Article, Note, Transition
from tests.articles.test_admin import (
    article_post,
    change_url,
    errors_in,
    form_data,
    local_split,
)
from tests.factories import logged_in, make_article, make_user

pytestmark = pytest.mark.django_db

LOCK_MESSAGE = "This story was changed by {who} at"


@pytest.fixture
def editor():
    return make_user("Editors", username="eddie")


def open_form(client, url, form_id="article_form") -> dict:
    response = client.get(url)
    assert response.status_code == 200
    return form_data(response.content.decode(), form_id)


def edit(client, article, **changes):
    """Open the change form, change what is given, save; the response."""
    data = open_form(client, change_url(article))
    data.update({name: [value] for name, value in changes.items()})
    return client.post(change_url(article), data)


def versions(article) -> list[Version]:
    """Oldest first."""
    return list(Version.objects.get_for_object(article).order_by("pk"))


def revision_url(article, version) -> str:
    return reverse("admin:articles_article_revision", args=[article.pk, version.pk])


def restore(client, article, version):
    """Open the restore page of an old version and press its button."""
    data = open_form(client, revision_url(article, version), "restore_form")
    return client.post(revision_url(article, version), data)


def reload(article) -> Article:
    return Article.objects.get(pk=article.pk)


def new_note(kind, text) -> dict:
    """The fields of one note added through the inline, as the browser fills them."""
    date, time = local_split(timezone.now())
    return {
        "notes-TOTAL_FORMS": "1",
        "notes-0-kind": kind,
        "notes-0-text": text,
        "notes-0-created_at_0": date,
        "notes-0-created_at_1": time,
    }


# Versions and their differences


def test_every_admin_save_creates_a_version(editor):
    desk = logged_in(editor)
    desk.post("/admin/articles/article/add/", article_post(headline="One", slug="one"))
    story = Article.objects.get()
    assert edit(desk, story, headline="Two").status_code == 302
    desk.post(
        "/admin/articles/article/",
        {"action": "publish_now", "_selected_action": [str(story.pk)], "index": "0"},
    )
    response = edit(
        desk,
        story,
        **new_note("update", "More."),
    )
    assert response.status_code == 302, errors_in(response)

    saved = versions(story)
    assert len(saved) == 4
    assert [v.field_dict["headline"] for v in saved] == ["One", "Two", "Two", "Two"]
    assert [v.field_dict["status"] for v in saved] == ["draft", "draft", "published", "published"]
    assert {v.revision.user for v in saved} == {editor}


def test_changes_view_shows_word_differences_with_who_and_when(editor):
    writer = make_user("Writers", username="wendy")
    logged_in(writer).post(
        "/admin/articles/article/add/",
        article_post(
            headline="Dam opens in the north",
            slug="dam",
            dek="Water for <b>ten</b> towns.",
            body="<p>The dam opened on Monday.</p>",
        ),
    )
    story = Article.objects.get()
    desk = logged_in(editor)
    response = edit(
        desk,
        story,
        headline="Dam opens in the Galilee",
        body="<p>The dam opened on Tuesday.</p><p>Ten towns get water.</p>",
    )
    assert response.status_code == 302, errors_in(response)

    page = desk.get(reverse("admin:articles_article_changes", args=[story.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    modules = re.findall(r'<div class="module">(.*?)</div>', html, re.S)
    assert len(modules) == 2
    newest, first = modules
    when = r"\d{1,2} \w{3} \d{4}, \d\d:\d\d:\d\d"
    assert re.search(rf"<h2>{when} by eddie", newest), newest
    assert re.search(rf"<h2>{when} by wendy", first), first
    assert "Dam opens in the <del>north</del> <ins>Galilee</ins>" in newest
    assert "<del>Monday.</del> <ins>Tuesday.<br>Ten towns get water.</ins>" in newest
    assert "Sub-headline" not in newest  # unchanged, so not listed
    # The first version: every word is new; markup in a field is shown, never run.
    assert "<ins>Dam opens in the north</ins>" in first
    assert "<ins>Water for &lt;b&gt;ten&lt;/b&gt; towns.</ins>" in first


def test_changes_view_needs_admin_access(client):
    story = make_article()
    response = client.get(reverse("admin:articles_article_changes", args=[story.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# Restoring an old version


def test_restoring_an_old_version_brings_it_back(editor):
    desk = logged_in(editor)
    desk.post(
        "/admin/articles/article/add/",
        article_post(headline="First headline", slug="story", body="<p>First body.</p>"),
    )
    story = Article.objects.get()
    edit(desk, story, headline="Second headline", body="<p>Second body.</p>")
    edit(desk, story, dek="A sub-headline")
    lock_before = reload(story).lock_version
    history = desk.get(reverse("admin:articles_article_history", args=[story.pk]))
    oldest = versions(story)[0]
    assert revision_url(story, oldest) in history.content.decode()

    form = desk.get(revision_url(story, oldest))
    assert form.status_code == 200
    # The page shows what restoring would change, from now back to then.
    assert "<del>Second</del> <ins>First</ins> headline" in form.content.decode()
    assert reload(story).headline == "Second headline"  # looking changes nothing

    response = restore(desk, story, oldest)

    assert response.status_code == 302, errors_in(response)
    story = reload(story)
    assert (story.headline, story.body, story.dek) == ("First headline", "<p>First body.</p>", "")
    assert story.lock_version > lock_before  # the counter never goes back
    latest = versions(story)[-1]
    assert latest.field_dict["headline"] == "First headline"
    assert latest.revision.comment.startswith("Restored the version of ")


def test_a_restore_is_refused_if_the_story_changed_after_its_form_opened(editor):
    story = make_article(headline="Original")
    desk, other = logged_in(editor), logged_in(make_user("Editors", username="olga"))
    edit(desk, story, headline="Edited")
    data = open_form(desk, revision_url(story, versions(story)[0]), "restore_form")

    assert edit(other, story, headline="Olga's edit").status_code == 302
    response = desk.post(revision_url(story, versions(story)[0]), data)

    assert response.status_code == 200
    assert LOCK_MESSAGE.format(who="olga") in response.content.decode()
    assert reload(story).headline == "Olga's edit"


def test_a_stale_form_is_refused_after_a_restore(editor):
    story = make_article(headline="v1")
    desk = logged_in(editor)
    edit(desk, story, headline="v2")
    edit(desk, story, headline="v3")
    stale = logged_in(make_user("Editors", username="sam"))
    stale_form = open_form(stale, change_url(story))  # opened at v3
    assert restore(desk, story, versions(story)[0]).status_code == 302  # back to v2

    stale_form["headline"] = ["Sam's late edit"]
    response = stale.post(change_url(story), stale_form)

    assert response.status_code == 200
    assert LOCK_MESSAGE.format(who="eddie") in response.content.decode()
    assert reload(story).headline == "v2"


def test_restoring_brings_back_the_words_and_keeps_the_state_and_the_address(editor, client):
    story = make_article(headline="Forum", slug="forum", status=Article.Status.REVIEW)
    desk = logged_in(editor)
    edit(desk, story)  # the version to go back to: in review, at /news/forum/
    edit(desk, story, status="published", published_at_0="01/01/2025", published_at_1="10:00")
    edit(desk, story, slug="forum-report", headline="Forum report")
    transitions = Transition.objects.filter(article=story).count()

    response = restore(desk, story, versions(story)[0])

    assert response.status_code == 302, errors_in(response)
    story = reload(story)
    assert (story.headline, story.status, story.slug) == ("Forum", "published", "forum-report")
    assert Transition.objects.filter(article=story).count() == transitions  # no state change
    assert client.get("/news/forum-report/").status_code == 200
    assert client.get("/news/forum/")["Location"] == "/news/forum-report/"


def test_restoring_keeps_corrections_published_since(editor, client):
    story = make_article(headline="Budget", body="<p>The budget is 10 million.</p>")
    desk = logged_in(editor)
    edit(desk, story)
    response = edit(
        desk,
        story,
        body="<p>The budget is 12 million.</p>",
        **new_note("correction", "The budget is 12 million, not 10."),
    )
    assert response.status_code == 302, errors_in(response)

    assert restore(desk, story, versions(story)[0]).status_code == 302

    assert reload(story).body == "<p>The budget is 10 million.</p>"
    assert list(Note.objects.values_list("text", flat=True)) == [
        "The budget is 12 million, not 10."
    ]
    assert (
        "The budget is 12 million, not 10." in client.get(story.get_absolute_url()).content.decode()
    )


def test_writer_cannot_restore_a_story_that_is_no_longer_their_draft(editor, client):
    writer = make_user("Writers")
    author = logged_in(writer)
    author.post("/admin/articles/article/add/", article_post(headline="Mine", slug="mine"))
    story = Article.objects.get()
    edit(author, story, status="review")
    logged_in(editor).post(
        "/admin/articles/article/",
        {"action": "publish_now", "_selected_action": [str(story.pk)], "index": "0"},
    )
    oldest = versions(story)[0]  # the writer's own draft
    data = open_form(logged_in(editor), revision_url(story, oldest), "restore_form")

    assert author.get(revision_url(story, oldest)).status_code == 403
    assert author.post(revision_url(story, oldest), data).status_code == 403
    assert reload(story).status == Article.Status.PUBLISHED
    assert client.get(story.get_absolute_url()).status_code == 200


# Optimistic locking


def test_second_of_two_editors_is_refused_and_the_first_change_stands(editor):
    story = make_article(headline="Original", dek="Original dek")
    first, second = logged_in(editor), logged_in(make_user("Editors", username="olga"))
    first_form = open_form(first, change_url(story))
    second_form = open_form(second, change_url(story))
    assert first_form["seen_version"] == second_form["seen_version"] == [str(story.lock_version)]

    first_form["headline"] = ["First editor's headline"]
    assert first.post(change_url(story), first_form).status_code == 302
    second_form["dek"] = ["Second editor's dek"]
    response = second.post(change_url(story), second_form)

    assert response.status_code == 200
    html = response.content.decode()
    assert LOCK_MESSAGE.format(who="eddie") in html
    assert "Your changes were not saved" in html
    story = reload(story)
    assert (story.headline, story.dek) == ("First editor's headline", "Original dek")
    assert story.last_edited_by == editor


def test_one_editor_saves_twice_reopening_the_form_between(editor):
    story = make_article(headline="Original")
    desk = logged_in(editor)

    assert edit(desk, story, headline="Once").status_code == 302
    assert edit(desk, story, headline="Twice").status_code == 302

    assert reload(story).headline == "Twice"


def test_a_forged_or_missing_seen_version_is_refused(editor):
    story = make_article(headline="Original")
    desk = logged_in(editor)
    for seen in ["", str(story.lock_version + 1)]:
        data = open_form(desk, change_url(story))
        data.update({"seen_version": [seen], "headline": ["Forged"]})
        assert desk.post(change_url(story), data).status_code == 200, seen
    assert reload(story).headline == "Original"
    assert Client().get(story.get_absolute_url()).status_code == 200


def test_changes_view_compares_its_oldest_row_with_the_version_before_it(editor):
    story = make_article(headline="Count 0")
    for n in range(1, 53):
        with reversion.create_revision():
            story.headline = f"Count {n}"
            story.save()

    html = logged_in(editor).get(reverse("admin:articles_article_changes", args=[story.pk]))
    modules = re.findall(r'<div class="module">(.*?)</div>', html.content.decode(), re.S)

    assert len(modules) == 50
    assert "Count <del>51</del> <ins>52</ins>" in modules[0]
    assert "Count <del>2</del> <ins>3</ins>" in modules[-1]  # not "<ins>Count 3</ins>"


def test_writer_restores_own_draft_but_not_the_editor_only_fields(editor):
    writer = make_user("Writers")
    author = logged_in(writer)
    author.post("/admin/articles/article/add/", article_post(headline="Draft one", slug="d"))
    story = Article.objects.get()
    assert edit(logged_in(editor), story, headline="Draft two", featured="on").status_code == 302

    response = restore(author, story, versions(story)[0])

    assert response.status_code == 302, errors_in(response)
    story = reload(story)
    assert (story.headline, story.featured, story.owner) == ("Draft one", True, writer)
    assert story.status == Article.Status.DRAFT
