"""Live stories: pages of updates newest first at a fixed query count, permanent links, the
poll answer (cacheable, with validators), closing, the live desk in the admin, bad input,
LiveBlogPosting and the updates' feed."""

import datetime as dt
from html import unescape

import extruct
import feedparser
import pytest
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.utils import timezone

from articles import popular
from articles.models import Article, LiveUpdate
from tests.factories import logged_in, make_article, make_author, make_image, make_user

pytestmark = pytest.mark.django_db

BASE = "http://testserver"


@pytest.fixture
def live_story():
    return make_article(
        headline="Storm over the coast", slug="storm-live", live=True, body="<p>Background.</p>"
    )


def post(article, n=1, **fields):
    """``n`` updates a minute apart, the last one newest."""
    now = timezone.now()
    rows = [
        LiveUpdate(
            article=article,
            published_at=now - dt.timedelta(minutes=n - i),
            text=f"<p>Update number {i + 1}.</p>",
            **fields,
        )
        for i in range(n)
    ]
    created = LiveUpdate.objects.bulk_create(rows)
    LiveUpdate.objects.filter(pk=created[-1].pk).first().save()  # renews the pages, as a post does
    return created


def clear_caches():
    for cache in caches.all():
        cache.clear()


@pytest.mark.parametrize("n", [1, 50, 5000])
def test_a_live_page_costs_the_same_queries_with_1_50_or_5000_updates(
    client, live_story, django_assert_num_queries, n
):
    post(live_story, n, author=make_author())
    post(live_story, 1, key_event=True, title="Roads close")
    post(live_story, 1, pinned=True, title="Where to find shelter")
    popular.rank(7)  # ranked every few minutes, by whichever request finds it due
    clear_caches()
    # The shared three (navigation, banner, schedule), the story, its page of updates with
    # their count, the pinned updates and key events, Popular, Latest.
    with django_assert_num_queries(3 + 1 + 2 + 2):
        response = client.get(live_story.get_absolute_url())
    assert response.status_code == 200
    html = response.text
    # The page of updates, and the pinned one at the top.
    assert html.count('<article class="live-update') == min(n + 2, 20) + 1
    assert f'data-live-count="{n + 2}"' in html
    clear_caches()
    # The poll answer: the next scheduled change (every cold request) and one query.
    with django_assert_num_queries(2):
        assert client.get("/news/storm-live/live.json").json()["updates"] == n + 2


def test_updates_are_newest_first_on_pages_and_a_permalink_finds_its_page(
    client, live_story, settings
):
    settings.LIVE_PAGE_SIZE = 5
    updates = post(live_story, 12)
    first = client.get("/news/storm-live/").text
    assert first.index("Update number 12.") < first.index("Update number 8.")
    assert "Update number 7." not in first
    assert 'rel="next" href="?page=2"' in first
    second = client.get("/news/storm-live/?page=2").text
    assert "Update number 7." in second
    assert "Update number 3." in second
    assert "Update number 8." not in second
    assert client.get("/news/storm-live/?page=4").status_code == 404
    oldest = updates[0]
    response = client.get(f"/news/storm-live/update/{oldest.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/news/storm-live/?page=3#update-{oldest.pk}"
    third = client.get("/news/storm-live/?page=3").text
    assert f'id="update-{oldest.pk}"' in third
    newest = updates[-1]
    response = client.get(f"/news/storm-live/update/{newest.pk}/")
    assert response["Location"] == f"/news/storm-live/#update-{newest.pk}"


def test_a_story_that_is_not_live_has_one_page(client):
    story = make_article(slug="plain")
    assert client.get("/news/plain/?page=2").status_code == 404
    assert client.get("/news/plain/live.json").status_code == 404
    assert "live-updates" not in client.get(story.get_absolute_url()).text


def test_the_poll_answer_is_small_cacheable_and_revalidated(client, live_story, settings):
    post(live_story, 3)
    response = client.get("/news/storm-live/live.json")
    assert response["Content-Type"] == "application/json"
    answer = response.json()
    assert answer["updates"] == 3
    assert answer["ended"] is False
    newest = live_story.live_updates.order_by("-published_at").first().published_at
    assert dt.datetime.fromisoformat(answer["newest"]) == newest.replace(microsecond=0)
    control = response["Cache-Control"]
    assert control.startswith("public")
    assert int(control.split("s-maxage=")[1].split(",")[0]) <= settings.LIVE_CDN_SECONDS
    assert "Set-Cookie" not in response
    assert response["Last-Modified"]
    again = client.get("/news/storm-live/live.json", headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304
    LiveUpdate.objects.create(article=live_story, text="<p>Fresh.</p>")
    fresh = client.get("/news/storm-live/live.json", headers={"if-none-match": response["ETag"]})
    assert fresh.status_code == 200
    assert fresh.json()["updates"] == 4


def test_a_new_update_renews_the_cached_page_at_once(client, live_story):
    post(live_story, 2)
    url = live_story.get_absolute_url()
    client.get(url)
    assert client.get(url)["X-Page-Cache"].startswith("hit")
    LiveUpdate.objects.create(article=live_story, text="<p>The bridge is open again.</p>")
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "The bridge is open again." in response.text
    assert 'data-live-count="3"' in response.text


def test_key_events_are_listed_at_the_top_and_pinned_updates_kept_there(client, live_story):
    post(live_story, 3)
    key = LiveUpdate.objects.create(
        article=live_story, title="Evacuation ordered", text="<p>Leave now.</p>", key_event=True
    )
    LiveUpdate.objects.create(
        article=live_story,
        title="Shelters",
        text="<p>Schools are open as shelters.</p>",
        pinned=True,
        published_at=timezone.now() - dt.timedelta(hours=2),
    )
    html = client.get(live_story.get_absolute_url()).text
    summary = html[
        html.index('class="key-events"') : html.index("</nav>", html.index("key-events"))
    ]
    assert "Evacuation ordered" in summary
    assert f'href="/news/storm-live/update/{key.pk}/"' in summary
    assert html.index("live-update--pinned") < html.index("Background.")
    # Pinned at the top, and in its place.
    assert html.count("<p>Schools are open as shelters.</p>") == 2


def test_a_closed_live_story_says_so_and_stops_asking(client, live_story):
    post(live_story, 2)
    live_story.live_ended_at = timezone.now()
    live_story.save()
    html = client.get(live_story.get_absolute_url()).text
    assert "This live coverage has ended" in html
    assert "js/live.js" not in html
    assert 'data-live-open="0"' in html
    response = client.get("/news/storm-live/live.json")
    assert response.json()["ended"] is True
    assert int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0]) > 10


def test_an_update_on_a_story_not_live_is_refused_and_nothing_stored():
    story = make_article()
    update = LiveUpdate(article=story, text="<p>Too early.</p>")
    with pytest.raises(ValidationError) as error:
        update.full_clean()
    assert "This story is not live" in str(error.value)
    assert not LiveUpdate.objects.exists()


def test_an_embed_from_a_site_not_allowed_is_refused_naming_the_site(live_story):
    update = LiveUpdate(article=live_story, embed_url="https://evil.example.net/post/1")
    with pytest.raises(ValidationError) as error:
        update.full_clean()
    message = " ".join(error.value.message_dict["embed_url"])
    assert "evil.example.net" in message
    assert "YouTube" in message
    LiveUpdate(
        article=live_story, embed_url="https://www.youtube.com/watch?v=abcDEF12345"
    ).full_clean()


def test_embeds_show_a_privacy_player_for_videos_and_a_card_for_posts(client, live_story):
    LiveUpdate.objects.create(
        article=live_story, embed_url="https://youtu.be/abcDEF12345", text="<p>Video.</p>"
    )
    LiveUpdate.objects.create(
        article=live_story, embed_url="https://x.com/someone/status/1", text="<p>Post.</p>"
    )
    html = client.get(live_story.get_absolute_url()).text
    assert 'src="https://www.youtube-nocookie.com/embed/abcDEF12345"' in html
    assert 'href="https://x.com/someone/status/1"' in html
    assert "View this post on X" in html
    assert '<script src="https://' not in html


def test_the_text_is_cleaned_like_a_body(live_story):
    update = LiveUpdate.objects.create(
        article=live_story, text='<p onclick="x()">Hi<script>alert(1)</script></p>'
    )
    assert "script" not in update.text
    assert "onclick" not in update.text


def test_an_editor_posts_from_the_live_desk_in_one_step(client, live_story):
    editor = logged_in(make_user("Editors"))
    url = f"/admin/articles/liveupdate/desk/{live_story.pk}/"
    page = editor.get(url)
    assert page.status_code == 200
    assert "Post an update" in page.text
    client.get(live_story.get_absolute_url())  # cached for readers
    response = editor.post(
        url, {"title": "Power cut", "text": "Half the city is dark.\n\nCrews are out."}
    )
    assert response.status_code == 302
    update = LiveUpdate.objects.get()
    assert update.text == "<p>Half the city is dark.</p><p>Crews are out.</p>"
    assert update.posted_by is not None
    html = client.get(live_story.get_absolute_url()).text
    assert "Power cut" in html
    assert "Crews are out." in html
    assert "on the live page now" in editor.get(url).text


def test_the_live_desk_refuses_bad_updates_with_a_message(live_story):
    editor = logged_in(make_user("Editors"))
    story = make_article(slug="not-live")
    response = editor.post(f"/admin/articles/liveupdate/desk/{story.pk}/", {"text": "Hello"})
    assert response.status_code == 200
    assert "This story is not live" in unescape(response.text)
    response = editor.post(
        f"/admin/articles/liveupdate/desk/{live_story.pk}/",
        {"text": "Look", "embed_url": "https://evil.example.net/x"},
    )
    assert response.status_code == 200
    assert "Embeds from evil.example.net are not allowed" in unescape(response.text)
    response = editor.post(f"/admin/articles/liveupdate/desk/{live_story.pk}/", {"text": "  "})
    assert "Write the update" in unescape(response.text)
    assert not LiveUpdate.objects.exists()


def test_a_writer_cannot_post_updates(live_story):
    writer = logged_in(make_user("Writers"))
    response = writer.post(f"/admin/articles/liveupdate/desk/{live_story.pk}/", {"text": "Hi"})
    assert response.status_code == 403
    assert not LiveUpdate.objects.exists()


def test_live_blog_posting_carries_the_coverage_and_the_updates(client, live_story):
    reporter = make_author(name="Noa Bar")
    image = make_image()
    first = LiveUpdate.objects.create(
        article=live_story,
        title="Winds reach 100 km/h",
        text="<p>Trees are down.</p>",
        author=reporter,
        image=image,
        published_at=timezone.now() - dt.timedelta(minutes=5),
    )
    second = LiveUpdate.objects.create(article=live_story, text="<p>Schools close early.</p>")
    url = live_story.get_absolute_url()
    data = extruct.extract(client.get(url).text, base_url=BASE + url, syntaxes=["json-ld"])
    (blog,) = [item for item in data["json-ld"] if item["@type"] == "LiveBlogPosting"]
    assert blog["headline"] == "Storm over the coast"
    start = dt.datetime.fromisoformat(blog["coverageStartTime"])
    assert start == live_story.published_at.replace(microsecond=0)
    assert "coverageEndTime" not in blog
    updates = blog["liveBlogUpdate"]
    assert [u["@type"] for u in updates] == ["BlogPosting", "BlogPosting"]
    assert updates[0]["articleBody"] == "Schools close early."
    assert updates[0]["url"] == f"{BASE}/news/storm-live/update/{second.pk}/"
    assert updates[1]["headline"] == "Winds reach 100 km/h"
    assert updates[1]["author"] == {"@type": "Person", "name": "Noa Bar"}
    assert updates[1]["image"].startswith(BASE + "/media/")
    published = dt.datetime.fromisoformat(updates[1]["datePublished"])
    assert published == first.published_at.replace(microsecond=0)
    assert dt.datetime.fromisoformat(blog["dateModified"]) >= second.published_at.replace(
        microsecond=0
    )
    ended = timezone.now()
    Article.objects.filter(pk=live_story.pk).update(live_ended_at=ended)
    live_story.refresh_from_db()
    live_story.save()
    data = extruct.extract(client.get(url).text, base_url=BASE + url, syntaxes=["json-ld"])
    (blog,) = [item for item in data["json-ld"] if item["@type"] == "LiveBlogPosting"]
    assert dt.datetime.fromisoformat(blog["coverageEndTime"]) == ended.replace(microsecond=0)


def test_the_live_feed_carries_the_updates(client, live_story, django_assert_max_num_queries):
    post(live_story, 30, author=make_author(name="Noa Bar"))
    with django_assert_max_num_queries(4):
        response = client.get("/news/storm-live/live/feed/")
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert len(parsed.entries) == 20
    assert parsed.entries[0].title == "Update number 30."
    assert parsed.entries[0].link.startswith(f"{BASE}/news/storm-live/update/")
    assert parsed.entries[0].author == "Noa Bar"
    assert client.get("/news/plain-missing/live/feed/").status_code == 404
