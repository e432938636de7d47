"""Every old address answers 301 with its thing's address now, in one hop."""

import pytest

from articles.models import Author, Section, Tag, WordPressItem

pytestmark = pytest.mark.django_db


def story(wp_id):
    return WordPressItem.objects.get(kind="post", wp_id=str(wp_id)).article


def hop(client, url):
    response = client.get(url)
    assert response.status_code == 301, (url, response.status_code)
    return response["Location"]


def test_permalinks_query_ids_and_old_slugs_lead_to_the_story(imported, client):
    ferry = story(101).get_absolute_url()
    assert hop(client, "/2026/11/05/ferry-sails-again/") == ferry
    assert hop(client, "/2026/11/05/ferry-sails-again") == ferry  # without the slash
    assert hop(client, "/2026/11/05/ferry-sails-again/amp/") == ferry
    assert hop(client, "/2026/11/05/ferry-returns/") == ferry  # _wp_old_slug
    assert hop(client, "/2026/11/05/ferry-back/") == ferry
    assert hop(client, "/?p=101") == ferry
    hebrew = story(109).get_absolute_url()
    assert (
        hop(client, "/2026/11/04/%D7%97%D7%93%D7%A9%D7%95%D7%AA-%D7%94%D7%A0%D7%9E%D7%9C/")
        == hebrew
    )
    assert client.get(ferry).status_code == 200


def test_archives_lead_to_sections_tags_and_authors(imported, client):
    world = Section.objects.get(name="World").get_absolute_url()
    assert hop(client, "/category/world/") == world
    assert hop(client, "/category/world/page/2/") == world
    assert hop(client, "/?cat=3") == world
    europe = Tag.objects.get(name="Europe").get_absolute_url()
    assert hop(client, "/category/world/europe/") == europe
    assert hop(client, "/category/europe/") == europe
    harbour = Tag.objects.get(name="Harbour").get_absolute_url()
    # WordPress's tag address is Newsroom's own here: the page itself answers.
    assert harbour == "/tag/harbour/"
    assert hop(client, "/tag/ferries/feed/") == "/tag/ferries/"
    assert hop(client, "/?tag=harbour") == harbour
    jane = Author.objects.get(name="Jane Doe").get_absolute_url()
    assert hop(client, "/author/jdoe/") == jane
    assert hop(client, "/?author=2") == jane
    assert hop(client, "/author/jdoe/feed/") == jane
    for url in (world, europe, harbour, jane):
        assert client.get(url).status_code == 200


def test_one_hop_after_the_slug_changes_in_newsroom(imported, client):
    ferry = story(101)
    ferry.slug = "island-ferry-back"
    ferry.save()
    assert hop(client, "/2026/11/05/ferry-sails-again/") == "/news/island-ferry-back/"
    assert hop(client, "/?p=101") == "/news/island-ferry-back/"


def test_stories_not_public_are_not_found_at_their_old_address(imported, client):
    assert client.get("/2026/11/01/staff-rota/").status_code == 404  # private
    assert client.get("/2026/11/02/harbour-accounts/").status_code == 404  # password
    assert client.get("/?p=103").status_code == 200  # a draft: the home page, as any /?p=
    assert client.get("/?p=999").status_code == 200
    assert client.get("/2026/11/05/never-was/").status_code == 404


def test_a_normal_page_asks_nothing_more(imported, client, django_assert_num_queries):
    url = story(101).get_absolute_url()
    client.get(url)
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    with django_assert_num_queries(_queries(client, url)):
        client.get(url)


def _queries(client, url):
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for cache in caches.all():
        cache.clear()
    with CaptureQueriesContext(connection) as seen:
        client.get(url)
    for cache in caches.all():
        cache.clear()
    assert not any("old_address" in q["sql"] for q in seen.captured_queries)
    return len(seen.captured_queries)


@pytest.fixture
def production(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.FORWARDED_ALLOW_IPS = ["127.0.0.1"]  # the test client's address: the proxy
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.ALLOWED_HOSTS = ["news.example.com"]
    return {"HTTP_HOST": "news.example.com", "HTTP_X_FORWARDED_PROTO": "https"}


@pytest.mark.parametrize(
    "old",
    ["/2026/11/05/ferry-sails-again/", "/?p=101", "/category/world/", "/?author=2"],
)
def test_a_301_carries_the_headers_every_answer_carries(imported, client, production, old):
    response = client.get(old, **production)
    assert response.status_code == 301
    page = client.get(response["Location"], **production)
    assert page.status_code == 200
    for header in (
        "Strict-Transport-Security",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "X-Frame-Options",
        "Content-Security-Policy",
        "Permissions-Policy",
    ):
        assert response[header] == page[header], header
    assert "Set-Cookie" not in response
    assert response["Cache-Control"] == "public, max-age=3600"


def test_plain_http_goes_to_https_first(imported, client, production):
    response = client.get("/?p=101", HTTP_HOST="news.example.com")
    assert response.status_code == 301
    assert response["Location"] == "https://news.example.com/?p=101"


def test_a_stored_home_page_does_not_answer_a_query_address(imported, client, settings):
    from articles.old_addresses import QUERY_KEYS

    assert set(QUERY_KEYS) <= set(settings.PAGE_CACHE_PASS_PARAMETERS)
    assert client.get("/").status_code == 200
    assert client.get("/").status_code == 200  # stored by now (or from the local copy)
    assert hop(client, "/?p=101") == story(101).get_absolute_url()
    assert hop(client, "/?cat=3").startswith("/section/")


# --- a category that is one story's section and another's tag --------------------------------

_CATEGORIES = "".join(
    f"<wp:category><wp:term_id>{term_id}</wp:term_id><wp:category_nicename>{slug}"
    f"</wp:category_nicename><wp:category_parent>{parent}</wp:category_parent>"
    f"<wp:cat_name>{name}</wp:cat_name></wp:category>"
    for term_id, slug, parent, name in (
        (21, "sport", "", "Sport"),
        (22, "local", "", "Local"),
        (23, "arts", "", "Arts"),
        (24, "theatre", "arts", "Theatre"),
    )
)


def _filed(*slugs: str) -> str:
    return "".join(
        f'<category domain="category" nicename="{slug}">{slug}</category>' for slug in slugs
    )


# Story 801 is filed under Sport (its first category) and 803 under Arts (as Theatre's parent);
# stories 802 and 804 name Sport and Arts after another first category, so as tags.
_SECTION_STORIES = {801: ("sport",), 803: ("theatre",)}
_TAG_STORIES = {802: ("local", "sport"), 804: ("local", "arts")}


def _archives_export(path, order: str, *, changed: str = "") -> None:
    from tests.articles.wordpress.conftest import export_xml, item_xml

    sections = [
        item_xml(n, f"Story {n}", "publish", extra=_filed(*s)) for n, s in _SECTION_STORIES.items()
    ]
    tags = [
        item_xml(n, f"Story {n}{changed}", "publish", extra=_filed(*s))
        for n, s in _TAG_STORIES.items()
    ]
    items = sections + tags if order == "sections first" else tags + sections
    path.write_text(export_xml("".join(items), channel=_CATEGORIES))


@pytest.mark.parametrize("order", ["sections first", "tags first"])
def test_a_category_that_is_a_section_keeps_its_archive_whatever_the_order(client, tmp_path, order):
    from tests.articles.wordpress.conftest import run_import

    path = tmp_path / "archives.xml"
    _archives_export(path, order)
    run_import(path)
    sport = Section.objects.get(name="Sport").get_absolute_url()
    arts = Section.objects.get(name="Arts").get_absolute_url()
    assert story(801).section.name == "Sport"
    assert "Sport" in story(802).tags.values_list("name", flat=True)  # a tag as well
    assert "Arts" in story(804).tags.values_list("name", flat=True)
    for old in ("/category/sport/", "/?cat=21", "/category/sport/page/2/"):
        assert hop(client, old) == sport, old
    for old in ("/category/arts/", "/?cat=23"):
        assert hop(client, old) == arts, old
    # Theatre's own archive leads to its tag, as a nested category's does.
    assert (
        hop(client, "/category/arts/theatre/") == Tag.objects.get(name="Theatre").get_absolute_url()
    )
    # A later run that updates only the stories that have them as tags leaves them too.
    _archives_export(path, order, changed=", changed")
    out, _ = run_import(path)
    assert "updated: 2" in out
    assert hop(client, "/category/sport/") == sport
    assert hop(client, "/?cat=23") == arts
