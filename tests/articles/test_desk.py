"""The desk (articles/desk.py; the calendar in articles/admin/desk.py): the admin's front
page with its lists and counts, the editorial calendar, the story list's columns and
filters, the history pages, the branding; and the query counts of each, which do not grow
with the newsroom."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import staff_notes
from articles.models import Article
from tests.articles.test_admin import change_url, form_data
from tests.factories import (
    logged_in,
    make_article,
    make_author,
    make_image,
    make_section,
    make_user,
)

pytestmark = pytest.mark.django_db

LIST = "/admin/articles/article/"
CALENDAR = reverse("admin:articles_article_calendar")


@pytest.fixture
def editor():
    return make_user("Editors", username="eddie")


@pytest.fixture
def writer():
    return make_user("Writers", username="wendy")


def newsroom(writer, editor):
    now = timezone.now()
    soon = (now + dt.timedelta(hours=5)).replace(second=0, microsecond=0)
    stories = {
        "Draft story": make_article(status="draft", owner=writer, published_at=None),
        "Assigned story": make_article(status="draft", owner=editor, assignee=writer),
        "Review story": make_article(status="review", owner=writer),
        "Scheduled story": make_article(published_at=soon, owner=writer, last_edited_by=editor),
        "Live story": make_article(owner=writer, last_edited_by=editor),
        "Old story": make_article(published_at=now - dt.timedelta(days=30)),
        "Removed story": make_article(status="unpublished"),
    }
    for headline, story in stories.items():
        Article.objects.filter(pk=story.pk).update(headline=headline)
    return soon, stories


def desk_sections(html: str) -> dict[str, tuple[int, list[str]]]:
    """Each list of the desk: its count and the headlines it shows."""
    found = {}
    for section in re.findall(r'<section class="desk-list".*?</section>', html, re.S):
        title = re.search(r"<h3[^>]*>(?:<a[^>]*>)?([^<]+)(?:</a>)? <span", section).group(1)
        count = int(re.search(r'<span class="count">(\d+)</span>', section).group(1))
        found[title.strip()] = (
            count,
            re.findall(r'change/(?:#staff-notes)?">([^<]+)</a>', section),
        )
    return found


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# The desk


def test_the_desk_shows_every_list_with_its_count(writer, editor):
    newsroom(writer, editor)

    found = desk_sections(logged_in(writer).get("/admin/").content.decode())

    mine = found.pop("My stories")
    assert (mine[0], sorted(mine[1])) == (
        4,
        ["Assigned story", "Draft story", "Review story", "Scheduled story"],
    )
    assert found == {
        "Drafts": (2, ["Assigned story", "Draft story"]),
        "In review": (1, ["Review story"]),
        "Scheduled": (1, ["Scheduled story"]),
        "Recently published": (1, ["Live story"]),
        "Open notes": (0, []),
    }


def test_an_empty_desk_says_so(editor):
    html = logged_in(editor).get("/admin/").content.decode()
    for text in (
        "Nothing on your plate.",
        "No drafts.",
        "Nothing waiting for review.",
        "Nothing scheduled.",
        "Nothing published this week.",
        "No open notes.",
    ):
        assert text in html


def test_the_desk_is_not_shown_to_staff_who_cannot_see_stories():
    clerk = make_user(None, is_staff=True)
    html = logged_in(clerk).get("/admin/").content.decode()
    assert "newsroom-desk" not in html


def test_the_desk_lists_at_most_eight_and_counts_all(editor):
    for _ in range(11):
        make_article(status="draft")
    count, shown = desk_sections(logged_in(editor).get("/admin/").content.decode())["Drafts"]
    assert (count, len(shown)) == (11, 8)


def test_the_desks_query_count_does_not_grow(writer, editor):
    desk = logged_in(editor)
    newsroom(writer, editor)
    before = queries(desk, "/admin/")
    for n in range(15):
        story = make_article(
            status=["draft", "review", "published"][n % 3],
            owner=writer,
            assignee=editor,
            authors=[make_author()],
            lead_image=make_image(),
        )
        staff_notes.add(article=story, author=writer, text=f"Note {n}")
    assert queries(desk, "/admin/") == before


def test_the_admin_carries_the_newsrooms_name_and_no_task_results(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert "Django administration" not in html
    assert '<span>All Israel News</span><span class="desk-brand__desk">desk</span>' in html
    assert "Task results" not in html
    assert "Task Results" not in html
    assert 'rel="icon"' in html


def test_favicon_ico_answers(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")


# The calendar


def test_the_week_shows_scheduled_and_published_stories_and_deadlines_by_day(editor):
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    zone = timezone.get_current_timezone()

    def at(days, hour):
        return dt.datetime.combine(monday + dt.timedelta(days=days), dt.time(hour), tzinfo=zone)

    make_article(headline="Tuesday story", published_at=at(1, 9))
    make_article(headline="Friday story", published_at=at(4, 18))
    make_article(headline="Due Thursday", status="draft", deadline=at(3, 12))
    make_article(headline="Next week", published_at=at(8, 9))

    html = logged_in(editor).get(f"{CALENDAR}?week={monday.isoformat()}").content.decode()

    days = {
        day: re.sub(r"<[^>]+>", "", entries)
        for day, entries in re.findall(
            r'<time datetime="(\d{4}-\d\d-\d\d)">.*?</h3>\s*<ul>(.*?)</ul>', html, re.S
        )
    }
    assert len(days) == 7
    assert "09:00 Tuesday story" in days[(monday + dt.timedelta(days=1)).isoformat()]
    assert "18:00 Friday story" in days[(monday + dt.timedelta(days=4)).isoformat()]
    assert "12:00 Due Thursday" in days[(monday + dt.timedelta(days=3)).isoformat()]
    assert "Next week" not in html
    assert f"?week={(monday + dt.timedelta(days=7)).isoformat()}" in html  # Next


def test_the_month_view_covers_whole_weeks(editor):
    html = logged_in(editor).get(f"{CALENDAR}?month=2026-02").content.decode()
    days = re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)">', html)
    assert days[0] == "2026-01-26"  # the Monday before 1 February 2026
    assert days[-1] == "2026-03-01"
    assert len(days) % 7 == 0
    assert "February 2026" in html


def test_a_bad_calendar_address_falls_back_to_this_week(editor):
    response = logged_in(editor).get(f"{CALENDAR}?week=yesterday")
    assert response.status_code == 200
    assert "Week of" in response.content.decode()


def test_the_calendars_query_count_does_not_grow(editor):
    desk = logged_in(editor)
    before = queries(desk, CALENDAR)
    for n in range(10):
        make_article(published_at=timezone.now() + dt.timedelta(hours=n), authors=[make_author()])
    assert queries(desk, CALENDAR) == before


# The story list


def list_rows(client, query="") -> dict[str, dict[str, str]]:
    html = client.get(LIST + query).content.decode()
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        cells = dict(re.findall(r'<t[hd] class="field-(\w+)[^"]*">(.*?)</t[hd]>', row, re.S))
        if "headline_cell" in cells:
            text = {
                k: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", v)).strip() for k, v in cells.items()
            }
            rows[text["headline_cell"]] = text
    return rows


def test_the_list_shows_headline_byline_section_state_time_and_who_changed_it(writer, editor):
    soon, stories = newsroom(writer, editor)
    dana = make_author(name="Dana Levi")
    staff = make_author(name="Desk Staff")
    live = stories["Live story"]
    live.bylines.create(author=staff, position=0)
    live.bylines.create(author=dana, position=1)

    rows = list_rows(logged_in(editor))

    row = rows["Live story"]
    assert row["byline_cell"] == "Desk Staff, Dana Levi"
    assert row["state"] == "Published"
    assert row["published"] == timezone.localtime(live.published_at).strftime("%-d %b %Y, %H:%M")
    assert row["last_changed"].startswith("eddie ")
    assert rows["Scheduled story"]["state"] == f"Scheduled {timezone.localtime(soon):%-d %b, %H:%M}"
    assert rows["Draft story"]["published"] == "-"
    assert rows["Removed story"]["state"] == "Unpublished"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?state=scheduled", {"Scheduled story"}),
        ("?state=published", {"Live story", "Old story"}),
        ("?state=draft", {"Draft story", "Assigned story"}),
        ("?whose=assigned", {"Assigned story"}),
        ("?q=Dana", {"Live story"}),
    ],
)
def test_the_list_filters_and_searches(writer, editor, query, expected):
    _, stories = newsroom(writer, editor)
    stories["Live story"].bylines.create(author=make_author(name="Dana Levi"))
    assert set(list_rows(logged_in(writer), query)) == expected


def test_the_lists_query_count_does_not_grow(writer, editor):
    desk = logged_in(editor)
    newsroom(writer, editor)
    before = queries(desk, LIST)
    for _ in range(20):
        make_article(
            authors=[make_author(), make_author()],
            lead_image=make_image(),
            section=make_section(),
            last_edited_by=editor,
            owner=writer,
            assignee=editor,
        )
    assert queries(desk, LIST) == before


# History


def test_history_tells_each_state_change_as_what_it_was_to_the_second(editor, writer):
    author, desk = logged_in(writer), logged_in(editor)
    from tests.articles.test_story_form import complete

    author.post("/admin/articles/article/add/", {**complete(), "workflow": "save"})
    story = Article.objects.get()

    def press(client, action, **fields):
        data = form_data(client.get(change_url(story)).content.decode(), "article_form")
        data.update({name: [value] for name, value in fields.items()})
        data["workflow"] = [action]
        response = client.post(change_url(story), data)
        assert response.status_code == 302, response.context["adminform"].form.errors

    press(author, "submit")
    when = (timezone.localtime() + dt.timedelta(days=1)).replace(hour=9, minute=0)
    press(desk, "schedule", schedule_at=when.strftime("%Y-%m-%dT%H:%M"))
    press(desk, "publish")
    data = form_data(desk.get(change_url(story)).content.decode(), "article_form")
    data.update(
        {
            "notes-TOTAL_FORMS": ["1"],
            "notes-0-kind": ["correction"],
            "notes-0-text": ["The count was 43,500."],
            "workflow": ["update"],
        }
    )
    data["notes-0-created_at_0"], data["notes-0-created_at_1"] = local_now()
    assert desk.post(change_url(story), data).status_code == 302
    press(desk, "unpublish")

    html = desk.get(reverse("admin:articles_article_history", args=[story.pk])).content.decode()
    rows = re.findall(
        r"<tr>\s*<th scope=\"row\"><a [^>]*>([^<]+)</a></th>\s*<td>(\w+)</td>\s*<td>([^<]*)</td>",
        html,
    )
    assert [what.split(".")[0] for _, _, what in rows] == [
        "Unpublished",
        "Corrected",
        "Published",
        f"Scheduled for {when:%-d %b %Y, %H:%M}",
        "Submitted for review",
        "Created as a draft",
    ]
    assert [who for _, who, _ in rows] == ["eddie"] * 4 + ["wendy"] * 2
    assert all(re.fullmatch(r"\d{1,2} \w{3} \d{4}, \d\d:\d\d:\d\d", when) for when, _, _ in rows)
    assert '<ol class="breadcrumbs">' in html
    # The panel tells it too.
    form = desk.get(change_url(story)).content.decode()
    assert 'Unpublished <span class="quiet">by eddie,' in form


def local_now():
    now = timezone.localtime()
    return now.strftime("%d/%m/%Y"), now.strftime("%H:%M:%S")


def test_the_changes_page_is_styled_by_a_stylesheet_with_the_new_breadcrumbs(editor):
    story = make_article()
    html = logged_in(editor).get(reverse("admin:articles_article_changes", args=[story.pk]))
    html = html.content.decode()
    assert "<style" not in html
    assert "css/desk.css" in html
    assert '<ol class="breadcrumbs">' in html
    assert '<li aria-current="page">Changes</li>' in html
