"""The nginx front (deploy/nginx/, newsroom/front.py) in front of gunicorn, as `make front`
runs them: Debian's nginx on a free loopback port, gunicorn with 2 workers behind it trusting
its forwarded headers, the page cache in the tests' own Redis, an SQLite file shared with the
test's editing process. What is checked: the microcache keeps what the app marks public for
a second and nothing else, an edit is on every page within a second, the client's address and
scheme are the ones nginx saw, HTML is compressed and keeps its ETag (a 304 comes through),
static files are served by nginx, and no answer names its software's version."""

import gzip
import json
import os
import re
import secrets
import subprocess
import sys
import time

import pytest

from tests.helpers import ROOT, collect_static, get, gunicorn, nginx_front

STORY = "/news/front-story/"
PAGES = ("/", STORY, "/section/world/")
SEED = """
import django; django.setup()
from tests.factories import make_article, make_section
world = make_section(name="World", slug="world")
make_article(headline="Front story", slug="front-story", section=world)
"""
EDIT = """
import sys, time, django; django.setup()
from articles.models import Article
story = Article.objects.get(slug="front-story")
story.headline = sys.argv[1]
story.save()
print(time.time())
"""


def app_environment(tmp, redis_url) -> dict:
    return {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "REDIS_URL": redis_url,
        "REDIS_TIMEOUT": "1",
        "STATIC_ROOT": str(tmp / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        # As behind the front in production: the proxy is believed, and only the proxy.
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
        "TRUSTED_PROXY_COUNT": "1",
        "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory, redis_server):
    tmp = tmp_path_factory.mktemp("front")
    env = app_environment(tmp, redis_server.url.replace("/0", "/3"))
    collect_static(env)
    collect_static(env, ("migrate", "--no-input", "-v0"))
    seed = subprocess.run(
        [sys.executable, "-c", SEED], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert seed.returncode == 0, seed.stderr
    log = tmp / "gunicorn.log"
    with (
        gunicorn(env, log, workers=2) as app_port,
        nginx_front(tmp / "nginx", app_port, tmp / "static", tmp / "media") as port,
    ):
        yield {"port": port, "app_port": app_port, "env": env, "log": log, "tmp": tmp}


def cache_status(site, path, headers=None):
    status, response_headers, body = get(site["port"], path, headers)
    return status, response_headers.get("X-Front-Cache"), response_headers, body


def until_kept(site, path):
    """Ask until the front answers from its cache (bounded): a page is stored by its first
    answer, or by the one after if it expired in between."""
    for _ in range(20):
        status, state, _, _ = cache_status(site, path)
        assert status == 200
        if state == "HIT":
            return
    pytest.fail(f"{path} was never answered from the front's cache")


def test_a_public_page_is_kept_for_a_second_then_renewed(site):
    assert cache_status(site, STORY)[1] in {"MISS", "EXPIRED", "STALE", "UPDATING"}
    until_kept(site, STORY)
    time.sleep(1.3)
    # Expired: this answer is the old copy, served while a request of nginx's own renews it
    # (proxy_cache_background_update), never a wait for gunicorn.
    status, state, _, _ = cache_status(site, STORY)
    assert status == 200
    assert state in {"STALE", "UPDATING"}
    # And the renewed copy is kept in turn.
    until_kept(site, STORY)


def test_nothing_private_is_kept(site):
    # A logged-in editor's request (any session cookie) is never answered from the cache.
    until_kept(site, STORY)
    for _ in range(3):
        assert cache_status(site, STORY, {"Cookie": "sessionid=x"})[1] == "BYPASS"
    # The admin's login sets a cookie and is private: passed on every time, never kept.
    for _ in range(3):
        status, state, headers, _ = cache_status(site, "/admin/login/")
        assert status == 200
        assert "csrftoken" in headers.get("Set-Cookie", "")
        assert state is None  # the admin's location has no cache at all
    # Errors and refusals are not kept either.
    for _ in range(3):
        status, state, _, _ = cache_status(site, "/news/no-such-story/")
        assert status == 404
        assert state != "HIT"


def test_an_edit_is_on_every_page_within_a_second(site):
    """Every page kept by the front (and the app's page cache), then the story edited by
    another process: each page shows the new headline within the second its front copy
    lives, plus the render that renews it."""
    for path in PAGES:
        until_kept(site, path)
    headline = f"Front story corrected {secrets.token_hex(3)}"
    edit = subprocess.Popen(
        [sys.executable, "-c", EDIT, headline],
        cwd=ROOT,
        env=site["env"],
        stdout=subprocess.PIPE,
        text=True,
    )
    seen, states, deadline = {}, {}, time.monotonic() + 60
    while len(seen) < len(PAGES) and time.monotonic() < deadline:
        for path in PAGES:
            if path in seen:
                continue
            asked = time.time()
            _, headers, body = get(site["port"], path)
            if headline.encode() in body:
                seen[path] = asked
                states[path] = (headers.get("X-Front-Cache"), headers.get("X-Page-Cache"))
        time.sleep(0.02)
    out, _ = edit.communicate(timeout=60)
    committed = float(out.split()[-1])
    lags = {path: round(seen[path] - committed, 3) for path in seen}
    # What one render of each page costs here (gunicorn alone, the page cache passed by): the
    # front's copy lives a second, then the first request after renews it with one render.
    renders = {}
    for path in PAGES:
        started = time.perf_counter()
        get(site["app_port"], path, {"Cookie": "sessionid=x"})
        renders[path] = round(time.perf_counter() - started, 3)
    print(f"\nedit committed; seen through the front after (s): {json.dumps(lags)}")
    print(f"one render of each page (s): {json.dumps(renders)}; first seen as {states}")
    assert set(seen) == set(PAGES), f"not every page showed the edit: {lags}"
    for path in PAGES:
        assert lags[path] <= 1.0 + 2 * renders[path] + 0.2, (path, lags, renders)


def test_client_address_scheme_and_banner(site):
    status, _, headers, body = cache_status(
        site,
        "/about/",
        {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.66"},
    )
    assert status == 200
    # The scheme is the one nginx saw (plain HTTP), whatever the client claimed.
    assert "Strict-Transport-Security" not in headers
    assert b'rel="canonical" href="http://127.0.0.1' in body
    # No banner at all (neither nginx nor gunicorn); the app's headers come through.
    assert "Server" not in headers
    assert headers["Permissions-Policy"].startswith("accelerometer=()")
    # The client's address is appended by nginx: the app (TRUSTED_PROXY_COUNT=1) reads the
    # last entry, the one nginx wrote, not the one the client made up.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        lines = [json.loads(line) for line in site["log"].read_text().splitlines()]
        mine = [line for line in lines if line.get("path") == "/about/"]
        if mine:
            break
        time.sleep(0.05)
    assert mine[-1]["forwarded_for"] == "203.0.113.66, 127.0.0.1"
    assert mine[-1]["remote_addr"] == "127.0.0.1"


def test_html_is_compressed_and_static_files_come_from_nginx(site):
    status, headers, body = get(site["port"], STORY, {"Accept-Encoding": "gzip, br"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert b"Front story" in gzip.decompress(body) or b"corrected" in gzip.decompress(body)
    manifest = json.loads((site["tmp"] / "static" / "staticfiles.json").read_text())["paths"]
    hashed = manifest["css/site.css"]
    assert re.search(r"\.[0-9a-f]{12}\.css$", hashed)
    status, headers, body = get(site["port"], f"/static/{hashed}", {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Cache-Control"] == "public, max-age=315360000, immutable"
    assert headers["Content-Encoding"] == "gzip"
    assert "X-Front-Cache" not in headers  # from disk, not through gunicorn
    assert "Server" not in headers
    # nginx's own error pages name no software or version either.
    status, headers, body = get(site["port"], "/static/no-such-file.css")
    assert status == 404
    assert "Server" not in headers
    assert b"nginx/" not in body


def test_gunicorn_alone_names_no_software(site):
    _, headers, _ = get(site["app_port"], "/healthz")
    assert headers.get("Server", "") == ""


def test_compressed_html_keeps_its_etag_and_answers_304(site):
    """A compressed page through the front still carries its validator (the page cache's
    ETag for the gzip copy, which nginx neither weakens nor drops, as it compresses nothing
    the app already did), and a browser that sends it back gets a 304 without the page: from
    the front's copy, and again once that copy has expired and is renewed. A client that
    takes no compression gets plain HTML with a validator of its own."""
    until_kept(site, STORY)
    gzip_only = {"Accept-Encoding": "gzip, br"}
    status, headers, body = get(site["port"], STORY, gzip_only)
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Vary"] == "Accept-Encoding"
    etag = headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}-gzip"', etag)
    assert b"</html>" in gzip.decompress(body)
    for _ in range(2):
        status, headers, body = get(site["port"], STORY, {**gzip_only, "If-None-Match": etag})
        assert status == 304, headers
        assert body == b""
        assert headers["ETag"] == etag
        time.sleep(1.1)  # past the front's second
    status, headers, body = get(site["port"], STORY)
    assert status == 200
    assert "Content-Encoding" not in headers
    assert b"</html>" in body
    plain = headers["ETag"]
    assert plain == etag.replace("-gzip", "")
    status, _, body = get(site["port"], STORY, {"If-None-Match": plain})
    assert (status, body) == (304, b"")
    # A validator for the other encoding is not this copy's: the whole page comes.
    status, _, body = get(site["port"], STORY, {"If-None-Match": etag})
    assert status == 200
    assert b"</html>" in body
