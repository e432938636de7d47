"""``PageCacheMiddleware``: a hit answered ahead of everything, with the headers the rest of
the stack set on the page it stored."""

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("any_cache")]

SECURITY_HEADERS = [
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
]


def test_a_hit_carries_the_headers_the_other_middleware_set_on_the_stored_page(client):
    first = client.get("/plain/")
    second = client.get("/plain/")
    assert second["X-Page-Cache"] in {"hit", "hit-local"}
    for name in SECURITY_HEADERS:
        assert second[name] == first[name], name
    assert "nonce-" not in second["Content-Security-Policy"]


def test_other_methods_and_addresses_go_through(client):
    assert client.post("/plain/").status_code == 200
    assert "X-Page-Cache" not in client.post("/plain/")
    response = client.get("/not-public/")
    assert response.content == b"not a public page"
    assert "X-Page-Cache" not in response


def test_plain_http_to_be_redirected_is_left_to_the_security_middleware(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/plain/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_without_the_middleware_a_public_page_is_rendered_and_marked_so(client, settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "page_cache" not in m]
    response = client.get("/plain/", headers={"accept-encoding": "gzip"})
    assert response["X-Page-Cache"] == "off"
    assert response["Content-Encoding"] == "gzip"
    assert response["Cache-Control"].startswith("public")
