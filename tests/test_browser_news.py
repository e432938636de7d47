"""Breaking and live news in headless Chromium: the banner an editor saves reaches a reader's
already-cached article at once and leaves by itself at its end time; the corrections record
and the banner pass axe at a phone's width and a desktop's."""

import datetime as dt
import os
import time
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import Browser, expect

from articles.models import Article, Banner, Note
from articles.roles import sync_groups
from tests.factories import make_article, make_user
from tests.helpers import PASSWORD, require_tool
from tests.helpers import log_in as log_in_as
from tests.test_browser import AXE, accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# SHOTS=folder keeps full-page screenshots of the screens, to look at them.
SHOTS = Path(os.environ["SHOTS"]) if os.environ.get("SHOTS") else None


@pytest.fixture
def editor():
    sync_groups(apps)  # a transactional test runs on a flushed database
    return make_user("Editors", username="eddie", password=PASSWORD)


def shoot(page, name: str) -> None:
    if SHOTS is not None:
        page.screenshot(path=str(SHOTS / f"i13-{name}.png"), full_page=True)


def test_a_banner_reaches_a_cached_article_at_once_and_ends_by_itself(
    browser: Browser, live_server, editor
):
    story = make_article(headline="Harbour reopens", slug="harbour-reopens")
    base = live_server.url
    reader = browser.new_context(java_script_enabled=False).new_page()
    reader.goto(base + story.get_absolute_url())
    expect(reader.locator(".banner")).to_have_count(0)
    reader.reload()  # now served from the page cache

    desk = browser.new_context().new_page()
    log_in_as(desk, base, "eddie")
    desk.goto(base + "/admin/articles/banner/add/")
    desk.get_by_label("Text").fill("Storm closes the coast road")
    desk.get_by_label("Link").fill(story.get_absolute_url())
    end = timezone.localtime() + dt.timedelta(seconds=6)
    desk.locator("#id_ends_at_0").fill(end.strftime("%Y-%m-%d"))
    desk.locator("#id_ends_at_1").fill(end.strftime("%H:%M:%S"))
    desk.get_by_role("button", name="Save", exact=True).click()
    expect(desk.locator(".messagelist")).to_contain_text("was added successfully")
    saved = time.monotonic()

    reader.reload()
    banner = reader.get_by_role("status")
    expect(banner).to_contain_text("Breaking")
    expect(banner).to_contain_text("Storm closes the coast road")
    assert time.monotonic() - saved < 1.0
    ends_at = Banner.objects.get().ends_at
    time.sleep(max(0.0, (ends_at - timezone.now()).total_seconds()) + 0.3)
    reader.reload()
    expect(reader.locator(".banner")).to_have_count(0)


@pytest.mark.parametrize("width", [390, 1366])
def test_the_banner_and_the_corrections_record_pass_axe(browser: Browser, live_server, width):
    require_tool(AXE, "npm ci, as make test does")
    story = make_article(headline="Harbour reopens", slug="harbour-reopens")
    story.notes.create(kind=Note.Kind.CORRECTION, text="The opening date was wrong.")
    other = make_article(headline="Budget passes")
    other.notes.create(kind=Note.Kind.UPDATE, text="Updated with the final vote.")
    Banner.objects.create(
        text="Storm closes the coast road",
        link=story.get_absolute_url(),
        ends_at=timezone.now() + dt.timedelta(hours=1),
    )
    Banner.objects.create(
        text="Talks resume in Cairo",
        level=Banner.Level.DEVELOPING,
        starts_at=timezone.now() + dt.timedelta(hours=2),
        ends_at=timezone.now() + dt.timedelta(hours=3),
    )
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(live_server.url + "/corrections/")
    expect(page.get_by_role("heading", name="Corrections and updates")).to_be_visible()
    expect(page.locator(".correction")).to_have_count(2)
    expect(page.get_by_role("status")).to_contain_text("Storm closes the coast road")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert accessibility_violations(page) == []
    shoot(page, f"corrections-{width}")
    page.goto(live_server.url + story.get_absolute_url())
    expect(page.locator(".note--correction")).to_contain_text("The opening date was wrong.")
    assert accessibility_violations(page) == []
    shoot(page, f"banner-article-{width}")
    assert Article.objects.count() == 2
