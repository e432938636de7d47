"""A reader's journey in headless Chromium, on the demo newsroom served by a live server."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from newsletter.models import Subscriber
from tests.helpers import require_tool

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def accessibility_violations(page: Page) -> list[str]:
    """axe-core's findings for the page as loaded (WCAG 2.x A and AA rules)."""
    # Evaluated through the DevTools protocol: the page's Content-Security-Policy refuses the
    # inline <script> that add_script_tag would insert.
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "axe.run(document, {runOnly: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']})"
    )
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes, e.g. {v['nodes'][0]['target']})"
        for v in result["violations"]
    ]


def test_reader_follows_a_story_and_subscribes(page: Page, browser, demo_site):
    require_tool(AXE, "npm ci, as make test does")
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(demo_site + "/")
    expect(page.locator("a.site-name")).to_have_text("All Israel News")
    expect(page.get_by_role("navigation", name="Sections")).to_be_visible()

    assert accessibility_violations(page) == []

    top_story = page.locator(".front__lead .card__headline a")
    headline = top_story.inner_text()
    top_story.click()
    expect(page).to_have_url(re.compile(r"/news/[\w-]+/$"))

    # The anatomy, as a reader on a phone sees it.
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_have_text(headline)
    expect(page.locator(".story__section a")).to_be_visible()
    expect(page.locator(".story__dek")).to_be_visible()
    expect(page.locator(".byline__authors a").first).to_be_visible()
    expect(page.locator(".byline time").first).to_be_visible()
    lead = page.locator(".story__figure img")
    expect(lead).to_be_visible()
    assert lead.evaluate("img => img.complete && img.naturalWidth > 0")
    assert lead.evaluate("img => img.currentSrc.includes('/media/renditions/')")
    expect(page.locator(".story__figure figcaption")).to_contain_text("Photo:")
    assert page.locator(".story__body p").count() >= 3
    expect(page.locator(".story__body blockquote").first).to_be_visible()
    expect(page.locator(".tags a").first).to_be_visible()
    expect(page.locator(".author-box")).to_contain_text("All Israel News Staff")
    expect(page.get_by_role("heading", name="Popular Articles")).to_be_visible()
    expect(page.get_by_role("heading", name="Latest Stories")).to_be_visible()
    expect(page.locator(".site-footer")).to_be_visible()
    # Nothing is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert accessibility_violations(page) == []

    # The signup works with JavaScript turned off, from the same cached page.
    article_url = page.url
    no_script = browser.new_context(java_script_enabled=False)
    page = no_script.new_page()
    page.goto(article_url)
    box = page.locator("aside .signup-box")
    expect(box.get_by_role("heading")).to_have_text("Receive latest news & updates")
    box.get_by_label("Email address").fill("Reader@Example.com")
    box.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "reader@example.com"
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.source.startswith("/news/")
    no_script.close()
