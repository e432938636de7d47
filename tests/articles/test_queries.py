"""The query budget: every public page, rendered on a cold cache, costs the same number of
queries whether it shows 1 or 20 authors, tags and stories. (Both databases run this file.)

Every page pays three queries of its own besides its content: the section navigation, the
breaking-news banner and the time of the next scheduled story (the page cache keeps all three,
so only a cold cache pays them).
"""

import pytest
from django.core.cache import caches
from django.db import connection

from articles import popular
from articles.models import Author
from tests.factories import make_article, make_author, make_image, make_section, make_tag

pytestmark = pytest.mark.django_db

SHARED = 3  # the navigation, the banner, the next scheduled story's time
EMBEDS = (
    '<p>The harbour.</p><figure data-embed="https://www.youtube.com/watch?v=abcDEF12345"></figure>'
    '<figure data-embed="https://x.com/harbour/status/1"></figure>'
)
NOT_SHOWN = 2  # feeds and sitemaps show neither the navigation nor the banner

BUDGET = {
    # The stories pinned to the front page, the top story (none pinned first), the latest
    # stories, the section blocks (one query for every section).
    "home": SHARED + 4,
    # The story with its bylines, authors, photos, tags and notes; Popular (the ranking
    # kept); Latest.
    "article": SHARED + 3,
    # The owner, one page of its stories (one row more than shown, no count).
    "section": SHARED + 2,
    "author": SHARED + 2,
    "tag": SHARED + 2,
    # The page of results (ranked, with snippets), the capped count of matches; on PostgreSQL
    # the statement timeout (set_config), in a savepoint here (in production a transaction of
    # its own, whose BEGIN and COMMIT are no queries).
    "search": SHARED + 2 + (3 if connection.vendor == "postgresql" else 0),
    # The stories, their bylines with authors, their tags (the owner first for owner feeds);
    # feeds show no navigation nor banner.
    "feed": SHARED - NOT_SHOWN + 3,
    "feed-atom": SHARED - NOT_SHOWN + 3,
    "section-feed": SHARED - NOT_SHOWN + 4,
    "author-feed": SHARED - NOT_SHOWN + 4,
    # Per sitemap, a count for its pages and its latest change.
    "sitemap-index": SHARED - NOT_SHOWN + 8,
    # Each sitemap: the count for its pages and the page of entries.
    "sitemap-articles": SHARED - NOT_SHOWN + 2,
    "sitemap-sections": SHARED - NOT_SHOWN + 2,
    "sitemap-authors": SHARED - NOT_SHOWN + 2,
    "sitemap-news": SHARED - NOT_SHOWN + 2,
    "about": SHARED,
    "privacy": SHARED,
    # The notes of public stories with their stories; the feeds the same, no navigation.
    "corrections": SHARED + 1,
    "corrections-feed": SHARED - NOT_SHOWN + 1,
}


def build(n: int):
    """``n`` authors (one of them an organisation, all with photos), ``n`` tags and ``n``
    stories by all of them, plus the story whose page is read."""
    section = make_section()
    make_section()
    authors = [make_author(photo=make_image()) for _ in range(n)]
    authors[0].kind = Author.Kind.ORGANISATION
    authors[0].save()
    tags = [make_tag() for _ in range(n)]
    image = make_image()
    for i in range(n):
        make_article(
            headline=f"Harbour story {i}",
            section=section,
            lead_image=image,
            authors=authors,
            tags=tags,
        )
    article = make_article(
        headline="Harbour opening",
        section=section,
        lead_image=image,
        authors=authors,
        tags=tags,
        body=EMBEDS,  # made at render time: they cost no query
    )
    article.notes.create(text="An earlier version misspelt the harbour's name.")
    popular.rank(7)  # ranked every few minutes, by whichever request finds it due
    return article, section, authors[-1], tags[-1]


def pages(article, section, author, tag) -> dict[str, str]:
    return {
        "home": "/",
        "article": article.get_absolute_url(),
        "section": section.get_absolute_url(),
        "author": author.get_absolute_url(),
        "tag": tag.get_absolute_url(),
        "search": "/search/?q=harbour",
        "feed": "/feed/",
        "feed-atom": "/feed/atom/",
        "section-feed": f"{section.get_absolute_url()}feed/",
        "author-feed": f"{author.get_absolute_url()}feed/",
        "sitemap-index": "/sitemap.xml",
        "sitemap-articles": "/sitemap-articles.xml",
        "sitemap-sections": "/sitemap-sections.xml",
        "sitemap-authors": "/sitemap-authors.xml",
        "sitemap-news": "/sitemap-news.xml",
        "about": "/about/",
        "privacy": "/privacy/",
        "corrections": "/corrections/",
        "corrections-feed": "/corrections/feed/",
    }


@pytest.mark.parametrize("n", [1, 20])
def test_every_public_page_has_a_fixed_query_budget(client, django_assert_num_queries, n):
    urls = pages(*build(n))
    assert set(urls) == set(BUDGET)
    for name, url in urls.items():
        for cache in caches.all():
            cache.clear()
        with django_assert_num_queries(BUDGET[name]):
            response = client.get(url)
        assert response.status_code == 200, name
        assert response["X-Page-Cache"] == "miss", name


@pytest.mark.parametrize("n", [1, 20])
def test_the_pages_do_show_everything_counted(client, n):
    """The budget above holds while the content really grows with ``n``."""
    article, section, author, tag = build(n)
    html = client.get(article.get_absolute_url()).text
    assert html.count('rel="author"') == n
    assert 'src="https://www.youtube-nocookie.com/embed/abcDEF12345"' in html
    assert "View this post on X" in html
    assert all(t.name in html for t in article.tags.all())
    for url in [section.get_absolute_url(), author.get_absolute_url(), tag.get_absolute_url()]:
        assert client.get(url).text.count('class="card"') == min(n + 1, 20)
    assert client.get("/search/?q=harbour").text.count("Harbour") >= min(n + 1, 20)


@pytest.mark.parametrize("n", [1, 20])
def test_with_every_cache_off_the_article_page_makes_six_queries(
    client, settings, django_assert_num_queries, n
):
    """What every reader gets while the cache is down: the navigation, the next scheduled
    story's time, the banner, the story with all it shows, Popular, Latest."""
    article, *_ = build(n)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    with django_assert_num_queries(6):
        response = client.get(article.get_absolute_url())
    assert response["X-Page-Cache"] == "off"
    assert response.text.count('rel="author"') == n
    assert "misspelt" in response.text


def test_a_fresh_render_reads_what_did_not_change_from_the_cache(client, django_assert_num_queries):
    """A new story renews every article page ("Latest Stories"); rendering one again then
    reads the story, the navigation and Popular from the cache: only Latest is read anew,
    and the next scheduled story's time (which every save forgets)."""
    article, *_ = build(3)
    client.get(article.get_absolute_url())
    make_article(headline="Another harbour story")
    with django_assert_num_queries(2):
        response = client.get(article.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assert "Another harbour story" in response.text


def test_a_cached_page_costs_no_query(client, settings, django_assert_num_queries):
    article, *_ = build(3)
    url = article.get_absolute_url()
    assert client.get(url)["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response["X-Page-Cache"] == "hit-local"  # this process's copy, checked by the clock
    settings.PAGE_CACHE_LOCAL_ENTRIES = 0
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response["X-Page-Cache"] == "hit"
