"""A reader's journey in headless Chromium, on the demo newsroom served by a live server; and
axe on the public pages no other browser test visits (author, tag, about, privacy, not found,
gone, and each of the newsletter's), at a phone's width and a desktop's."""

import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from articles.models import Article
from newsletter import tokens
from newsletter.models import Subscriber
from tests.factories import make_article, make_author, make_image, make_section, make_tag
from tests.helpers import keep_screenshot, require_tool

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


def check_page(page: Page, name: str, width: int, heading: str) -> None:
    """One heading, the one expected; nothing wider than the screen; nothing axe finds."""
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_have_text(heading)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    assert accessibility_violations(page) == [], (name, width)
    keep_screenshot(page, f"{name}-{width}")


@pytest.mark.parametrize("width", [390, 1366])
def test_the_other_public_pages_pass_axe(page: Page, live_server, settings, width):
    """axe-core finds nothing on the author, tag, about, privacy, newsletter, not-found and
    gone pages (home, article, section and search are in test_page_budgets.py, corrections
    and live in test_browser_news.py), each filled as readers see it: a reporter with a photo
    and a bio, stories with and without pictures, more than a page of them."""
    require_tool(AXE, "npm ci, as make test does")
    settings.LIST_PAGE_SIZE = 4  # five stories: two pages, so the page links are checked too
    science = make_section(name="Science", slug="science")
    water = make_tag(name="Water", slug="water")
    reporter = make_author(
        name="Dana Levi",
        slug="dana-levi",
        bio="Dana covers science and the environment from Jerusalem.",
        photo=make_image(width=600, height=600, alt_text="Dana Levi"),
    )
    for n in range(5):
        make_article(
            headline=f"Desalination story {n}: the plant's second hall opens",
            section=science,
            authors=[reporter],
            tags=[water],
            lead_image=make_image(alt_text=f"The plant, picture {n}") if n % 2 == 0 else None,
        )
    make_article(headline="Withdrawn", slug="withdrawn", status=Article.Status.UNPUBLISHED)
    pages = [
        ("author", "/author/dana-levi/", 200, "Dana Levi"),
        ("tag", "/tag/water/", 200, "Water"),
        ("about", "/about/", 200, "About All Israel News"),
        ("privacy", "/privacy/", 200, "Privacy & terms"),
        ("newsletter", "/newsletter/", 200, "The All Israel News newsletter"),
        ("not-found", "/news/no-such-story/", 404, "We could not find that page"),
        ("gone", "/news/withdrawn/", 410, "This story has been taken down"),
    ]
    page.set_viewport_size({"width": width, "height": 900})
    for name, path, status, heading in pages:
        response = page.goto(live_server.url + path)
        assert response.status == status, name
        if name in ("author", "tag"):
            expect(page.locator(".card-grid .card")).to_have_count(4)
            expect(page.locator(".card-grid img")).to_have_count(2)
            expect(page.get_by_role("navigation", name="Pages")).to_be_visible()
        if name == "author":
            expect(page.locator(".author-box--page img")).to_be_visible()
        if name == "newsletter":
            expect(page.get_by_label("Email address")).to_be_visible()
        check_page(page, name, width, heading)


@pytest.mark.parametrize("width", [390, 1366])
def test_the_newsletter_pages_pass_axe(page: Page, live_server, width):
    """A reader's way through the newsletter's pages, each checked with axe: an address the
    newsletter refuses (the form again, with its message), the thanks page, the link in the
    confirmation email and its button, the unsubscribe link and its button, a broken link."""
    require_tool(AXE, "npm ci, as make test does")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/newsletter/")
    form = page.locator(".page .signup-box")
    # Valid to the browser's own check, refused by the newsletter (a name that has no mail).
    form.get_by_label("Email address").fill("reader@mail.invalid")
    form.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("alert")).to_contain_text("not a domain that can receive email")
    expect(form.get_by_label("Email address")).to_have_attribute("aria-invalid", "true")
    check_page(page, "newsletter-refused", width, "The All Israel News newsletter")
    form.get_by_label("Email address").fill("reader@example.com")
    form.get_by_role("button", name="Subscribe").click()
    check_page(page, "newsletter-thanks", width, "Check your inbox")

    (message,) = mail.outbox
    confirm = re.search(r"/newsletter/confirm/[^/\s]+/", message.body).group(0)
    page.goto(live_server.url + confirm)
    check_page(page, "newsletter-confirm", width, "Confirm your subscription")
    page.get_by_role("button", name="Confirm my subscription").click()
    check_page(page, "newsletter-welcome", width, "You are subscribed")
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.CONFIRMED

    page.goto(f"{live_server.url}/newsletter/unsubscribe/{tokens.unsubscribe_token(subscriber)}/")
    check_page(page, "newsletter-unsubscribe", width, "Unsubscribe")
    page.get_by_role("button", name="Unsubscribe").click()
    check_page(page, "newsletter-unsubscribed", width, "You are unsubscribed")
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED

    page.goto(live_server.url + confirm[:-5] + "xxxx/")  # a link cut short in the mail
    check_page(page, "newsletter-broken-link", width, "This link does not work")
