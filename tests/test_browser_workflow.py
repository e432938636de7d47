"""A writer's and an editor's day in the admin, in headless Chromium."""

import datetime as dt
import re

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from articles.models import Article, Transition
from articles.roles import sync_groups
from tests.helpers import PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def staff(username: str, group: str) -> User:
    user = User.objects.create_user(username, f"{username}@example.com", PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def desk(browser: Browser, base: str, username: str) -> Page:
    """A browser of its own, logged in as ``username``, at the desk."""
    page = browser.new_context().new_page()
    log_in(page, base, username)
    expect(page.get_by_role("heading", name="The desk")).to_be_visible()
    return page


def test_writer_submits_for_review_and_editor_publishes(browser: Browser, live_server):
    # A transactional test runs on a flushed database: make the groups the migration makes.
    sync_groups(apps)
    writer, _editor = staff("wendy", "Writers"), staff("eddie", "Editors")
    base = live_server.url

    page = desk(browser, base, "wendy")
    page.goto(f"{base}/admin/articles/article/add/")
    page.locator("#id_headline").fill("Rain returns to the Negev")
    editor = page.locator('.field-body .ProseMirror[contenteditable="true"]')
    expect(editor).to_be_visible()
    editor.click()
    page.keyboard.type("The first rain of the season fell on Tuesday. ")
    page.keyboard.press("Control+b")
    page.keyboard.type("Roads were closed")
    page.keyboard.press("Control+b")
    page.keyboard.type(" near Mitzpe Ramon.")
    status = page.locator("#id_status")
    assert sorted(status.locator("option").all_inner_texts()) == ["Draft", "In review"]
    status.select_option("review")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    article = Article.objects.get()
    assert article.status == Article.Status.REVIEW
    assert article.owner == writer
    assert "<strong>Roads were closed</strong>" in article.body
    assert article.body.startswith("<p>The first rain of the season fell on Tuesday.")
    page.context.close()

    page = desk(browser, base, "eddie")
    dashboard = page.locator("#newsroom-dashboard")
    expect(dashboard).to_contain_text("Rain returns to the Negev")
    dashboard.get_by_role("link", name="Rain returns to the Negev").click()
    page.locator("#id_status").select_option("published")
    now = timezone.localtime() - dt.timedelta(minutes=1)
    page.locator("#id_published_at_0").fill(now.strftime("%Y-%m-%d"))
    page.locator("#id_published_at_1").fill(now.strftime("%H:%M:%S"))
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.context.close()

    article.refresh_from_db()
    assert article.is_public
    assert [t.to_status for t in Transition.objects.filter(article=article).order_by("at")] == [
        "review",
        "published",
    ]
    reader = browser.new_context().new_page()
    reader.goto(base + article.get_absolute_url())
    expect(reader.locator("h1")).to_have_text("Rain returns to the Negev")
    expect(reader.locator(".story__body strong")).to_have_text("Roads were closed")
    assert re.search(r"/news/rain-returns-to-the-negev/$", reader.url)
    reader.context.close()
