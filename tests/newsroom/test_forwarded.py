"""Forwarded headers are believed only from the proxies FORWARDED_ALLOW_IPS names
(newsroom/forwarded.py): from anyone else, X-Forwarded-Proto makes nothing HTTPS and
X-Forwarded-For chooses no address."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from newsroom.forwarded import from_named_proxy

NGINX = "127.0.0.1"
STRANGER = "203.0.113.50"


@pytest.fixture
def behind_nginx(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 3600
    settings.TRUSTED_PROXY_COUNT = 1
    settings.FORWARDED_ALLOW_IPS = [NGINX]
    return settings


@pytest.mark.django_db
@pytest.mark.parametrize(("peer", "believed"), [(NGINX, True), (STRANGER, False)])
def test_https_is_believed_from_the_named_proxy_only(client, behind_nginx, peer, believed):
    response = client.get("/about/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR=peer)
    if believed:
        assert response.status_code == 200
        assert "Strict-Transport-Security" in response.headers
    else:
        # Plain HTTP, as it is: sent to HTTPS, and no HSTS over plain HTTP.
        assert response.status_code == 301
        assert response["Location"] == "https://testserver/about/"
        assert "Strict-Transport-Security" not in response.headers


@pytest.mark.django_db
@pytest.mark.parametrize(("peer", "second"), [(NGINX, 200), (STRANGER, 429)])
def test_the_client_address_is_believed_from_the_named_proxy_only(
    client, behind_nginx, settings, peer, second
):
    """One search a minute per client: through nginx, two clients get one each; a stranger
    writing a new X-Forwarded-For each time is still one client, its own address."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SEARCH_RATE = (1, 60)
    first = client.get(
        "/search/", {"q": "a"}, HTTP_X_FORWARDED_FOR="198.51.100.1", REMOTE_ADDR=peer
    )
    again = client.get(
        "/search/", {"q": "b"}, HTTP_X_FORWARDED_FOR="198.51.100.2", REMOTE_ADDR=peer
    )
    assert (first.status_code, again.status_code) == (200, second)


@pytest.mark.parametrize(
    ("allowed", "peer", "expected"),
    [
        ([], NGINX, False),
        (["127.0.0.1"], "127.0.0.1", True),
        (["127.0.0.1"], "127.0.0.2", False),
        (["10.0.0.0/8", "::1"], "10.20.30.40", True),
        (["10.0.0.0/8", "::1"], "::1", True),
        (["10.0.0.0/8"], "2001:db8::1", False),
        (["*"], STRANGER, True),
        (["127.0.0.1"], "", False),  # no peer address: nothing to believe
        (["127.0.0.1"], "not an address", False),
    ],
)
def test_which_peers_are_named(allowed, peer, expected):
    assert from_named_proxy(peer, allowed) is expected


def test_a_bad_entry_is_named():
    with pytest.raises(ImproperlyConfigured, match=r"FORWARDED_ALLOW_IPS holds 'proxy\.internal'"):
        from_named_proxy(NGINX, ["proxy.internal"])
