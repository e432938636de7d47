"""The old addresses in the admin: editors find them, see where each leads, and remove one;
nobody types or changes one."""

import pytest
from lxml import html
from playwright.sync_api import expect

from articles.models import OldAddress
from tests.factories import logged_in, make_article, make_section, make_user
from tests.helpers import PASSWORD, log_in, require_tool
from tests.test_browser import AXE, accessibility_violations

pytestmark = pytest.mark.django_db

LIST = "/admin/articles/oldaddress/"


@pytest.fixture
def addresses():
    ferry = make_article(headline="The ferry sails again", slug="ferry-sails-again")
    world = make_section(name="World", slug="world")
    OldAddress.objects.create(path="/2026/11/05/ferry-sails-again/", article=ferry)
    OldAddress.objects.create(path="/?p=101", article=ferry)
    OldAddress.objects.create(path="/category/world/", section=world)
    return ferry, world


def rows(response):
    page = html.fromstring(response.content)
    return [
        [cell.text_content().strip() for cell in row.xpath("./th|./td")][1:]
        for row in page.xpath("//table[@id='result_list']/tbody/tr")
    ]


def test_an_editor_sees_each_address_and_where_it_leads(addresses):
    editor = logged_in(make_user("Editors"))
    response = editor.get(LIST)
    assert response.status_code == 200
    assert rows(response) == [
        ["/2026/11/05/ferry-sails-again/", "story: The ferry sails again/news/ferry-sails-again/"],
        ["/?p=101", "story: The ferry sails again/news/ferry-sails-again/"],
        ["/category/world/", "section: World/section/world/"],
    ]  # by address; the new address is a link under the name
    links = html.fromstring(response.content).xpath("//a[@class='old-address-target']/@href")
    assert links == ["/news/ferry-sails-again/", "/news/ferry-sails-again/", "/section/world/"]
    assert b"Add old address" not in response.content


def test_search_and_filter(addresses):
    editor = logged_in(make_user("Editors"))
    assert [r[0] for r in rows(editor.get(LIST, {"q": "ferry"}))] == [
        "/2026/11/05/ferry-sails-again/",
        "/?p=101",
    ]
    assert [r[0] for r in rows(editor.get(LIST, {"q": "world"}))] == ["/category/world/"]
    assert [r[0] for r in rows(editor.get(LIST, {"leads_to": "section"}))] == ["/category/world/"]


def test_an_editor_removes_an_address_and_it_stops_answering(addresses, client):
    assert client.get("/category/world/").status_code == 301
    editor = logged_in(make_user("Editors"))
    address = OldAddress.objects.get(path="/category/world/")
    url = f"{LIST}{address.pk}/delete/"
    assert editor.get(url).status_code == 200
    response = editor.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not OldAddress.objects.filter(path="/category/world/").exists()
    assert client.get("/category/world/").status_code == 404


def test_nobody_adds_or_changes_one_and_writers_do_not_see_them(addresses):
    editor = logged_in(make_user("Editors"))
    address = OldAddress.objects.get(path="/?p=101")
    assert editor.get(f"{LIST}add/").status_code == 403
    change = editor.get(f"{LIST}{address.pk}/change/")
    assert change.status_code == 200  # a view of it, nothing to edit
    assert b'name="path"' not in change.content
    assert editor.post(f"{LIST}{address.pk}/change/", {"path": "/x/"}).status_code == 403
    assert OldAddress.objects.get(pk=address.pk).path == "/?p=101"
    writer = logged_in(make_user("Writers"))
    assert writer.get(LIST).status_code == 403


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [390, 1366])
def test_the_list_in_the_browser_searches_and_passes_axe(browser, live_server, width):
    require_tool(AXE, "npm ci, as make test does")
    ferry = make_article(headline="The ferry sails again", slug="ferry-sails-again")
    OldAddress.objects.create(path="/2026/11/05/ferry-sails-again/", article=ferry)
    OldAddress.objects.create(path="/category/world/", section=make_section(name="World"))
    editor = make_user("superuser", password=PASSWORD)  # the roles' groups are flushed here
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    log_in(page, live_server.url, editor.username)
    page.goto(live_server.url + LIST)
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    assert accessibility_violations(page) == []
    # Every column on screen, at 390 px too: the table does not scroll sideways.
    box = page.locator("#result_list").bounding_box()
    assert box["x"] + box["width"] <= width - 8, box
    page.locator("#searchbar").fill("ferry")
    page.locator("#searchbar").press("Enter")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).to_contain_text("/news/ferry-sails-again/")
    assert accessibility_violations(page) == []
    page.context.close()
