"""Most-read: the beacon counts reads (one upsert each), and the page shows the ranking."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from articles import preview_tokens, reads
from articles.models import Article, DailyReads, PopularStory
from tests.factories import make_article

pytestmark = pytest.mark.django_db

BEACON = "/beacon/"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
OTHER_BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1"
# The beacon's queries: whether the id is a published story (then cached), the upsert.
BEACON_QUERIES = 2


@pytest.fixture(autouse=True)
def _empty_cache():
    """Windows and rankings live in the cache: no test sees another's (nor leaves its own)."""
    cache.clear()
    yield
    cache.clear()


def beacon(client, article_id, *, ua=BROWSER, ip="203.0.113.7"):
    return client.post(
        BEACON,
        str(article_id),
        content_type="text/plain;charset=UTF-8",
        HTTP_USER_AGENT=ua,
        REMOTE_ADDR=ip,
    )


def count(article, day=None):
    row = DailyReads.objects.filter(article=article, day=day or timezone.localdate()).first()
    return row.count if row else 0


def read(article, n, *, days_ago=0):
    DailyReads.objects.create(
        article=article, day=timezone.localdate() - dt.timedelta(days=days_ago), count=n
    )


# The beacon


def test_beacon_counts_a_read_and_answers_204_without_body_or_cookie(client):
    story = make_article()
    response = beacon(client, story.pk)
    assert response.status_code == 204
    assert response.content == b""
    assert not response.cookies
    assert "Set-Cookie" not in response.headers
    assert "no-store" in response.headers["Cache-Control"]
    assert count(story) == 1
    beacon(client, story.pk, ip="203.0.113.8")
    assert count(story) == 2
    assert DailyReads.objects.count() == 1  # one row per story per day


def test_record_read_is_an_upsert():
    story = make_article()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    for _ in range(3):
        reads.record_read(story.pk)
    reads.record_read(story.pk, yesterday)
    assert count(story) == 3
    assert count(story, yesterday) == 1


@pytest.mark.parametrize("method", ["get", "head", "put", "delete", "options"])
def test_beacon_is_post_only(client, method):
    story = make_article()
    response = getattr(client, method)(BEACON, HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 405
    assert not response.cookies
    assert not DailyReads.objects.filter(article=story).exists()


@pytest.mark.parametrize(
    "ua",
    [
        "",
        "   ",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0)",
        "Mozilla/5.0 (compatible; Yahoo! Slurp)",
        "Baiduspider/2.0",
        "facebookexternalhit/1.1",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0) Google Web Preview",
        "CCBot/2.0 (https://commoncrawl.org/faq/)",
        "curl/8.5.0",
    ],
)
def test_robots_are_not_counted(client, ua):
    story = make_article()
    assert beacon(client, story.pk, ua=ua).status_code == 204
    assert not DailyReads.objects.exists()


def test_missing_user_agent_is_not_counted(client):
    story = make_article()
    response = client.post(BEACON, str(story.pk), content_type="text/plain")
    assert response.status_code == 204
    assert not DailyReads.objects.exists()


@pytest.mark.parametrize(
    "status", [Article.Status.DRAFT, Article.Status.REVIEW, Article.Status.UNPUBLISHED]
)
def test_unpublished_story_is_not_counted(client, status):
    story = make_article(status=status)
    assert beacon(client, story.pk).status_code == 204
    assert not DailyReads.objects.exists()


def test_scheduled_story_is_not_counted(client):
    story = make_article(published_at=timezone.now() + dt.timedelta(hours=1))
    assert beacon(client, story.pk).status_code == 204
    assert not DailyReads.objects.exists()


@pytest.mark.parametrize("body", ["", "abc", "0", "-1", "1.5", "99999999", "1 2", "x" * 100, "١٢"])
def test_bad_or_unknown_ids_are_ignored(client, body):
    make_article()
    response = client.post(
        BEACON, body, content_type="text/plain", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="192.0.2.1"
    )
    assert response.status_code == 204
    assert response.content == b""
    assert not DailyReads.objects.exists()


def test_same_client_reloading_within_the_window_counts_once(client, settings):
    settings.READ_WINDOW_SECONDS = 30 * 60
    story, other = make_article(), make_article()
    beacon(client, story.pk)
    beacon(client, story.pk)
    assert count(story) == 1
    beacon(client, other.pk)  # another story by the same client counts
    beacon(client, story.pk, ua=OTHER_BROWSER)  # another browser at the same address
    beacon(client, story.pk, ip="198.51.100.4")  # another address
    assert count(other) == 1
    assert count(story) == 3
    cache.clear()  # the window has passed
    beacon(client, story.pk)
    assert count(story) == 4


def test_window_keys_hold_nothing_readable_about_the_client(client):
    story = make_article()
    beacon(client, story.pk, ip="203.0.113.99")
    keys = [k for k in cache._cache if ":reads:" in k and ":published:" not in k]  # locmem's
    assert len(keys) == 2  # the client's, and its address's count
    for key in keys:
        assert "203.0.113.99" not in key
        assert "Firefox" not in key


def test_an_address_counts_at_most_its_cap_whatever_user_agents_it_sends(client, settings):
    """50 beacons from one address, each with another user agent (a script's trick), count
    READ_CAP_PER_ADDRESS reads; another address and another story are counted apart."""
    settings.READ_CAP_PER_ADDRESS = 3
    story, other = make_article(), make_article()
    for i in range(50):
        assert beacon(client, story.pk, ua=f"{BROWSER} build/{i}").status_code == 204
    assert count(story) == 3
    beacon(client, other.pk)
    beacon(client, story.pk, ip="198.51.100.4")
    assert (count(story), count(other)) == (4, 1)
    cache.clear()  # the window has passed
    beacon(client, story.pk, ua=f"{BROWSER} build/0")
    assert count(story) == 5


def test_the_cap_holds_in_redis_and_reads_go_on_while_it_is_out(client, settings, redis_settings):
    settings.READ_CAP_PER_ADDRESS = 2
    story = make_article()
    for i in range(10):
        beacon(client, story.pk, ua=f"{BROWSER} build/{i}")
    assert count(story) == 2
    redis_settings.stop()
    for i in range(10):
        assert beacon(client, story.pk, ip="198.51.100.9", ua=f"{BROWSER} {i}").status_code == 204
    assert count(story) == 12  # the site goes on without its cache: uncapped meanwhile


def test_no_window_counts_every_beacon(client, settings):
    settings.READ_WINDOW_SECONDS = 0
    story = make_article()
    for _ in range(3):
        beacon(client, story.pk)
    assert count(story) == 3


def test_window_setting_falls_back_to_the_environment(settings, monkeypatch):
    if hasattr(settings, "READ_WINDOW_SECONDS"):
        del settings.READ_WINDOW_SECONDS
    monkeypatch.setenv("READ_WINDOW_SECONDS", "0")
    assert reads.read_window_seconds() == 0
    monkeypatch.delenv("READ_WINDOW_SECONDS")
    assert reads.read_window_seconds() == 30 * 60


def test_beacon_query_count_is_constant(client, django_assert_num_queries):
    stories = [make_article() for _ in range(3)]
    read(stories[0], 500)
    for i, story in enumerate(stories):
        with django_assert_num_queries(BEACON_QUERIES):
            beacon(client, story.pk, ip=f"192.0.2.{i}")
    # The existence check is cached: a known story costs only the upsert.
    with django_assert_num_queries(1):
        beacon(client, stories[0].pk, ip="192.0.2.200")
    # A repeat within the window and a robot cost nothing.
    with django_assert_num_queries(0):
        beacon(client, stories[0].pk, ip="192.0.2.200")
        beacon(client, stories[0].pk, ua="Googlebot/2.1")


# The page


def test_article_page_lists_the_most_read_and_loads_the_beacon(client):
    story = make_article(headline="This story")
    hit = make_article(headline="Most read", published_at=timezone.now() - dt.timedelta(days=3))
    make_article(headline="Featured", featured=True)
    read(hit, 42)
    html = client.get(story.get_absolute_url()).text
    aside = html.split('<aside class="story-aside"', 1)[1]
    popular = aside.split("Latest Stories", 1)[0]
    assert popular.index("Most read") < popular.index("Featured")
    assert "This story" not in aside
    assert f'data-read-id="{story.pk}" data-read-url="/beacon/"' in html
    assert '<script src="/static/js/beacon.js" defer></script>' in html
    assert "sendBeacon" not in html  # no inline script
    assert not DailyReads.objects.filter(article=story).exists()  # the page itself counts nothing


def test_a_read_through_the_page_counts_once_then_ranks_after_expiry(client):
    story = make_article(headline="Reader's pick")
    current = make_article(headline="Current")
    make_article(headline="Top story", featured=True)
    assert "Top story" in client.get(current.get_absolute_url()).text.split("Latest Stories")[0]
    for _ in range(3):
        beacon(client, story.pk)
    assert count(story) == 1
    html = client.get(current.get_absolute_url()).text
    popular = html.split('<aside class="story-aside"', 1)[1].split("Latest Stories")[0]
    assert popular.index("Top story") < popular.index("Reader&#x27;s pick")  # the ranking kept
    cache.clear()  # the page and its side column, expired
    PopularStory.objects.update(ranked_at=timezone.now() - dt.timedelta(hours=1))  # and it
    html = client.get(current.get_absolute_url()).text
    popular = html.split('<aside class="story-aside"', 1)[1].split("Latest Stories")[0]
    assert popular.index("Reader&#x27;s pick") < popular.index("Top story")


def test_previews_load_no_beacon(client):
    draft = make_article(status=Article.Status.DRAFT)
    html = client.get(preview_tokens.url(draft)).text
    assert "beacon.js" not in html
    assert "data-read-id" not in html


# The admin


def test_admin_lists_reads_per_story_and_day_read_only(admin_client):
    story = make_article(headline="Counted story")
    make_article(headline="Other story")
    read(story, 12)
    read(story, 3, days_ago=8)
    url = "/admin/articles/dailyreads/"
    html = admin_client.get(url).text
    assert "Counted story" in html
    assert ">12<" in html
    assert "Other story" not in html
    assert "Counted story" in admin_client.get(url, {"q": "counted"}).text
    assert "Counted story" not in admin_client.get(url, {"q": "nothing like it"}).text
    today = timezone.localdate()
    filtered = admin_client.get(url, {"day__gte": today.isoformat()}).text
    assert ">12<" in filtered
    assert ">3<" not in filtered
    assert admin_client.get(f"{url}add/").status_code == 403
    row = DailyReads.objects.get(article=story, day=today)
    change = admin_client.get(f"{url}{row.pk}/change/")
    assert change.status_code == 200
    assert 'type="submit" value="Save"' not in change.text  # view only


# In a browser (run with the browser tests: pytest -m browser)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_sends_one_beacon_per_page_view(browser, live_server):
    """beacon.js posts the story id once per view, and a reload within the window is not
    counted again. Chromium is told to present itself as a desktop browser: the headless one
    is (rightly) ignored as a robot."""
    story = make_article(headline="Read in a browser")
    context = browser.new_context(user_agent=BROWSER)
    try:
        page = context.new_page()
        with page.expect_request(lambda r: r.url.endswith("/beacon/")) as sent:
            page.goto(live_server.url + story.get_absolute_url())
        request = sent.value
        assert request.method == "POST"
        assert request.post_data == str(story.pk)
        assert request.response().status == 204
        with page.expect_request(lambda r: r.url.endswith("/beacon/")):
            page.reload()
        page.wait_for_load_state("networkidle")
    finally:
        context.close()
    assert count(story) == 1


@pytest.mark.django_db
def test_story_list_in_the_admin_shows_reads_of_the_window(admin_client, settings):
    settings.POPULAR_DAYS = 7
    story, other = make_article(headline="Much read"), make_article(headline="Little read")
    read(story, 5)
    read(story, 3, days_ago=6)
    read(story, 100, days_ago=7)  # outside the window
    read(other, 1)
    response = admin_client.get("/admin/articles/article/?o=7")
    rows = {a.headline: a.recent_reads for a in response.context["cl"].result_list}
    assert rows == {"Much read": 8, "Little read": 1}
    assert "Reads (7 d)" in response.text


def test_the_beacon_answers_204_with_redis_hung(client, redis_settings):
    story = make_article()
    redis_settings.hang()
    try:
        for i in range(3):
            response = beacon(client, story.pk, ip=f"198.51.100.{i}")
            assert response.status_code == 204
            assert response.content == b""
    finally:
        redis_settings.wake()
