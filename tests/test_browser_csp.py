"""The Content-Security-Policy in headless Chromium: with DEBUG off and the policy enforced,
the admin (with its rich-text editor), the public pages and their scripts work, and the browser
reports no violation."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from articles.models import Article
from newsletter.models import Digest
from tests.factories import make_article, make_image, make_user
from tests.helpers import PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# Collects what the browser refused, from the page's own securitypolicyviolation events (an
# init script, which runs through the DevTools protocol and so is not subject to the policy).
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  const what = `${event.effectiveDirective} refused ${event.blockedURI}`;
  window.__cspViolations.push(`${what} in ${where}`);
});
"""


def watched_page(context) -> Page:
    """A page of ``context`` that records CSP violations, from both the console and the DOM
    events (read them with ``violations(page)``)."""
    context.add_init_script(WATCH_VIOLATIONS)
    page = context.new_page()
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.csp_console = console
    return page


@pytest.fixture
def watched(browser: Browser):
    context = browser.new_context()
    yield watched_page(context)
    context.close()


def violations(page: Page) -> list[str]:
    events = []
    for frame in page.frames:
        events += frame.evaluate("() => window.__cspViolations || []")
    return page.csp_console + events


def csp_header(response) -> str:
    return response.header_value("Content-Security-Policy") or ""


def test_production_settings_are_in_force():
    assert settings.DEBUG is False
    assert "django.middleware.csp.ContentSecurityPolicyMiddleware" in settings.MIDDLEWARE
    assert settings.SECURE_CSP["script-src"]


def test_public_pages_run_their_script_without_a_nonce_or_a_violation(watched, live_server):
    image = make_image(focal_x=30, focal_y=70)
    story = make_article(headline="Rain returns to the Negev", lead_image=image, featured=True)

    response = watched.goto(live_server.url + "/")
    assert "nonce-" not in csp_header(response)
    assert "script-src 'self'" in csp_header(response)
    # The card's crop follows the focal point, from the stylesheet (no style attribute).
    card = watched.locator(".card__image img").first
    assert card.evaluate("img => getComputedStyle(img).objectPosition") == "30% 70%"

    with watched.expect_request(lambda request: request.url.endswith("/beacon/")) as beacon:
        response = watched.goto(live_server.url + story.get_absolute_url())
    assert beacon.value.method == "POST"  # static/js/beacon.js ran
    assert "nonce-" not in csp_header(response)
    # The JSON-LD blocks are data, not script: the policy leaves them to crawlers.
    assert watched.locator('script[type="application/ld+json"]').count() == 2
    expect(watched.locator("h1")).to_have_text("Rain returns to the Negev")
    assert violations(watched) == []


def test_the_admin_and_its_editor_work_under_the_policy(watched, live_server):
    user = make_user("superuser", password=PASSWORD)
    image = make_image(focal_x=40, focal_y=60)
    draft = make_article(status=Article.Status.DRAFT, published_at=None, owner=user)
    now = timezone.now()
    digest = Digest.objects.create(subject="This week", since=now - dt.timedelta(days=7), until=now)
    base = live_server.url
    log_in(watched, base, user.username)
    expect(watched.get_by_role("heading", name="The desk")).to_be_visible()

    response = watched.goto(f"{base}/admin/")
    expect(watched.locator("#newsroom-desk")).to_be_visible()
    assert violations(watched) == []

    # The rich-text editor: its import map is inline, so it needs (and gets) the nonce.
    response = watched.goto(f"{base}/admin/articles/article/add/")
    assert "'nonce-" in csp_header(response)
    # (Browsers hide a nonce from getAttribute; the property still has it.)
    nonce = watched.locator('script[type="importmap"]').evaluate("script => script.nonce")
    assert nonce
    assert f"'nonce-{nonce}'" in csp_header(response)
    editor = watched.locator('.field-body .ProseMirror[contenteditable="true"]')
    expect(editor).to_be_visible()
    editor.click()
    watched.keyboard.type("Rain fell. ")
    watched.keyboard.press("Control+b")
    watched.keyboard.type("Roads closed")
    expect(editor.locator("strong")).to_have_text("Roads closed")
    # tiptap's base CSS comes from its file, not from an inline <style> (tiptap-style-slot.js).
    assert editor.evaluate("e => getComputedStyle(e).whiteSpace") == "break-spaces"
    assert violations(watched) == []

    # The share preview link selects itself on a click (static/js/select-all.js).
    watched.goto(f"{base}/admin/articles/article/{draft.pk}/change/")
    link = watched.locator("#share-link")
    link.click()
    assert link.evaluate("i => i.selectionStart === 0 && i.selectionEnd === i.value.length")
    assert violations(watched) == []

    # The focal point picker styles itself from its script.
    watched.goto(f"{base}/admin/articles/image/{image.pk}/change/")
    expect(watched.locator(".focal-point__marker")).to_be_attached()
    assert violations(watched) == []

    # The digest's email preview is framed by its change form and styled by its stylesheet.
    watched.goto(f"{base}/admin/newsletter/digest/{digest.pk}/change/")
    frame = watched.locator("iframe.digest-preview")
    expect(frame).to_be_visible()
    assert frame.evaluate("f => getComputedStyle(f).height") == "640px"
    expect(watched.frame_locator("iframe.digest-preview").locator("body")).to_contain_text(
        settings.SITE_NAME
    )
    assert violations(watched) == []
