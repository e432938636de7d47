"""What an edit of the news makes stale (``articles.invalidation``), end to end: cached pages,
an edit, and the next reader's page. Each test runs with the cache in local memory and in a
Redis of the tests' own."""

import datetime as dt
import http.server
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from newsroom.page_cache.store import SCHEDULE, store
from tests.articles.test_admin import change_url, errors_in, form_data
from tests.factories import make_article, make_author, make_image, make_section, make_tag
from tests.helpers import redis_cache

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("any_cache")]

HIT = {"hit", "hit-local"}  # from the shared cache, or from this process's checked copy


def get(client, url, **headers):
    return client.get(url, headers=headers)


@pytest.fixture
def story():
    return make_article(
        headline="Harbour reopens after storm",
        section=make_section(name="Economy"),
        lead_image=make_image(),
        authors=[make_author(name="Dana Levi", bio="Covers ports.")],
        tags=[make_tag(name="Shipping")],
    )


# What readers get ------------------------------------------------------------------------


def test_second_anonymous_request_is_served_from_the_cache(client, story, settings):
    url = story.get_absolute_url()
    first = get(client, url)
    assert first["X-Page-Cache"] == "miss"
    second = get(client, url)
    assert second["X-Page-Cache"] in HIT
    assert second.content == first.content
    control = second["Cache-Control"]
    assert control.startswith("public, ")
    # "Popular Articles" is ranked anew within POPULAR_CACHE_SECONDS: a CDN keeps the page no
    # longer than that (the home page shows no ranking).
    s_maxage = int(control.split("s-maxage=")[1].split(",")[0])
    assert settings.POPULAR_CACHE_SECONDS - 5 < s_maxage <= settings.POPULAR_CACHE_SECONDS
    assert f"s-maxage={settings.PAGE_CDN_SECONDS}," in get(client, "/")["Cache-Control"]
    assert f"stale-while-revalidate={settings.PAGE_STALE_SECONDS}" in control
    assert f"max-age={settings.PAGE_BROWSER_SECONDS}," in control
    assert second["ETag"] == first["ETag"]
    assert second["Last-Modified"] == first["Last-Modified"]
    assert f"story:{story.pk}" in second["Surrogate-Key"].split()
    assert not second.cookies
    assert "Cookie" not in second.get("Vary", "")
    # A hit is answered before the security middleware runs: it carries what they set on the
    # page it stored, and no CSP nonce.
    for name in [
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
    ]:
        assert second[name] == first[name], name
    assert "nonce-" not in second["Content-Security-Policy"]


def test_conditional_requests_get_304(client, story):
    url = story.get_absolute_url()
    first = get(client, url)
    by_etag = get(client, url, if_none_match=first["ETag"])
    assert by_etag.status_code == 304
    assert by_etag.content == b""
    assert by_etag["ETag"] == first["ETag"]
    assert "public" in by_etag["Cache-Control"]
    by_date = get(client, url, if_modified_since=first["Last-Modified"])
    assert by_date.status_code == 304
    assert get(client, url, if_none_match='"something-else"').status_code == 200


def test_every_public_page_is_cacheable(client, story):
    section, author, tag = story.section, story.byline[0], story.tags.get()
    for url in [
        "/",
        story.get_absolute_url(),
        section.get_absolute_url(),
        author.get_absolute_url(),
        tag.get_absolute_url(),
        "/search/?q=harbour",
        "/feed/",
        "/feed/atom/",
        f"{section.get_absolute_url()}feed/",
        f"{author.get_absolute_url()}feed/atom/",
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/sitemap-news.xml",
    ]:
        assert get(client, url)["X-Page-Cache"] == "miss", url
        response = get(client, url)
        assert response.status_code == 200, url
        assert response["X-Page-Cache"] in HIT, url
        assert response["Cache-Control"].startswith("public"), url


def test_campaign_parameters_do_not_split_the_cache(client, story):
    url = story.get_absolute_url()
    get(client, url)
    assert get(client, url + "?utm_source=newsletter&fbclid=x")["X-Page-Cache"] in HIT
    # Parameters a page reads do.
    get(client, "/search/?q=harbour")
    assert get(client, "/search/?q=storm")["X-Page-Cache"] == "miss"


def test_not_found_pages_are_not_kept(client):
    assert client.get("/news/no-such-story/").status_code == 404
    response = client.get("/news/no-such-story/")
    assert response.status_code == 404
    assert "X-Page-Cache" not in response


# What staff get --------------------------------------------------------------------------


def test_staff_always_get_a_fresh_private_page(client, admin_client, story):
    url = story.get_absolute_url()
    get(client, url)  # cached for readers
    staff = get(admin_client, url)
    assert staff["Cache-Control"] == "private, no-store"
    assert "X-Page-Cache" not in staff
    assert "Surrogate-Key" not in staff
    # ...and their request changed nothing for readers: the reader's copy is still served.
    assert get(client, url)["X-Page-Cache"] in HIT


def test_a_staff_request_never_fills_the_readers_cache(client, admin_client, story):
    url = story.get_absolute_url()
    get(admin_client, url)
    reader = get(client, url)
    assert reader["X-Page-Cache"] == "miss"
    assert "Cookie" not in reader.get("Vary", "")
    assert not reader.cookies


# Invalidation ----------------------------------------------------------------------------


def test_editors_correction_reaches_the_next_reader(client, story):
    url = story.get_absolute_url()
    get(client, url)
    assert get(client, url)["X-Page-Cache"] in HIT
    story.headline = "Harbour reopens a day after the storm"
    story.save()
    response = get(client, url)
    assert response["X-Page-Cache"] == "miss"
    assert "Harbour reopens a day after the storm" in response.text


def test_edit_through_the_admin_reaches_every_page_showing_the_story(
    client, admin_client, story, django_capture_on_commit_callbacks
):
    """End to end: cached pages, an edit in the admin, the next responses show it."""
    pages = [
        story.get_absolute_url(),
        "/",
        story.section.get_absolute_url(),
        story.byline[0].get_absolute_url(),
        "/feed/",
        "/search/?q=harbour",
    ]
    for url in pages:
        get(client, url)
        assert get(client, url)["X-Page-Cache"] in HIT, url
    data = form_data(admin_client.get(change_url(story)).text, "article_form")
    data["headline"] = ["Harbour reopens, ships queue at the breakwater"]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(change_url(story), data)
    assert response.status_code == 302, errors_in(response)
    for url in pages:
        response = get(client, url)
        assert response["X-Page-Cache"] == "miss", url
        assert "ships queue at the breakwater" in response.text, url


def test_an_edit_leaves_pages_not_showing_the_story_cached(client, story):
    other = make_article(headline="Vineyards harvest early", section=make_section())
    other_section = other.section.get_absolute_url()
    for url in [other.get_absolute_url(), other_section]:
        get(client, url)
    story.dek = "Cranes are back at work."
    story.save()
    # The other story's own page lists this one under "Latest Stories": stale.
    assert get(client, other.get_absolute_url())["X-Page-Cache"] == "miss"
    # The other section's listing does not show it: still cached.
    assert get(client, other_section)["X-Page-Cache"] in HIT


def test_an_old_story_edit_leaves_the_home_page_cached(client, settings):
    old = make_article(
        headline="An archive piece", published_at=timezone.now() - dt.timedelta(days=900)
    )
    for _ in range(settings.HOME_PAGE_SIZE + 1):
        make_article()
    assert "An archive piece" not in get(client, "/").text
    old.body = "<p>A correction to an old story.</p>"
    old.save()
    assert get(client, "/")["X-Page-Cache"] in HIT
    assert get(client, old.get_absolute_url())["X-Page-Cache"] == "miss"


def test_publishing_and_unpublishing_update_the_lists(client, story):
    section_url = story.section.get_absolute_url()
    draft = make_article(
        headline="Ferry line to Cyprus announced",
        section=story.section,
        status=Article.Status.DRAFT,
        published_at=None,
    )
    for url in ["/", section_url, "/feed/"]:
        assert "Ferry line to Cyprus" not in get(client, url).text
    draft.move_to(Article.Status.PUBLISHED)
    for url in ["/", section_url, "/feed/"]:
        assert "Ferry line to Cyprus" in get(client, url).text, url
    draft.move_to(Article.Status.UNPUBLISHED)
    for url in ["/", section_url, "/feed/"]:
        assert "Ferry line to Cyprus" not in get(client, url).text, url
    assert get(client, draft.get_absolute_url()).status_code == 410


def test_moving_a_story_to_another_section_updates_both_listings(client, story):
    old_section, new_section = story.section, make_section(name="Travel")
    for url in [old_section.get_absolute_url(), new_section.get_absolute_url()]:
        get(client, url)
    story.section = new_section
    story.save()
    assert "Harbour reopens" not in get(client, old_section.get_absolute_url()).text
    assert "Harbour reopens" in get(client, new_section.get_absolute_url()).text


def test_section_and_author_edits_reach_cached_pages(client, story):
    url = story.get_absolute_url()
    get(client, url)
    section = story.section
    section.name = "Business"
    section.save()
    assert ">Business<" in get(client, url).text
    author = story.byline[0]
    author.bio = "Covers ports and shipping lanes."
    author.save()
    assert "Covers ports and shipping lanes." in get(client, url).text


def test_new_tag_and_byline_reach_the_story_page_and_their_lists(client, story):
    tag, author = make_tag(name="Storms"), make_author(name="Yossi Cohen")
    for url in [story.get_absolute_url(), tag.get_absolute_url(), author.get_absolute_url()]:
        get(client, url)
    story.tags.add(tag)
    story.bylines.create(author=author, position=1)
    assert "Storms" in get(client, story.get_absolute_url()).text
    assert "Yossi Cohen" in get(client, story.get_absolute_url()).text
    assert "Harbour reopens" in get(client, tag.get_absolute_url()).text
    assert "Harbour reopens" in get(client, author.get_absolute_url()).text


def test_a_scheduled_story_appears_in_cached_lists_on_time(
    client, story, cdn, settings, django_capture_on_commit_callbacks
):
    """End to end, without waiting for the clock: a story scheduled for an hour from now, the
    pages cached meanwhile, and then the moment comes (its time moved to now behind the
    model's back, as the clock would, and the cache's record of the next scheduled time with
    it): the next request finds the pages stale, the stories that went live join their lists
    (stories_went_live), and the CDN is told."""
    settings.CDN_PURGE_URL = f"http://127.0.0.1:{cdn.server_port}/purge{{path}}"
    due = timezone.now() + dt.timedelta(hours=1)
    embargoed = make_article(
        headline="Embargoed budget figures", published_at=due, section=story.section
    )
    urls = ["/", story.section.get_absolute_url(), "/feed/", story.get_absolute_url()]
    for url in urls:
        assert "Embargoed budget figures" not in get(client, url).text
        assert get(client, url)["X-Page-Cache"] in HIT
    # A CDN is told not to keep the page past the moment the story goes live.
    s_maxage = int(get(client, "/")["Cache-Control"].split("s-maxage=")[1].split(",")[0])
    assert s_maxage == settings.PAGE_CDN_SECONDS < 3600
    settings.PAGE_CDN_SECONDS = 7200
    s_maxage = int(get(client, "/")["Cache-Control"].split("s-maxage=")[1].split(",")[0])
    assert 3500 < s_maxage <= 3600

    now = timezone.now()
    Article.objects.filter(pk=embargoed.pk).update(published_at=now)
    store().write({SCHEDULE: now.timestamp()}, 60)
    with django_capture_on_commit_callbacks(execute=True):
        for url in urls:
            response = get(client, url)
            assert response["X-Page-Cache"] == "miss", url
            assert "Embargoed budget figures" in response.text, url
    paths = {path for _, path, _ in cdn.requests}
    assert {"/purge/", "/purge/feed/", f"/purge{story.section.get_absolute_url()}"} <= paths
    assert f"/purge{embargoed.get_absolute_url()}" in paths
    # ...and the lists are cached with it from then on (renewed once more by the commit).
    get(client, "/")
    assert get(client, "/")["X-Page-Cache"] in HIT


def test_a_story_saved_inside_a_transaction_is_bumped_again_at_commit(
    client, story, django_capture_on_commit_callbacks
):
    """The race the commit-time bump closes: a page rendered from the old row after the
    edit's first bump but before its commit is stale once the commit lands."""
    url = story.get_absolute_url()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        story.headline = "Harbour reopens to cargo"
        story.save()
        # A reader's render between the save and the commit is stored...
        assert get(client, url)["X-Page-Cache"] == "miss"
        assert get(client, url)["X-Page-Cache"] in HIT
    assert callbacks
    for callback in callbacks:
        callback()  # the commit
    assert get(client, url)["X-Page-Cache"] == "miss"


# CDN purges ------------------------------------------------------------------------------


class PurgeRecorder(http.server.BaseHTTPRequestHandler):
    def do_PURGE(self):
        self.server.requests.append((self.command, self.path, self.headers.get("Authorization")))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def cdn():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PurgeRecorder)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_an_edit_sends_purges_for_the_pages_showing_the_story(
    cdn, settings, story, django_capture_on_commit_callbacks
):
    settings.CDN_PURGE_URL = f"http://127.0.0.1:{cdn.server_port}/purge{{path}}"
    settings.CDN_PURGE_TOKEN = "s3cret"
    with django_capture_on_commit_callbacks(execute=True):
        story.headline = "Harbour reopens at dawn"
        story.save()
    paths = {path for _, path, _ in cdn.requests}
    assert f"/purge{story.get_absolute_url()}" in paths
    assert {"/purge/sitemap.xml", "/purge/sitemap-articles.xml"} <= paths
    assert all(method == "PURGE" and auth == "Bearer s3cret" for method, _, auth in cdn.requests)
    # Publishing a story purges the lists it joins.
    cdn.requests.clear()
    with django_capture_on_commit_callbacks(execute=True):
        make_article(section=story.section, authors=[story.byline[0]])
    paths = {path for _, path, _ in cdn.requests}
    assert {"/purge/", "/purge/feed/", f"/purge{story.section.get_absolute_url()}"} <= paths
    assert f"/purge{story.byline[0].get_absolute_url()}" in paths


def test_purge_by_surrogate_key(cdn, settings, story, django_capture_on_commit_callbacks):
    settings.CDN_PURGE_URL = f"http://127.0.0.1:{cdn.server_port}/keys/{{tag}}"
    with django_capture_on_commit_callbacks(execute=True):
        story.section.save()
    paths = {path for _, path, _ in cdn.requests}
    assert f"/keys/section%3A{story.section_id}" in paths
    assert "/keys/nav" in paths


def test_a_cdn_that_does_not_answer_does_not_fail_the_edit(
    settings, story, caplog, django_capture_on_commit_callbacks
):
    settings.CDN_PURGE_URL = "http://127.0.0.1:9/purge{path}"  # the discard port: refused
    with django_capture_on_commit_callbacks(execute=True):
        story.headline = "Harbour reopens quietly"
        story.save()
    assert "CDN purge of http://127.0.0.1:9/purge" in caplog.text
    assert Article.objects.get(pk=story.pk).headline == "Harbour reopens quietly"


# Two app servers sharing one Redis -------------------------------------------------------


@pytest.fixture
def two_servers(redis_settings, settings):
    """Two cache clients on one real Redis, as two app servers have (each with its own
    copies of pages)."""
    backend = redis_cache(redis_settings.url)
    settings.CACHES = {"default": backend, "server_a": dict(backend), "server_b": dict(backend)}


def test_two_app_servers_sharing_redis_see_each_others_edits(client, two_servers, settings):
    story = make_article(headline="Port strike ends")
    url = story.get_absolute_url()
    assert caches["server_a"] is not caches["server_b"]
    settings.PAGE_CACHE_ALIAS = "server_a"
    assert get(client, url)["X-Page-Cache"] == "miss"
    # Server A now answers from its own copy, after one look at the clock...
    assert get(client, url)["X-Page-Cache"] == "hit-local"
    settings.PAGE_CACHE_ALIAS = "server_b"
    assert get(client, url)["X-Page-Cache"] == "hit"  # stored by A, served by B from Redis
    assert get(client, url)["X-Page-Cache"] == "hit-local"
    # The edit goes through server B, which tells nobody and waits for nobody...
    story.headline = "Port strike ends after talks"
    story.save()
    # ...and server A's next response has it: the clock moved, so A checks its copy.
    settings.PAGE_CACHE_ALIAS = "server_a"
    response = get(client, url)
    assert response["X-Page-Cache"] == "miss"
    assert "Port strike ends after talks" in response.text


def test_each_server_keeps_only_checked_copies(client, two_servers, settings):
    """A process's copy is answered while the clock has not moved, whichever server moved it;
    an unrelated edit costs a look at the page's tags, not a render."""
    settings.PAGE_CACHE_ALIAS = "server_a"
    story, other = make_article(), make_article(section=make_section())
    url = other.section.get_absolute_url()
    get(client, url)
    assert get(client, url)["X-Page-Cache"] == "hit-local"
    settings.PAGE_CACHE_ALIAS = "server_b"
    story.dek = "An unrelated correction."
    story.save()  # bumps only tags this listing does not carry
    settings.PAGE_CACHE_ALIAS = "server_a"
    assert get(client, url)["X-Page-Cache"] == "hit-local"  # its tags checked, still fresh
    assert get(client, url)["X-Page-Cache"] == "hit-local"


def test_a_staff_login_cookie_alone_does_not_change_readers_pages(client, story):
    user = get_user_model().objects.create_user("reader-with-stale-cookie", password="x" * 12)
    assert client.login(username=user.username, password="x" * 12)
    client.logout()  # the browser may keep sending an old session cookie
    client.cookies["sessionid"] = "no-such-session"
    response = get(client, reverse("articles:home"))
    # The answer that deletes the stale cookie is for this browser alone...
    assert response.cookies["sessionid"].value == ""
    assert response["Cache-Control"] == "private, no-store"
    # ...and once the browser dropped it, it gets the page every reader shares.
    del client.cookies["sessionid"]
    response = get(client, reverse("articles:home"))
    assert response["X-Page-Cache"] in {"miss", *HIT}
    assert response["Cache-Control"].startswith("public")


def test_cached_parts_follow_edits_across_servers(client, two_servers, settings):
    """With the page cache off, pages are rendered from cached parts (the story, the side
    column, the navigation), which each process also keeps: an edit through one server
    reaches the parts another one kept."""
    settings.PAGE_CACHE_SECONDS = 0
    story = make_article(headline="Desert solar farm opens", section=make_section(name="Energy"))
    url = story.get_absolute_url()
    settings.PAGE_CACHE_ALIAS = "server_a"
    assert get(client, url)["X-Page-Cache"] == "off"
    settings.PAGE_CACHE_ALIAS = "server_b"
    story.headline = "Desert solar farm opens a month early"
    story.save()
    section = story.section
    section.name = "Power"
    section.save()
    settings.PAGE_CACHE_ALIAS = "server_a"
    html = get(client, url).text
    assert "Desert solar farm opens a month early" in html
    assert ">Power<" in html
