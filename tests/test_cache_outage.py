"""The site with its Redis stopped or hung (a Redis of the tests' own): every public page is
served uncached, saves, signups and reads go on, and once Redis is back nothing stored before
or during the outage is served stale."""

import time

import pytest
from django.core.cache import caches

from articles.models import Article, DailyReads
from newsletter.models import Subscriber
from tests.articles.test_admin import change_url, errors_in, form_data
from tests.factories import make_article, make_author, make_image, make_section, make_tag
from tests.helpers import redis_cache, wait_until_available

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


@pytest.fixture
def site_cache(redis_server, settings):
    """The site's cache in the tests' own Redis, with a short timeout and retry (as deployed,
    only quicker), and put back afterwards whatever the test did to the server."""
    settings.CACHES = {"default": redis_cache(redis_server.url, timeout=0.05, retry_after=0.3)}
    yield redis_server
    if not redis_server.pidfile.exists():
        redis_server.start()
    redis_server.wake()
    wait_until_available(caches["default"])


@pytest.fixture
def story():
    section = make_section(name="Economy")
    author = make_author(name="Dana Levi")
    return make_article(
        headline="Harbour reopens after storm",
        section=section,
        lead_image=make_image(),
        authors=[author],
        tags=[make_tag(name="Shipping")],
    )


def public_urls(story) -> list[str]:
    return [
        "/",
        story.get_absolute_url(),
        story.section.get_absolute_url(),
        story.byline[0].get_absolute_url(),
        story.tags.get().get_absolute_url(),
        "/search/?q=harbour",
        "/feed/",
        "/feed/atom/",
        f"{story.section.get_absolute_url()}feed/",
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/about/",
    ]


def assert_the_site_works_without_its_cache(client, admin_client, story):
    for url in public_urls(story):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["X-Page-Cache"] == "off", url
        assert response["Cache-Control"].startswith("public"), url
    # A reader signs up and reads; an editor saves.
    signup = client.post("/newsletter/subscribe/", {"email": "reader@example.com", "source": "/"})
    assert signup.status_code == 200
    assert Subscriber.objects.filter(email="reader@example.com").exists()
    beacon = client.post(
        "/beacon/", str(story.pk), content_type="text/plain", HTTP_USER_AGENT=BROWSER
    )
    assert beacon.status_code == 204
    assert DailyReads.objects.filter(article=story).exists()
    data = form_data(admin_client.get(change_url(story)).text, "article_form")
    data["headline"] = ["Harbour reopens, ships queue at the breakwater"]
    response = admin_client.post(change_url(story), data)
    assert response.status_code == 302, errors_in(response)
    assert Article.objects.get(pk=story.pk).headline.endswith("at the breakwater")
    # ...and the readers see the edit at once.
    assert "at the breakwater" in client.get(story.get_absolute_url()).text


def test_with_redis_stopped_the_site_is_served_uncached(client, admin_client, site_cache, story):
    for url in public_urls(story):
        client.get(url)
    site_cache.stop()
    started = time.monotonic()
    assert_the_site_works_without_its_cache(client, admin_client, story)
    assert time.monotonic() - started < 30  # (nothing waited on Redis: see the hung case)
    site_cache.start()  # empty: nothing old to serve
    wait_until_available(caches["default"])
    assert client.get(story.get_absolute_url())["X-Page-Cache"] == "miss"


def test_with_redis_hung_a_reader_waits_once_then_never(client, admin_client, site_cache, story):
    for url in public_urls(story):
        client.get(url)
        assert client.get(url)["X-Page-Cache"] in {"hit", "hit-local"}
    site_cache.hang()
    started = time.monotonic()
    client.get("/")
    assert time.monotonic() - started < 1  # one socket timeout (0.05 s), once
    started = time.monotonic()
    for _ in range(5):
        assert client.get("/")["X-Page-Cache"] == "off"
    assert time.monotonic() - started < 2
    assert_the_site_works_without_its_cache(client, admin_client, story)


def test_an_edit_during_an_outage_is_on_its_page_at_the_first_request_after(
    client, site_cache, story
):
    """The pages cached before the outage are still in Redis when it wakes up, and the edit's
    invalidation never reached it: they must not be served."""
    url = story.get_absolute_url()
    for page in [url, "/", "/feed/"]:
        client.get(page)
        assert client.get(page)["X-Page-Cache"] in {"hit", "hit-local"}
    site_cache.hang()
    client.get(url)  # the breaker opens
    story.headline = "Harbour reopens to cargo"
    story.save()  # its invalidation is lost
    site_cache.wake()
    wait_until_available(caches["default"])
    for page in [url, "/", "/feed/"]:
        response = client.get(page)
        assert response["X-Page-Cache"] == "miss", page
        assert "Harbour reopens to cargo" in response.text, page


def test_readiness_says_the_cache_failed(client, site_cache):
    assert client.get("/readyz").status_code == 200
    site_cache.stop()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["cache"] == "failed"
