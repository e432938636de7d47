"""Breaking and live news in headless Chromium: the banner an editor saves reaches a reader's
already-cached article at once and leaves by itself at its end time; the corrections record
and the banner pass axe at a phone's width and a desktop's."""

import datetime as dt
import time

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import Browser, expect

from articles.models import Article, Banner, LiveUpdate, Note
from articles.roles import sync_groups
from tests.factories import make_article, make_author, make_user
from tests.helpers import PASSWORD, keep_screenshot, require_tool
from tests.helpers import log_in as log_in_as
from tests.test_browser import AXE, accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def editor():
    sync_groups(apps)  # a transactional test runs on a flushed database
    return make_user("Editors", username="eddie", password=PASSWORD)


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
    keep_screenshot(page, f"corrections-{width}")
    page.goto(live_server.url + story.get_absolute_url())
    expect(page.locator(".note--correction")).to_contain_text("The opening date was wrong.")
    assert accessibility_violations(page) == []
    keep_screenshot(page, f"banner-article-{width}")
    assert Article.objects.count() == 2


def test_an_editor_posts_an_update_and_an_open_page_says_1_new_update(
    browser: Browser, live_server, editor, settings
):
    settings.LIVE_POLL_SECONDS = 1
    story = make_article(headline="Storm over the coast", slug="storm-live", live=True)
    LiveUpdate.objects.create(article=story, text="<p>Winds pick up.</p>")
    base = live_server.url
    reader = browser.new_context().new_page()
    reader.goto(base + story.get_absolute_url())
    region = reader.locator(".live-new")
    expect(region).to_have_attribute("aria-live", "polite")
    # Count every change to what the live region says (a screen reader announces each).
    reader.evaluate(
        """() => { window.changes = 0; new MutationObserver(() => window.changes++)
        .observe(document.querySelector('.live-new'),
                 {childList: true, subtree: true, characterData: true}); }"""
    )
    no_script = browser.new_context(java_script_enabled=False).new_page()
    no_script.goto(base + story.get_absolute_url())

    desk = browser.new_context().new_page()
    log_in_as(desk, base, "eddie")
    desk.goto(f"{base}/admin/articles/liveupdate/desk/{story.pk}/")
    desk.get_by_label("Title").fill("Coast road closed")
    desk.get_by_label("Text").fill("Police closed the road at the harbour.")
    desk.get_by_role("button", name="Post update").click()
    expect(desk.locator(".messagelist")).to_contain_text("on the live page now")

    expect(region.get_by_role("button")).to_have_text("1 new update: show", timeout=5000)
    keep_screenshot(reader, "live-new-update")
    changes = reader.evaluate("window.changes")
    reader.wait_for_timeout(2500)  # more polls, nothing new: nothing said again
    assert reader.evaluate("window.changes") == changes
    expect(reader.locator(".live-update")).to_have_count(1)  # not reloaded meanwhile
    region.get_by_role("button").click()
    expect(reader.get_by_role("heading", name="Coast road closed")).to_be_visible()

    expect(no_script.get_by_text("Police closed the road")).to_have_count(0)
    no_script.reload()
    expect(no_script.get_by_text("Police closed the road at the harbour.")).to_be_visible()


@pytest.mark.parametrize("width", [390, 1366])
def test_the_live_page_passes_axe(browser: Browser, live_server, width):
    require_tool(AXE, "npm ci, as make test does")
    story = make_article(
        headline="Storm over the coast",
        slug="storm-live",
        live=True,
        dek="Winds of 100 km/h are expected along the coast until Thursday.",
        body="<p>A storm from the west reached the coast on Tuesday morning.</p>",
    )
    reporter = make_author(name="Noa Bar")
    now = timezone.now()
    for minutes, fields in [
        (50, {"title": "Schools close early", "key_event": True}),
        (40, {"embed_url": "https://x.com/police/status/1"}),
        (30, {"title": "Where to find shelter", "pinned": True}),
        (20, {"title": "Coast road closed", "key_event": True, "author": reporter}),
        (5, {"author": reporter}),
    ]:
        LiveUpdate.objects.create(
            article=story,
            published_at=now - dt.timedelta(minutes=minutes),
            text=f"<p>What happened {minutes} minutes ago, in a sentence or two.</p>",
            **fields,
        )
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(live_server.url + story.get_absolute_url())
    expect(page.get_by_role("heading", name="Key events")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert accessibility_violations(page) == []
    keep_screenshot(page, f"live-{width}")
    story.live_ended_at = timezone.now()
    story.save()
    page.reload()
    expect(page.get_by_text("This live coverage has ended")).to_be_visible()
    assert accessibility_violations(page) == []
    keep_screenshot(page, f"live-ended-{width}")


@pytest.mark.parametrize("width", [390, 1366])
def test_the_live_desk_and_the_banner_form_pass_axe(browser: Browser, live_server, editor, width):
    require_tool(AXE, "npm ci, as make test does")
    story = make_article(headline="Storm over the coast", slug="storm-live", live=True)
    LiveUpdate.objects.create(article=story, title="Roads close", text="<p>Police said so.</p>")
    page = browser.new_page(viewport={"width": width, "height": 900})
    log_in_as(page, live_server.url, "eddie")
    page.goto(f"{live_server.url}/admin/articles/liveupdate/desk/{story.pk}/")
    expect(page.get_by_role("heading", name="Post an update")).to_be_visible()
    page.get_by_role("button", name="Post update").click()  # nothing typed
    expect(page.locator(".errorlist")).to_contain_text("Write the update")
    assert LiveUpdate.objects.count() == 1
    assert accessibility_violations(page) == []
    keep_screenshot(page, f"admin-live-desk-{width}")
    page.goto(f"{live_server.url}/admin/articles/banner/add/")
    expect(page.get_by_label("Text")).to_be_visible()
    assert accessibility_violations(page) == []
    keep_screenshot(page, f"admin-banner-{width}")
