"""Logins in headless Chromium at a phone's and a desktop's width: an editor the policy covers
sets up the authenticator app after the password, logs in again in two steps, and a locked
login gets its page; each screen passes axe-core, fits the width, and the Content-Security-
Policy refuses nothing on it (the QR code is a data: image, the styles the admin's own)."""

import pytest
from django.apps import apps
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, expect

from accounts.models import SecurityPolicy
from articles.roles import sync_groups
from tests.factories import make_staff
from tests.helpers import PASSWORD, keep_screenshot, require_tool, totp_code
from tests.test_browser import AXE, accessibility_violations
from tests.test_browser_csp import violations, watched_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def looked_at(page, name: str, width: int) -> None:
    """axe-core finds nothing, nothing scrolls sideways; a screenshot to look at."""
    page.wait_for_load_state("networkidle")
    assert accessibility_violations(page) == [], name
    assert violations(page) == [], name  # the Content-Security-Policy refused nothing
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, name
    keep_screenshot(page, f"login-{name}-{width}")


def password_step(page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.parametrize("width", [390, 1366])
def test_setup_two_step_login_and_lockout(browser: Browser, live_server, width):
    require_tool(AXE, "npm ci, as make test does")
    # A transactional test runs on a flushed database: the groups and the policy row again.
    sync_groups(apps)
    SecurityPolicy.objects.update_or_create(
        pk=1, defaults={"second_factor_required_for": "editors"}
    )
    editor = make_staff("eddie", "Editors")
    base = live_server.url
    page = watched_page(browser.new_context(viewport={"width": width, "height": 900}))

    # The password, then the setup the policy requires.
    password_step(page, base, "eddie")
    expect(page.get_by_role("heading", name="Turn on a second factor")).to_be_visible()
    expect(page.get_by_role("img", name="QR code of your key")).to_be_visible()
    looked_at(page, "setup", width)
    device = TOTPDevice.objects.get(user=editor)
    assert page.locator("#totp-key").inner_text().replace(" ", "") in device.config_url
    page.get_by_label("Code from the app").fill("000000" if totp_code(device) != "000000" else "1")
    page.get_by_role("button", name="Turn on").click()
    expect(page.locator(".errornote").first).to_be_visible()
    looked_at(page, "setup-wrong-code", width)
    device.refresh_from_db()
    device.throttle_reset()  # past django-otp's one-second wait after a wrong code
    page.get_by_label("Code from the app").fill(totp_code(device))
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", name="The desk")).to_be_visible()

    # Logged out, in again: the password, then the code.
    page.get_by_role("button", name="Log out").click()
    password_step(page, base, "eddie")
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    looked_at(page, "code", width)
    page.get_by_label("Code from the app").fill(totp_code(device))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="The desk")).to_be_visible()
    page.get_by_role("link", name="Second factor").click()
    expect(page.get_by_text("Your second factor is on")).to_be_visible()
    looked_at(page, "on", width)

    # Five wrong passwords for a name nobody has: the lockout page.
    page.get_by_role("button", name="Log out").click()
    for _ in range(5):
        password_step(page, base, "nobody", "wrong-password")
    expect(page.get_by_role("heading", name="Too many failed logins")).to_be_visible()
    expect(page.get_by_text("Try again in 15 minutes.")).to_be_visible()
    looked_at(page, "locked", width)


@pytest.mark.parametrize("width", [390, 1366])
def test_an_administrator_unlocks_and_sets_the_policy(browser: Browser, live_server, width):
    require_tool(AXE, "npm ci, as make test does")
    SecurityPolicy.objects.update_or_create(pk=1, defaults={"second_factor_required_for": "nobody"})
    make_staff("ada", is_superuser=True)
    base = live_server.url
    page = watched_page(browser.new_context(viewport={"width": width, "height": 900}))
    for _ in range(5):
        password_step(page, base, "wendy", "wrong-password")
    expect(page.get_by_role("heading", name="Too many failed logins")).to_be_visible()

    password_step(page, base, "ada")
    page.goto(f"{base}/admin/axes/accessattempt/?locked=yes")
    expect(page.locator("#result_list")).to_contain_text("wendy")
    looked_at_list(page, "unlock", width)
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("unlock_usernames")
    page.get_by_role("button", name="Run").click()
    expect(page.locator(".messagelist")).to_contain_text("Unlocked 1 username(s)")

    page.goto(f"{base}/admin/accounts/securitypolicy/")
    expect(page.get_by_label("Require a second factor for")).to_be_visible()
    looked_at(page, "policy", width)
    page.get_by_label("Require a second factor for").select_option("editors")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("The security policy was saved.")
    assert SecurityPolicy.objects.get().second_factor_required_for == "editors"


def looked_at_list(page, name: str, width: int) -> None:
    """A change list may scroll sideways on a phone (its table does, as the admin's own)."""
    page.wait_for_load_state("networkidle")
    assert accessibility_violations(page) == [], name
    keep_screenshot(page, f"login-{name}-{width}")
