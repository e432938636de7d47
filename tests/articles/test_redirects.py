"""A published story's old addresses keep working: a 301 straight to where it is now."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from articles.models import Article, SlugRedirect
from tests.articles.test_admin import article_post, change_url, errors_in, form_data, local_split
from tests.factories import logged_in, make_article, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    return logged_in(make_user("Editors"))


def url(slug) -> str:
    return f"/news/{slug}/"


def save_form(desk, article, **changes):
    """Open the story's change form, change what is given, and save it."""
    data = form_data(desk.get(change_url(article)).content.decode(), "article_form")
    data.update({name: [value] for name, value in changes.items()})
    response = desk.post(change_url(article), data)
    assert response.status_code == 302, errors_in(response)
    return Article.objects.get(pk=article.pk)


def publish_new(desk, slug, headline="Newcomer") -> Article:
    date, time = local_split(timezone.now() - dt.timedelta(minutes=1))
    response = desk.post(
        "/admin/articles/article/add/",
        article_post(
            headline=headline,
            slug=slug,
            status="published",
            published_at_0=date,
            published_at_1=time,
        ),
    )
    assert response.status_code == 302, errors_in(response)
    return Article.objects.get(slug=slug)


def assert_moved(old_slug, new_slug):
    response = Client().get(url(old_slug))
    assert response.status_code == 301, (old_slug, response.status_code)
    assert response["Location"] == url(new_slug)
    followed = Client().get(url(old_slug), follow=True)
    assert followed.redirect_chain == [(url(new_slug), 301)]
    assert followed.status_code == 200


def test_published_story_keeps_its_old_address(desk):
    story = make_article(headline="Heatwave", slug="heatwave")

    story = save_form(desk, story, slug="heatwave-forecast")

    assert story.slug == "heatwave-forecast"
    assert_moved("heatwave", "heatwave-forecast")
    assert Client().get(url("heatwave-forecast")).status_code == 200


def test_chains_collapse_to_a_single_redirect(desk):
    story = make_article(slug="a")
    story = save_form(desk, story, slug="b")
    story = save_form(desk, story, slug="c")

    assert_moved("a", "c")
    assert_moved("b", "c")
    assert set(SlugRedirect.objects.values_list("old_slug", "article")) == {
        ("a", story.pk),
        ("b", story.pk),
    }


def test_going_back_to_an_old_address_reclaims_it(desk):
    story = make_article(slug="first")
    story = save_form(desk, story, slug="second")
    story = save_form(desk, story, slug="first")

    assert Client().get(url("first")).status_code == 200
    assert_moved("second", "first")
    assert not SlugRedirect.objects.filter(old_slug="first").exists()


@pytest.mark.parametrize("status", ["draft", "review"])
def test_a_story_readers_never_saw_leaves_no_redirect(desk, status):
    story = make_article(slug="working-title", status=status)

    save_form(desk, story, slug="final-title")

    assert not SlugRedirect.objects.exists()
    assert Client().get(url("working-title")).status_code == 404


def test_a_new_story_taking_an_old_address_wins(desk):
    old = make_article(headline="Old", slug="summit")
    old = save_form(desk, old, slug="summit-2025")
    assert_moved("summit", "summit-2025")

    new = publish_new(desk, "summit", headline="Summit 2026")

    response = Client().get(url("summit"))
    assert response.status_code == 200
    assert response.context["article"].pk == new.pk
    assert Client().get(url("summit-2025")).context["article"].pk == old.pk
    assert not SlugRedirect.objects.filter(old_slug="summit").exists()


def test_a_draft_taking_an_old_address_does_not_break_it_before_it_is_published(desk):
    old = make_article(headline="Old", slug="forum")
    old = save_form(desk, old, slug="forum-report")
    desk.post("/admin/articles/article/add/", article_post(headline="Next forum", slug="forum"))
    new = Article.objects.get(slug="forum")
    assert new.status == Article.Status.DRAFT

    # Readers following the old link still reach the published story...
    assert_moved("forum", "forum-report")

    # ...until the new story is published there.
    date, time = local_split(timezone.now() - dt.timedelta(minutes=1))
    save_form(desk, new, status="published", published_at_0=date, published_at_1=time)
    assert Client().get(url("forum")).context["article"].pk == new.pk


def test_old_address_of_a_story_taken_down_is_gone(desk):
    story = make_article(slug="before")
    story = save_form(desk, story, slug="after")
    assert_moved("before", "after")

    save_form(desk, story, status="unpublished")

    for slug in ("before", "after"):
        response = Client().get(url(slug))
        assert response.status_code == 410, slug
        assert "This story has been taken down" in response.content.decode()


def test_slug_change_while_taken_down_keeps_the_old_address_answering(desk):
    earlier = timezone.now() - dt.timedelta(days=1)
    story = make_article(slug="removed", status=Article.Status.UNPUBLISHED, published_at=earlier)
    story = save_form(desk, story, slug="removed-renamed")
    assert SlugRedirect.objects.filter(old_slug="removed", article=story).exists()

    assert Client().get(url("removed")).status_code == 410

    save_form(desk, story, status="published")
    assert_moved("removed", "removed-renamed")


def test_unknown_address_is_404():
    assert Client().get(url("never-existed")).status_code == 404
