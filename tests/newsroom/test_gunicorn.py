"""gunicorn with gunicorn.conf.py, as production runs it: it starts, answers the probes over
plain HTTP with production settings, serves collected static files with hashed names,
compression and a far-future Cache-Control, and logs JSON lines (one per request) on stdout."""

import json
import os
import secrets
import time
from pathlib import Path

import pytest

from tests.helpers import collect_static, get, gunicorn

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn on a free loopback port with the production defaults (HTTPS redirect, HSTS,
    secure cookies) behind a proxy that says https, on an SQLite file, with static files
    collected as a release does. Yields the port and a function returning stdout so far."""
    tmp = tmp_path_factory.mktemp("gunicorn")
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "news.example.com",
        "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
        "FORWARDED_ALLOW_IPS": "127.0.0.1",  # the test's requests stand for nginx's
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
    }
    collect_static(env)
    stdout = tmp / "stdout.log"
    with gunicorn(env, stdout) as port:
        yield port, stdout.read_text, tmp


def log_lines(read, *wanted) -> list[dict]:
    """Every line of stdout, each of which must be one JSON object, once an access line for
    each of ``wanted`` (a predicate on a line) is there; each is written just after its
    response, by whichever worker answered it (bounded)."""
    deadline = time.monotonic() + 10
    while True:
        lines = [json.loads(line) for line in read().splitlines()]
        access = [line for line in lines if line["logger"] == "gunicorn.access"]
        if all(any(match(line) for line in access) for match in wanted):
            return lines
        if time.monotonic() > deadline:
            pytest.fail(f"not every access line came:\n{read()}")
        time.sleep(0.02)


def test_probes_answer_over_plain_http_with_any_host(server):
    port, _, _ = server
    # A balancer's probe: plain HTTP, the server's address as Host.
    status, headers, body = get(port, "/healthz", {"Host": "10.0.3.7:8000"})
    assert (status, body) == (200, b"ok\n")
    assert "no-store" in headers["Cache-Control"]
    status, _, body = get(port, "/readyz", {"Host": "10.0.3.7:8000"})
    assert status == 200
    assert json.loads(body) == {"database": "ok", "cache": "ok"}
    # Anything else over plain HTTP is sent to HTTPS.
    status, headers, _ = get(port, "/about/", {"Host": "news.example.com"})
    assert status == 301
    assert headers["Location"] == "https://news.example.com/about/"


def test_static_files_have_hashed_names_compression_and_far_future_caching(server):
    port, _, tmp = server
    manifest = json.loads((tmp / "static" / "staticfiles.json").read_text())["paths"]
    hashed = manifest["css/site.css"]
    assert hashed != "css/site.css"
    proxy = {"Host": "news.example.com", "X-Forwarded-Proto": "https"}

    status, headers, _ = get(port, f"/static/{hashed}", {**proxy, "Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Cache-Control"] == "max-age=315360000, public, immutable"
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_one_json_line_per_request_with_its_time(server):
    port, read, _ = server
    probe_headers = {"User-Agent": 'probe "quoted" \\ back', "X-Forwarded-For": "198.51.100.9"}
    get(port, "/healthz?probe=1", probe_headers)
    get(port, '/no"such\\page/%0Aline', {"Host": "news.example.com"})

    lines = log_lines(
        read, lambda line: line["query"] == "probe=1", lambda line: line["path"].startswith("/no")
    )
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    (probe,) = [line for line in access if line["query"] == "probe=1"]
    assert probe["method"] == "GET"
    assert probe["path"] == "/healthz"
    assert probe["status"] == 200
    assert probe["bytes"] == 3
    assert isinstance(probe["duration_ms"], int)
    assert probe["remote_addr"] == "127.0.0.1"
    assert probe["forwarded_for"] == "198.51.100.9"
    assert probe["user_agent"] == 'probe "quoted" \\ back'
    assert probe["time"].endswith("+00:00")
    # Quotes, backslashes and an encoded newline in the path stay inside one line.
    (odd,) = [line for line in access if line["path"].startswith("/no")]
    assert odd["path"] == '/no"such\\page/\nline'
    assert odd["status"] == 301
    # gunicorn's own messages are JSON lines too.
    assert any(
        line["logger"] == "gunicorn.error" and "Booting worker" in line["message"] for line in lines
    )


def migrated_site(tmp_path, **settings) -> dict:
    """Production mode on a migrated SQLite file with the static files collected, plus
    ``settings``: the environment for gunicorn."""
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        **settings,
    }
    collect_static(env)
    collect_static(env, ("migrate", "--no-input", "-v0"))
    return env


def test_no_banner_and_no_https_believed_from_an_unnamed_proxy(tmp_path):
    """As `make serve` runs it (no SECURE_PROXY_SSL_HEADER, no FORWARDED_ALLOW_IPS): a client
    on 127.0.0.1 saying `X-Forwarded-Proto: https` over plain HTTP gets no https:// addresses
    and no HSTS header, and no answer names the server's software."""
    env = migrated_site(
        tmp_path, SECURE_SSL_REDIRECT="0", SESSION_COOKIE_SECURE="0", CSRF_COOKIE_SECURE="0"
    )
    with gunicorn(env, tmp_path / "stdout.log") as port:
        for path in ("/about/", "/healthz", "/no-such-page/"):
            status, headers, body = get(port, path, {"X-Forwarded-Proto": "https"})
            assert "gunicorn" not in headers.get("Server", "").lower(), path
            assert "Strict-Transport-Security" not in headers, path
        status, headers, body = get(port, "/about/", {"X-Forwarded-Proto": "https"})
        assert status == 200
        assert b'rel="canonical" href="http://127.0.0.1' in body
        assert b"https://127.0.0.1" not in body
        assert headers["Permissions-Policy"].startswith("accelerometer=()")


def test_a_client_past_the_proxy_cannot_claim_https(tmp_path):
    """The documented production settings (SECURE_PROXY_SSL_HEADER, TRUSTED_PROXY_COUNT) with
    nginx on another host (FORWARDED_ALLOW_IPS=192.0.2.10): a client that reaches gunicorn
    directly and says `X-Forwarded-Proto: https` is on plain HTTP all the same, so it is sent
    to HTTPS and gets no HSTS."""
    env = migrated_site(
        tmp_path,
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
        TRUSTED_PROXY_COUNT="1",
        FORWARDED_ALLOW_IPS="192.0.2.10",
    )
    with gunicorn(env, tmp_path / "stdout.log") as port:
        status, headers, _ = get(port, "/about/", {"X-Forwarded-Proto": "https"})
        assert status == 301
        assert headers["Location"] == f"https://127.0.0.1:{port}/about/"
        assert "Strict-Transport-Security" not in headers
