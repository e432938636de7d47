"""Whole pages (``newsroom.page_cache.pages``): what readers get, compressed or not, what is
kept, and what a bump does; with the cache in local memory and in the tests' own Redis."""

import gzip
import time

import pytest
from django.contrib.auth.models import User

from newsroom import page_cache
from newsroom.page_cache import pages
from newsroom.page_cache.store import store
from tests.newsroom.page_cache import site

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("any_cache")]

HIT = {"hit", "hit-local"}


def test_a_page_is_rendered_once_then_answered_from_the_cache(client, settings):
    first = client.get("/plain/")
    assert first["X-Page-Cache"] == "miss"
    second = client.get("/plain/")
    assert second["X-Page-Cache"] in HIT
    assert second.content == first.content
    assert site.RENDERS["plain"] == 1
    assert second["Cache-Control"] == (
        f"public, max-age={settings.PAGE_BROWSER_SECONDS}, s-maxage={settings.PAGE_CDN_SECONDS}, "
        f"stale-while-revalidate={settings.PAGE_STALE_SECONDS}"
    )
    assert second["Surrogate-Key"] == "thing:1"  # the page cache's own tag is not shown
    assert second["ETag"] == first["ETag"]
    assert second["Last-Modified"] == first["Last-Modified"]
    assert second["Content-Length"] == str(len(second.content))
    assert second["Vary"] == "Accept-Encoding"
    assert not second.cookies


def test_without_its_local_copies_a_process_answers_from_the_shared_cache(client, settings):
    settings.PAGE_CACHE_LOCAL_ENTRIES = 0
    client.get("/plain/")
    assert client.get("/plain/")["X-Page-Cache"] == "hit"


def test_invalidating_a_tag_the_page_shows_renders_it_again(client):
    client.get("/plain/")
    page_cache.invalidate("thing:2")  # not shown there
    assert client.get("/plain/")["X-Page-Cache"] in HIT
    page_cache.invalidate("thing:1")
    response = client.get("/plain/")
    assert response["X-Page-Cache"] == "miss"
    assert b"render 2" in response.content


def test_pages_are_compressed_once_for_clients_that_take_gzip(client, monkeypatch):
    compressed = []
    real = pages.gzip.compress
    monkeypatch.setattr(
        pages.gzip, "compress", lambda data, **kw: compressed.append(1) or real(data, **kw)
    )
    plain = client.get("/plain/")
    for _ in range(3):
        answer = client.get("/plain/", headers={"accept-encoding": "br, gzip;q=0.8"})
        assert answer["Content-Encoding"] == "gzip"
        assert gzip.decompress(answer.content) == plain.content
        assert answer["Content-Length"] == str(len(answer.content)) < str(len(plain.content))
        assert answer["ETag"] == plain["ETag"][:-1] + '-gzip"'
        assert answer["Vary"] == "Accept-Encoding"
    assert compressed == [1]  # when the page was stored, not per answer
    assert "Content-Encoding" not in client.get("/plain/", headers={"accept-encoding": "br"})
    refused = client.get("/plain/", headers={"accept-encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused


def test_a_tiny_page_is_not_compressed(client):
    response = client.get("/tiny/", headers={"accept-encoding": "gzip"})
    assert response.content == b"tiny"
    assert "Vary" not in response


@pytest.mark.parametrize(
    ("header", "takes"),
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("GZIP;q=0.5", True),
        ("*", True),
        ("br, *;q=0.1", True),
        ("gzip;q=0", False),
        ("*;q=0", False),
        ("gzip;q=0, *", False),
        ("identity", False),
        ("", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_accept_encoding(rf, header, takes):
    assert pages.accepts_gzip(rf.get("/", headers={"accept-encoding": header})) is takes


@pytest.mark.parametrize("encoding", ["", "gzip"])
def test_a_reader_with_the_current_copy_gets_304(client, encoding):
    first = client.get("/plain/", headers={"accept-encoding": encoding})
    etag = first["ETag"]
    again = client.get("/plain/", headers={"accept-encoding": encoding, "if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert again["Cache-Control"].startswith("public")
    by_date = client.get("/plain/", headers={"if-modified-since": first["Last-Modified"]})
    assert by_date.status_code == 304
    assert client.get("/plain/", headers={"if-none-match": '"other"'}).status_code == 200


def test_the_other_encodings_etag_is_not_this_ones(client):
    plain = client.get("/plain/")
    # A client that has the uncompressed copy and now takes gzip gets the compressed one.
    answer = client.get(
        "/plain/", headers={"accept-encoding": "gzip", "if-none-match": plain["ETag"]}
    )
    assert answer.status_code == 200
    assert answer["Content-Encoding"] == "gzip"


def test_only_the_parameters_a_page_reads_are_part_of_its_key(client):
    client.get("/query/?q=harbour")
    assert client.get("/query/?q=harbour&utm_source=mail&next=x")["X-Page-Cache"] in HIT
    assert client.get("/query/?q=storm")["X-Page-Cache"] == "miss"
    assert client.get("/plain/?page=2")["X-Page-Cache"] == "miss"
    assert client.get("/plain/?page=3")["X-Page-Cache"] in HIT  # /plain/ reads no parameter


def test_a_parameter_read_once_and_found_twice_redirects_to_one_answer(client):
    """The poisoning: /query/?q=israel&q=SITE+HACKED must never be stored as /query/?q=israel."""
    client.get("/query/?q=israel")
    response = client.get("/query/?q=israel&q=SITE+HACKED&utm_source=x")
    assert response.status_code == 301
    assert response["Location"] == "/query/?q=israel"
    assert "SITE HACKED" not in client.get("/query/?q=israel").text
    assert client.get("/query/?page=2&q=a&page=3")["Location"] == "/query/?q=a&page=2"


def test_the_canonical_link_carries_only_what_the_page_reads(client):
    html = client.get("/query/?next=https://evil.example/&q=harbour&page=2").text
    assert '<link rel="canonical" href="http://testserver/query/?q=harbour&amp;page=2">' in html
    assert "evil.example" not in html
    # ...and the stored copy is the one every address of the page shares.
    assert "evil" not in client.get("/query/?q=harbour&page=2").text


def test_a_logged_in_user_gets_a_fresh_private_page_and_changes_nothing(client):
    client.get("/plain/")
    staff = User.objects.create_user("editor", password="a-long-password")
    other = type(client)()
    other.force_login(staff)
    response = other.get("/plain/")
    assert response["Cache-Control"] == "private, no-store"
    assert "X-Page-Cache" not in response
    assert "Surrogate-Key" not in response
    assert site.RENDERS["plain"] == 2
    assert client.get("/plain/")["X-Page-Cache"] in HIT


def test_errors_redirects_and_cookies_are_never_kept(client):
    for _ in range(2):
        assert client.get("/missing/").status_code == 404
    assert "X-Page-Cache" not in client.get("/missing/")
    response = client.get("/cookie/")
    assert response.cookies["chosen"].value == "1"
    assert "X-Page-Cache" not in response
    assert "public" not in response.get("Cache-Control", "")


def test_a_page_that_changes_by_itself_is_kept_no_longer(client, settings):
    response = client.get("/ranked/")
    s_maxage = int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0])
    assert 25 < s_maxage <= 30 < settings.PAGE_CDN_SECONDS


# An edit under load: one process renders, the others answer with their copy -----------------


def test_a_page_gone_stale_just_now_is_answered_stale_while_one_renders_it(client, settings):
    settings.PAGE_CACHE_LOCAL_ENTRIES = 0
    client.get("/plain/")
    page_cache.invalidate("thing:1")
    key = pages.page_key(client.get("/plain/").wsgi_request, ())  # this one renders it anew
    assert site.RENDERS["plain"] == 2
    page_cache.invalidate("thing:1")
    store().add(f"{key}:rendering", True, 1)  # another process is rendering it now
    stale = client.get("/plain/")
    assert stale["X-Page-Cache"] == "stale"
    assert b"render 2" in stale.content
    assert site.RENDERS["plain"] == 2


def test_a_page_gone_stale_over_a_second_ago_is_never_answered_stale(client, settings):
    settings.PAGE_CACHE_LOCAL_ENTRIES = 0
    key = pages.page_key(client.get("/plain/").wsgi_request, ())
    found = store()
    fresh_at = found.clock()
    page_cache.invalidate("thing:1")
    # The bumps since were more than a second ago (their recorded times, as a reader reads
    # them), and another process holds the lock to render it:
    long_ago = int((time.time() - 1.5) * 1000)
    found.write({f"bumped:{v}": long_ago for v in range(fresh_at + 1, found.clock() + 1)}, 60)
    found.add(f"{key}:rendering", True, 1)
    response = client.get("/plain/")
    assert response["X-Page-Cache"] == "miss"
    assert site.RENDERS["plain"] == 2
