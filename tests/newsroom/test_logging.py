"""The log: JSON lines on stdout, and a server error as exactly one line with its traceback."""

import contextlib
import io
import json
import logging
import sys

import pytest
from django.conf import settings
from django.urls import path

from newsroom.jsonlog import JSONFormatter


def boom(request):
    raise RuntimeError("the printing press jammed\nsecond line of the message")


urlpatterns = [path("boom/", boom)]


@contextlib.contextmanager
def stdout_log():
    """What the root logger's handler writes (the one LOGGING sends to stdout)."""
    assert settings.LOGGING["handlers"]["stdout"]["stream"] == "ext://sys.stdout"
    (handler,) = (h for h in logging.getLogger().handlers if h.name == "stdout")
    captured = io.StringIO()
    previous = handler.setStream(captured)
    try:
        yield captured
    finally:
        handler.setStream(previous)


def test_a_record_is_one_json_line_with_its_traceback():
    try:
        raise ValueError("bad value")
    except ValueError:
        record = logging.LogRecord(
            "articles.tasks", logging.ERROR, __file__, 1, "Task %s failed", ("x",), sys.exc_info()
        )
    line = JSONFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "articles.tasks"
    assert entry["message"] == "Task x failed"
    assert entry["time"].endswith("+00:00")
    assert entry["exception"].startswith("Traceback (most recent call last):")
    assert entry["exception"].endswith("ValueError: bad value")


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_server_error_is_logged_once_as_one_json_line(client):
    client.raise_request_exception = False
    with stdout_log() as log:
        response = client.get("/boom/?page=2")
    assert response.status_code == 500

    lines = log.getvalue().splitlines()
    assert len(lines) == 1, lines
    entry = json.loads(lines[0])
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "django.request"
    assert entry["message"] == "Internal Server Error: /boom/"
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/boom/", 500)
    assert "Traceback (most recent call last):" in entry["exception"]
    assert entry["exception"].endswith(
        "RuntimeError: the printing press jammed\nsecond line of the message"
    )


@pytest.mark.django_db
def test_a_not_found_page_adds_no_line(client):
    """The request itself is in gunicorn's access log; a 404 is not an error."""
    with stdout_log() as log:
        assert client.get("/no-such-page/").status_code == 404
    assert log.getvalue() == ""
