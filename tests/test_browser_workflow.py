"""A writer's and an editor's day at the desk, in headless Chromium: write, autosave, close the
tab, reopen and restore, submit, a note with an @mention that arrives by mail, schedule, the
story appearing by itself, a correction and its diff; the same from the keyboard alone; a
session that expires while typing; axe-core on the desk, the story list and the story form;
and the interactions it takes to write and publish a story with a new lead image."""

import datetime as dt
import re

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from articles.models import Article, Author, Image, Section, StoryAutosave
from articles.roles import sync_groups
from tests.factories import jpeg_bytes, make_image
from tests.helpers import PASSWORD, require_tool
from tests.helpers import log_in as log_in_as
from tests.newsletter.conftest import smtp_server  # noqa: F401 - the fixture
from tests.test_browser import AXE, accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EDITOR = '.field-body .ProseMirror[contenteditable="true"]'


@pytest.fixture
def newsroom():
    # A transactional test runs on a flushed database: make the groups the migration makes.
    sync_groups(apps)
    people = {
        "wendy": staff("wendy", "Writers"),
        "eddie": staff("eddie", "Editors"),
    }
    Author.objects.create(name="Dana Levi", slug="dana-levi", bio="Dana covers the south.")
    Section.objects.create(name="All Israel", slug="all-israel")
    return people


def staff(username: str, group: str) -> User:
    user = User.objects.create_user(username, f"{username}@example.com", PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def log_in(page: Page, base: str, username: str) -> None:
    """Log in through the form; staff land on the desk."""
    log_in_as(page, base, username)
    expect(page.get_by_role("heading", name="The desk")).to_be_visible()


def choose_select2(page: Page, container: str, text: str) -> None:
    page.locator(f"{container} .select2-selection").click()
    page.keyboard.type(text)
    page.locator(".select2-results__option", has_text=text).first.click()


def wait_for_autosave(page: Page) -> None:
    expect(page.locator("#autosave-status")).to_contain_text("Autosaved at", timeout=10_000)


def test_writer_and_editor_from_draft_to_correction(
    browser: Browser,
    live_server,
    newsroom,
    settings,
    smtp_server,  # noqa: F811 - the fixture imported above
    tmp_path,
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    base = live_server.url

    # The writer starts a story and the autosave keeps it without creating one.
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    log_in(page, base, "wendy")
    page.get_by_role("link", name="Write a story").click()
    page.locator("#id_headline").fill("Rain returns to the Negev")
    page.locator("#id_dek").fill("The first storm of the season closed two roads.")
    page.locator(EDITOR).click()
    page.keyboard.type("The first rain of the season fell on Tuesday.")
    wait_for_autosave(page)
    assert not Article.objects.exists()
    assert StoryAutosave.objects.get().fields["headline"] == "Rain returns to the Negev"

    # The tab closes; a new one offers the text back.
    page.close()
    page = context.new_page()
    page.goto(f"{base}/admin/articles/article/add/")
    offer = page.locator("[data-autosave-offer]")
    expect(offer).to_contain_text("“Rain returns to the Negev”")
    offer.get_by_role("link", name="Restore it").click()
    expect(page.locator("#id_headline")).to_have_value("Rain returns to the Negev")
    expect(page.locator(EDITOR)).to_contain_text("The first rain of the season fell on Tuesday.")
    choose_select2(page, "#bylines-0 .field-author", "Dana Levi")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".messagelist")).to_contain_text("Submitted for review")
    story = Article.objects.get()
    assert (story.status, story.owner.username) == ("review", "wendy")
    assert not StoryAutosave.objects.exists()

    # A note for the editor; the mail goes through the task queue to the SMTP server.
    page.get_by_label("New note").fill("@eddie the road closures are confirmed by the police.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".note-thread")).to_contain_text("the road closures are confirmed")
    expect(page.locator("#staff-notes .count")).to_have_text("1 open")
    assert smtp_server.received == []
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    (mail,) = smtp_server.received
    assert mail.rcpt_tos == ["eddie@example.com"]
    assert mail.message["Subject"] == "wendy mentioned you on “Rain returns to the Negev”"
    context.close()

    # The editor finds it on the desk, adds the picture, resolves the note and schedules it.
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    log_in(page, base, "eddie")
    expect(page.locator("#newsroom-desk")).to_contain_text("the road closures are confirmed")
    page.locator("#newsroom-desk").get_by_role(
        "link", name="Rain returns to the Negev"
    ).first.click()
    picture = tmp_path / "negev-rain.jpg"
    picture.write_bytes(jpeg_bytes(1600, 1000))
    page.locator("[data-upload-input]").set_input_files(str(picture))
    expect(page.locator("[data-upload-message]")).to_contain_text("uploaded")
    page.get_by_label("Alt text").fill("Rain falling on a desert road")
    page.get_by_label("Caption").fill("The road to Mitzpe Ramon on Tuesday.")
    choose_select2(page, ".field-section", "All Israel")
    expect(page.locator('[data-check="lead_alt_text"]')).to_have_class(re.compile("is-ok"))
    page.get_by_role("button", name="Resolve").click()
    expect(page.locator("#staff-notes .count")).to_have_text("0 open")
    when = (timezone.localtime() + dt.timedelta(days=1)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    page.locator("#id_schedule_at").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Schedule").click()
    expect(page.locator(".messagelist")).to_contain_text("Scheduled for")
    story.refresh_from_db()
    assert story.status == "published"
    assert story.published_at == when
    assert story.lead_image.alt_text == "Rain falling on a desert road"

    # The time comes (moved near, rather than waited for): readers get it by themselves.
    reader = browser.new_context().new_page()
    assert reader.goto(base + story.get_absolute_url()).status == 404
    Article.objects.filter(pk=story.pk).update(
        published_at=timezone.now() + dt.timedelta(seconds=2)
    )
    for _ in range(20):
        reader.wait_for_timeout(500)
        if reader.goto(base + story.get_absolute_url()).status == 200:
            break
    expect(reader.locator("h1")).to_have_text("Rain returns to the Negev")

    # A correction, and the diff shows it.
    page.reload()
    page.locator(EDITOR).click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" Two roads were closed.")
    page.get_by_text("Add another Correction or update").click()
    page.locator("#id_notes-0-text").fill("An earlier version gave the wrong day.")
    page.locator("#notes-0 .datetimeshortcuts a", has_text="Today").first.click()
    page.locator("#notes-0 .datetimeshortcuts a", has_text="Now").last.click()
    page.get_by_role("button", name="Update", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("Saved at")
    page.get_by_role("link", name="What changed").click()
    added = page.locator(".diff ins", has_text="Two roads were closed.")
    expect(added).to_be_visible()
    assert added.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    page.goto(f"{base}/admin/articles/article/{story.pk}/history/")
    expect(page.locator("#change-history")).to_contain_text("Corrected")
    expect(page.locator("#change-history")).to_contain_text("Scheduled for")
    reader.goto(base + story.get_absolute_url())
    expect(reader.locator(".story__notes")).to_contain_text(
        "An earlier version gave the wrong day."
    )
    context.close()


class Counter:
    """Counts what a person does: each click and each key chord (typing text is not counted,
    as a person types it whatever the tool)."""

    def __init__(self):
        self.steps: list[str] = []

    def __call__(self, what: str) -> None:
        self.steps.append(what)


def test_writing_and_publishing_a_story_with_a_new_lead_image_takes_14_interactions(
    browser: Browser, live_server, newsroom, tmp_path
):
    base, did = live_server.url, Counter()
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    log_in(page, base, "eddie")
    picture = tmp_path / "rain.jpg"
    picture.write_bytes(jpeg_bytes(1600, 1000))

    page.get_by_role("link", name="Write a story").click()
    did("click Write a story")
    page.locator("#id_headline").click()
    did("click the headline")
    page.keyboard.type("Rain returns to the Negev")
    page.locator("#id_dek").click()
    did("click the sub-headline")
    page.keyboard.type("The first storm of the season closed two roads.")
    page.locator("#bylines-0 .field-author .select2-selection").click()
    did("open the byline")
    page.keyboard.type("Dana")
    page.locator(".select2-results__option", has_text="Dana Levi").click()
    did("choose Dana Levi")
    page.locator(EDITOR).click()
    did("click the body")
    page.keyboard.type("The first rain of the season fell on Tuesday.")
    with page.expect_file_chooser() as chooser:
        page.get_by_text("Upload a picture").click()
    did("click Upload a picture")
    chooser.value.set_files(str(picture))
    did("pick the file")
    expect(page.locator("[data-upload-message]")).to_contain_text("uploaded")
    page.get_by_label("Alt text").click()
    did("click the alt text")
    page.keyboard.type("Rain falling on a desert road")
    page.get_by_label("Caption").click()
    did("click the caption")
    page.keyboard.type("The road to Mitzpe Ramon")
    page.get_by_label("Credit").click()
    did("click the credit")
    page.keyboard.type("Photo: Tests")
    page.locator(".field-section .select2-selection").click()
    did("open the section")
    page.locator(".select2-results__option", has_text="All Israel").click()
    did("choose All Israel")
    page.get_by_role("button", name="Publish now").click()
    did("click Publish now")

    expect(page.locator(".messagelist")).to_contain_text("Published. Readers see it now")
    story = Article.objects.get()
    assert story.is_public
    assert story.lead_image.alt_text == "Rain falling on a desert road"
    assert story.lead_image.caption == "The road to Mitzpe Ramon"
    assert len(did.steps) == 14, did.steps  # on the old form: 20 (see the README)


def tab_to(page: Page, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "s => document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_an_editor_writes_and_publishes_from_the_keyboard_alone(
    browser: Browser, live_server, newsroom
):
    image = make_image(caption="Rain on the road", alt_text="Rain falling on a desert road")
    base = live_server.url
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    log_in(page, base, "eddie")

    tab_to(page, 'a[href="/admin/articles/article/add/"].button')
    page.keyboard.press("Enter")
    page.wait_for_url("**/add/")
    tab_to(page, "#id_headline")
    page.keyboard.type("Rain returns to the Negev")
    page.keyboard.press("Tab")
    page.keyboard.type("The first storm of the season closed two roads.")
    tab_to(page, "#bylines-0 .select2-selection")
    page.keyboard.press("Enter")
    page.keyboard.type("Dana")
    page.wait_for_selector(".select2-results__option--highlighted")
    page.keyboard.press("Enter")
    tab_to(page, EDITOR)
    page.keyboard.type("The first rain of the season fell on Tuesday.")
    tab_to(page, "[data-open-picker]")
    page.keyboard.press("Enter")
    expect(page.locator("[data-picker]")).to_be_visible()
    expect(page.locator(f'[data-image-id="{image.pk}"]')).to_be_visible()
    tab_to(page, f'[data-image-id="{image.pk}"]')
    page.keyboard.press("Enter")
    expect(page.locator("[data-picker]")).to_be_hidden()
    expect(page.locator("#id_lead_alt_text")).to_have_value("Rain falling on a desert road")
    tab_to(page, ".field-section .select2-selection")
    page.keyboard.press("Enter")
    page.keyboard.type("All Israel")
    page.wait_for_selector(".select2-results__option--highlighted")
    page.keyboard.press("Enter")
    # Ctrl+S saves the draft without leaving the keyboard.
    page.keyboard.press("Control+s")
    expect(page.locator(".messagelist")).to_contain_text("Saved at")
    assert Article.objects.get().status == "draft"
    tab_to(page, 'button[value="publish"]')
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist")).to_contain_text("Published")
    story = Article.objects.get()
    assert story.is_public
    assert story.lead_image == Image.objects.get(pk=image.pk)
    assert story.byline[0].name == "Dana Levi"


def test_text_typed_while_the_session_expired_survives_the_login(
    browser: Browser, live_server, newsroom
):
    base = live_server.url
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    log_in(page, base, "wendy")
    page.goto(f"{base}/admin/articles/article/add/")
    page.locator("#id_headline").fill("Floods in the Arava")
    wait_for_autosave(page)
    Session.objects.all().delete()  # the session ends while she types

    page.locator(EDITOR).click()
    page.keyboard.type("Water reached the road by noon.")
    banner = page.locator("[data-autosave-error]")
    expect(banner).to_contain_text("Your session has expired", timeout=10_000)
    banner.get_by_role("link", name="Log in again").click()
    page.get_by_label("Username").fill("wendy")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # Back on the form, the text kept in the browser is sent and shown to keep.
    expect(page.locator(".desk-banner--info")).to_contain_text("This is your autosaved text")
    expect(page.locator("#id_headline")).to_have_value("Floods in the Arava")
    expect(page.locator(EDITOR)).to_contain_text("Water reached the road by noon.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messagelist")).to_contain_text("Saved at")
    story = Article.objects.get()
    assert story.headline == "Floods in the Arava"
    assert "Water reached the road by noon." in story.body


def test_a_stale_tab_is_told_and_keeps_its_text(browser: Browser, live_server, newsroom):
    base = live_server.url
    story = Article.objects.create(headline="Two tabs", slug="two-tabs", status="draft")
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    first = context.new_page()
    log_in(first, base, "eddie")
    first.goto(f"{base}/admin/articles/article/{story.pk}/change/")
    second = context.new_page()
    second.goto(f"{base}/admin/articles/article/{story.pk}/change/")
    second.locator("#id_headline").fill("Two tabs, saved in the second")
    second.keyboard.press("Control+s")
    expect(second.locator(".messagelist")).to_contain_text("Saved at")

    first.locator("#id_headline").fill("Two tabs, typed in the first")
    banner = first.locator("[data-autosave-error]")
    expect(banner).to_contain_text("This story was saved by eddie at", timeout=10_000)
    expect(first.locator("#id_headline")).to_have_value("Two tabs, typed in the first")
    first.keyboard.press("Control+s")
    expect(first.locator(".errorlist.nonfield")).to_contain_text("This story was changed by eddie")
    story.refresh_from_db()
    assert story.headline == "Two tabs, saved in the second"


@pytest.mark.parametrize("width", [1366, 390])
def test_the_desk_the_list_and_the_form_pass_axe(browser: Browser, live_server, newsroom, width):
    require_tool(AXE, "npm ci, as make test does")
    base = live_server.url
    story = Article.objects.create(
        headline="Rain returns", slug="rain", status="review", lead_image=make_image()
    )
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    log_in(page, base, "eddie")
    for url in (
        "/admin/",
        "/admin/articles/article/",
        "/admin/articles/article/add/",
        f"/admin/articles/article/{story.pk}/change/",
        "/admin/articles/article/calendar/",
    ):
        page.goto(base + url)
        page.wait_for_load_state("networkidle")
        found = accessibility_violations(page)
        assert found == [], (url, found)
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1 or url.endswith(
            "/article/"
        ), url
    # The picker too, open.
    page.goto(f"{base}/admin/articles/article/{story.pk}/change/")
    page.get_by_role("button", name="Choose from the library").click()
    expect(page.locator("[data-image-id]").first).to_be_visible()
    assert accessibility_violations(page) == []


def test_upload_in_place_refuses_a_bad_file_in_place(
    browser: Browser, live_server, newsroom, tmp_path
):
    bad = tmp_path / "report.jpg"
    bad.write_text("not a picture")
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    log_in(page, live_server.url, "eddie")
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.locator("#id_headline").fill("Kept while the upload fails")
    page.locator("[data-upload-input]").set_input_files(str(bad))
    message = page.locator("[data-upload-message]")
    expect(message).to_contain_text("report.jpg: The file is not an image")
    expect(message).to_have_class(re.compile("is-error"))
    expect(page.locator("#id_headline")).to_have_value("Kept while the upload fails")
    assert not Image.objects.exists()
