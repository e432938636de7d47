"""The breaking-news banner: on every public page within a second of saving (the page
cache renews every page showing it), gone by itself at its end time, refused with a clear
message when it has no text or ends in the past."""

import datetime as dt
import time

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from articles.models import Banner
from tests.factories import logged_in, make_article, make_user

pytestmark = pytest.mark.django_db


def make_banner(**fields) -> Banner:
    now = timezone.now()
    fields.setdefault("text", "Earthquake felt across the north")
    fields.setdefault("link", "/news/quake/")
    fields.setdefault("starts_at", now - dt.timedelta(minutes=1))
    fields.setdefault("ends_at", now + dt.timedelta(hours=1))
    return Banner.objects.create(**fields)


@pytest.fixture
def story():
    return make_article(headline="Harbour reopens", slug="harbour-reopens")


def test_a_banner_is_on_every_public_page(client, story):
    make_banner()
    for url in ["/", story.get_absolute_url(), "/corrections/", "/about/", "/search/?q=x"]:
        html = client.get(url).text
        assert '<div class="banner banner--breaking" role="status">' in html, url
        assert '<a class="banner__text" href="/news/quake/">Earthquake felt' in html, url


def test_a_new_banner_renews_an_already_cached_page(client, story, any_cache):
    url = story.get_absolute_url()
    assert "banner__text" not in client.get(url).text
    assert client.get(url)["X-Page-Cache"].startswith("hit")
    make_banner(level=Banner.Level.DEVELOPING, link="")
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert '<span class="banner__text">Earthquake felt' in response.text
    assert "Developing" in response.text


def test_the_banner_ends_by_itself_and_no_cache_keeps_it_past_its_end(client, story):
    banner = make_banner(ends_at=timezone.now() + dt.timedelta(seconds=3))
    url = story.get_absolute_url()
    response = client.get(url)
    assert "banner__text" in response.text
    s_maxage = int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0])
    assert 0 <= s_maxage <= 3
    assert client.get(url)["X-Page-Cache"].startswith("hit")
    time.sleep(max(0, (banner.ends_at - timezone.now()).total_seconds()) + 0.2)
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "banner__text" not in response.text


def test_a_banner_still_to_come_appears_at_its_start(client, story):
    make_banner(starts_at=timezone.now() + dt.timedelta(seconds=2))
    url = story.get_absolute_url()
    response = client.get(url)
    assert "banner__text" not in response.text
    assert int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0]) <= 2
    time.sleep(2.2)
    assert "banner__text" in client.get(url).text


def test_the_newest_banner_shown_wins(client, story):
    make_banner(text="Older line", starts_at=timezone.now() - dt.timedelta(hours=1))
    make_banner(text="Newer line")
    html = client.get("/").text
    assert "Newer line" in html
    assert "Older line" not in html


def test_a_banner_without_text_or_ending_in_the_past_is_refused():
    now = timezone.now()
    with pytest.raises(ValidationError) as error:
        Banner(text="   ", ends_at=now + dt.timedelta(hours=1)).full_clean()
    assert "cannot be empty" in str(error.value)
    with pytest.raises(ValidationError) as error:
        Banner(text="Flood", ends_at=now - dt.timedelta(minutes=5)).full_clean()
    assert "already passed" in str(error.value)
    with pytest.raises(ValidationError) as error:
        Banner(
            text="Flood", link="javascript:alert(1)", ends_at=now + dt.timedelta(hours=1)
        ).full_clean()
    assert "path on this site" in str(error.value)
    assert not Banner.objects.exists()


def test_the_admin_refuses_bad_banners_and_stores_nothing(client):
    editor = logged_in(make_user("superuser"))
    now = timezone.localtime()
    form = {
        "level": "breaking",
        "text": "",
        "link": "",
        "starts_at_0": now.strftime("%Y-%m-%d"),
        "starts_at_1": now.strftime("%H:%M:%S"),
        "ends_at_0": now.strftime("%Y-%m-%d"),
        "ends_at_1": (now + dt.timedelta(hours=2)).strftime("%H:%M:%S"),
    }
    response = editor.post("/admin/articles/banner/add/", form)
    assert response.status_code == 200
    assert "This field is required." in response.text
    past = now - dt.timedelta(hours=1)
    form |= {"text": "Flood", "ends_at_0": past.strftime("%Y-%m-%d")}
    form["ends_at_1"] = past.strftime("%H:%M:%S")
    response = editor.post("/admin/articles/banner/add/", form)
    assert response.status_code == 200
    assert "This end time has already passed" in response.text
    assert not Banner.objects.exists()
    later = now + dt.timedelta(hours=2)
    form |= {"ends_at_0": later.strftime("%Y-%m-%d"), "ends_at_1": later.strftime("%H:%M:%S")}
    response = editor.post("/admin/articles/banner/add/", form)
    assert response.status_code == 302
    banner = Banner.objects.get()
    assert banner.text == "Flood"
    assert banner.created_by is not None
    assert "Flood" in client.get("/").text


def test_ending_a_banner_now_takes_it_off_the_pages(client):
    editor = logged_in(make_user("superuser"))
    banner = make_banner()
    assert "banner__text" in client.get("/").text
    response = editor.post(
        "/admin/articles/banner/",
        {"action": "end_now", "_selected_action": [banner.pk]},
    )
    assert response.status_code == 302
    assert "banner__text" not in client.get("/").text
