"""Site search (/search/): the same behaviour on PostgreSQL (full-text) and SQLite (plain
word match), plus the ranking that only PostgreSQL has."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import search
from articles.models import Article
from tests.factories import make_article, make_image, make_section, make_tag

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="ranking is PostgreSQL full-text search"
)


def results(client, query, **params) -> str:
    response = client.get("/search/", {"q": query, **params})
    assert response.status_code == 200
    return response.text


@pytest.mark.parametrize(
    ("fields", "query"),
    [
        ({"headline": "Jerusalem marathon draws record field"}, "marathon"),
        ({"dek": "Runners from sixty countries"}, "countries"),
        ({"body": "<p>The <strong>orchestra</strong> played on.</p>"}, "orchestra"),
    ],
)
def test_finds_words_in_headline_dek_and_body(client, fields, query):
    found = make_article(**{"headline": "Found story", **fields})
    make_article(headline="Wine harvest", body="<p>Grapes.</p>")
    html = results(client, query)
    assert f'href="{found.get_absolute_url()}"' in html
    assert found.headline in html
    assert "Wine harvest" not in html


def test_finds_tag_names_and_follows_tag_changes(client):
    story = make_article(headline="Harbour story")
    tag = make_tag(name="Seafaring")
    assert "Harbour story" not in results(client, "seafaring")
    story.tags.add(tag)
    assert "Harbour story" in results(client, "seafaring")
    tag.name = "Shipping"
    tag.save()
    assert "Harbour story" in results(client, "shipping")
    assert "Harbour story" not in results(client, "seafaring")
    story.tags.remove(tag)
    assert "Harbour story" not in results(client, "shipping")
    tag.articles.add(story)  # from the tag's side
    assert "Harbour story" in results(client, "shipping")
    tag.articles.clear()
    assert "Harbour story" not in results(client, "shipping")


def test_follows_edits_on_save(client):
    story = make_article(headline="Budget vote", body="<p>The committee met.</p>")
    story.body = "<p>The parliament met.</p>"
    story.save()
    assert "Budget vote" in results(client, "parliament")
    assert "Budget vote" not in results(client, "committee")


def test_every_word_must_match(client):
    make_article(headline="Jerusalem marathon", dek="Runners from sixty countries")
    make_article(headline="Tel Aviv marathon", dek="A quiet morning")
    html = results(client, "marathon countries")
    assert "Jerusalem marathon" in html
    assert "Tel Aviv marathon" not in html


def test_quoted_phrase(client):
    make_article(headline="Record field in the desert race")
    html = results(client, '"record field"')
    assert "Record field in the desert race" in html


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.REVIEW},
        {"status": Article.Status.UNPUBLISHED, "published_at": timezone.now()},
        {"status": Article.Status.PUBLISHED, "published_at": timezone.now() + dt.timedelta(days=1)},
    ],
    ids=["draft", "review", "unpublished", "scheduled"],
)
def test_only_published_stories_are_found(client, fields):
    make_article(headline="Hidden zeppelin story", **fields)
    make_article(headline="Public zeppelin story")
    html = results(client, "zeppelin")
    assert "Public zeppelin story" in html
    assert "Hidden zeppelin story" not in html
    assert "1 result " in html


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "!!!",
        "&|!():*<->",
        '"unclosed quote',
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "\\",
        "back\\slash\\",
        "a\x00b",
        "\x00",
        "%",
        "_",
        "x" * 5000,
        "ירושלים",
        "القدس",
    ],
)
def test_any_query_answers_a_page(client, query):
    make_article(headline="Jerusalem marathon draws record field")
    html = results(client, query)
    assert "<script>alert" not in html
    assert "\x00" not in html
    found = "Jerusalem marathon draws record field" in html
    assert (NOINDEX in html) is not found  # indexed only with results


NOINDEX = '<meta name="robots" content="noindex">'


def test_a_page_of_results_is_indexable_with_its_query_in_the_canonical_address(client):
    make_article(headline="Jerusalem marathon draws record field")
    html = results(client, "marathon")
    assert "Jerusalem marathon draws record field" in html
    assert NOINDEX not in html
    assert 'name="robots"' not in html
    assert '<link rel="canonical" href="http://testserver/search/?q=marathon">' in html


@pytest.mark.parametrize("query", ["", "zeppelin"])
def test_the_empty_box_and_a_query_without_results_are_not_indexed(client, query):
    make_article(headline="Jerusalem marathon draws record field")
    assert NOINDEX in results(client, query)


def test_a_refused_search_is_not_indexed(client, settings):
    settings.SEARCH_RATE = (1, 60)
    make_article(headline="Marathon route changes")
    assert NOINDEX not in results(client, "marathon")
    refused = client.get("/search/", {"q": "route"})
    assert refused.status_code == 429
    assert NOINDEX in refused.text


def test_nul_in_the_address_does_not_break_the_database(client):
    make_article(headline="Jerusalem marathon")
    response = client.get("/search/?q=marathon%00")
    assert response.status_code == 200
    assert "Jerusalem marathon" in response.text


def test_long_query_is_cut(client):
    response = client.get("/search/", {"q": "word " * 1000})
    assert response.status_code == 200
    assert len(response.context["query"]) <= search.MAX_QUERY_LENGTH


@pytest.mark.parametrize("word", ["ירושלים", "القدس"])
def test_finds_hebrew_and_arabic_words_in_the_body(client, word):
    make_article(headline="Capital story", body=f"<p>שלום {word} سلام.</p>")
    make_article(headline="Other story")
    html = results(client, word)
    assert "Capital story" in html
    assert "Other story" not in html
    assert f"<mark>{word}</mark>" in html


def test_snippet_highlights_matches_and_escapes_the_rest(client):
    body = (
        "<p>Tom &amp; Jerry wrote &lt;script&gt;alert(1)&lt;/script&gt; before the "
        "<em>regatta</em> started.</p>"
    )
    make_article(headline="Sailing news", body=body)
    html = results(client, "regatta")
    assert "<mark>regatta</mark>" in html
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)" in html


def test_query_is_escaped_in_the_page(client):
    make_article(headline="Quiet day")
    html = results(client, '<b onmouseover="x">quiet</b>')
    assert "<b onmouseover" not in html
    assert "&lt;b onmouseover" in html


def test_pages_and_page_past_the_end(client, settings):
    settings.LIST_PAGE_SIZE = 2
    for n in range(3):
        make_article(headline=f"Election night {n}")
    first = results(client, "election")
    assert "3 results" in first
    assert 'rel="next"' in first
    assert "?q=election&amp;page=2" in first
    assert "Election night" in results(client, "election", page=2)
    assert client.get("/search/", {"q": "election", "page": 3}).status_code == 404
    assert client.get("/search/", {"q": "election", "page": "x"}).status_code == 404


def test_query_count_does_not_grow_with_results(client, django_assert_num_queries):
    section = make_section()
    image = make_image()
    make_article(headline="Harvest festival 0", section=section, lead_image=image)
    cache.clear()  # cold, as the second measurement below
    with CaptureQueriesContext(connection) as one:
        assert "1 result " in results(client, "harvest")
    for n in range(1, 20):
        make_article(headline=f"Harvest festival {n}", section=section, lead_image=image)
    cache.clear()
    with django_assert_num_queries(len(one.captured_queries)):
        assert "20 results" in results(client, "harvest")


@postgresql_only
def test_headline_match_ranks_above_body_match(client):
    when = timezone.now() - dt.timedelta(days=2)
    make_article(
        headline="Weather report", body="<p>The olive crop was late.</p>", published_at=when
    )
    make_article(headline="Olive harvest begins", body="<p>Farmers.</p>", published_at=when)
    html = results(client, "olive")
    assert html.index("Olive harvest begins") < html.index("Weather report")


@postgresql_only
def test_newer_first_among_equal_matches(client):
    now = timezone.now()
    make_article(headline="Olive harvest old", published_at=now - dt.timedelta(days=20))
    make_article(headline="Olive harvest new", published_at=now - dt.timedelta(days=1))
    make_article(headline="Olive harvest middle", published_at=now - dt.timedelta(days=5))
    html = results(client, "olive harvest")
    positions = [html.index(f"Olive harvest {w}") for w in ("new", "middle", "old")]
    assert positions == sorted(positions)


@postgresql_only
def test_stemming_and_filter_on_the_stored_vector(client):
    make_article(headline="Marathons across the country")
    assert "Marathons across the country" in results(client, "marathon")
    plan = search.search("marathon").explain()
    assert "search_vector" in plan


# Bounds: results kept, a limit per client, a statement timeout


def test_a_repeated_query_is_answered_from_the_cache(client, django_assert_num_queries):
    make_article(headline="Marathon route changes")
    first = client.get("/search/", {"q": "marathon"})
    with django_assert_num_queries(0):
        again = client.get("/search/", {"q": "marathon"})
    assert again.status_code == 200
    assert again.content == first.content


def test_too_many_searches_from_one_address_get_a_clear_429(client, settings):
    settings.SEARCH_RATE = (3, 60)
    make_article(headline="Marathon route changes")
    for word in ("one", "two", "three"):
        assert client.get("/search/", {"q": word}).status_code == 200
    refused = client.get("/search/", {"q": "four"})
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert refused["Cache-Control"] == "private, no-store"
    assert "Too many searches" in refused.text
    assert "Please wait 60 seconds" in refused.text
    assert 'role="alert"' in refused.text
    # Nothing refused is kept: the same address gets the 429 again, not a stored copy.
    assert client.get("/search/", {"q": "four"}).status_code == 429
    # A query already answered is answered from the cache, limit or not; other pages and
    # other addresses are not limited.
    assert client.get("/search/", {"q": "one"}).status_code == 200
    assert client.get("/").status_code == 200
    assert client.get("/search/", {"q": "four"}, REMOTE_ADDR="198.51.100.3").status_code == 200


def test_the_limit_counts_the_client_behind_the_proxy(client, settings):
    settings.SEARCH_RATE = (1, 60)
    settings.TRUSTED_PROXY_COUNT = 1
    settings.FORWARDED_ALLOW_IPS = ["10.0.0.2"]
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    assert client.get("/search/", {"q": "a"}, HTTP_X_FORWARDED_FOR="203.0.113.1", **proxy)
    assert (
        client.get("/search/", {"q": "b"}, HTTP_X_FORWARDED_FOR="203.0.113.1", **proxy).status_code
        == 429
    )
    other = client.get("/search/", {"q": "b"}, HTTP_X_FORWARDED_FOR="203.0.113.2", **proxy)
    assert other.status_code == 200


@postgresql_only
def test_a_search_past_the_statement_timeout_is_cancelled_with_a_clear_503(
    client, settings, monkeypatch
):
    """A query PostgreSQL cancels at SEARCH_TIMEOUT_MS: a 503 page asking for other words,
    kept by no cache, and the connection is fine for the next request."""
    settings.SEARCH_TIMEOUT_MS = 50
    make_article(headline="Marathon route changes")
    real_search = search.search

    def slow_search(query):  # the real query, made to take a second in the database
        from django.db.models.expressions import RawSQL

        return real_search(query).filter(pk__gt=RawSQL("SELECT 0 FROM pg_sleep(1)", []))

    monkeypatch.setattr(search, "search", slow_search)
    refused = client.get("/search/", {"q": "marathon"})
    assert refused.status_code == 503
    assert "That search took too long" in refused.text
    assert refused["Cache-Control"] == "private, no-store"
    monkeypatch.setattr(search, "search", real_search)
    assert "Marathon route changes" in results(client, "marathon")
