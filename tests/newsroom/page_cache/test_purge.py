"""Telling a CDN (``newsroom.page_cache.purge``), against an HTTP server on loopback."""

import http.server
import threading

import pytest

from newsroom import page_cache
from newsroom.page_cache import purge

pytestmark = pytest.mark.django_db


class Recorder(http.server.BaseHTTPRequestHandler):
    def do_PURGE(self):
        self.server.requests.append((self.command, self.path, self.headers.get("Authorization")))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def cdn():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def paths():
    def paths_for(tags):
        return {f"/things/{tag.rpartition(':')[2]}/" for tag in tags if tag.startswith("thing:")}

    purge.on_purge(paths_for)
    yield
    purge._finders.remove(paths_for)


def test_purge_by_tag_after_the_commit(cdn, settings, django_capture_on_commit_callbacks):
    settings.CDN_PURGE_URL = f"http://127.0.0.1:{cdn.server_port}/keys/{{tag}}"
    settings.CDN_PURGE_TOKEN = "s3cret"
    with django_capture_on_commit_callbacks(execute=True):
        page_cache.invalidate("thing:1", "list:a/b")
        assert cdn.requests == []  # nothing before the commit
    assert sorted(cdn.requests) == [
        ("PURGE", "/keys/list%3Aa%2Fb", "Bearer s3cret"),
        ("PURGE", "/keys/thing%3A1", "Bearer s3cret"),
    ]


def test_purge_by_the_paths_apps_name(cdn, settings, paths, django_capture_on_commit_callbacks):
    settings.CDN_PURGE_URL = f"http://127.0.0.1:{cdn.server_port}/purge{{path}}"
    with django_capture_on_commit_callbacks(execute=True):
        page_cache.invalidate("thing:1", "thing:2", "other")
    assert {path for _, path, _ in cdn.requests} == {"/purge/things/1/", "/purge/things/2/"}


def test_a_cdn_that_does_not_answer_is_logged_and_the_write_stands(
    settings, caplog, django_capture_on_commit_callbacks
):
    settings.CDN_PURGE_URL = "http://127.0.0.1:9/purge/{tag}"  # the discard port: refused
    with django_capture_on_commit_callbacks(execute=True):
        page_cache.invalidate("thing:1")
    assert "CDN purge of http://127.0.0.1:9/purge/thing%3A1 failed" in caplog.text


def test_no_purge_url_no_purge(cdn, settings, django_capture_on_commit_callbacks):
    settings.CDN_PURGE_URL = ""
    with django_capture_on_commit_callbacks(execute=True):
        page_cache.invalidate("thing:1")
    assert cdn.requests == []
