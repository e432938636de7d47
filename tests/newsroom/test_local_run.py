"""`make run` keeps its word: the address follows HOST and PORT, a README command works as
written, every change shows on the next request even when another process made it, mail
lands in the outbox, and the log is for a person to read."""

import json
import os
import re
import shlex
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]
STORY = """---
title: "{title}"
status: published
published: 2026-11-30T10:00:00+02:00
section: "All Israel"
authors:
  - name: "All Israel News Staff"
---
A story imported from the command line while the development server runs.
"""


def local_env(tmp_path, **extra) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "LOCAL_CACHE", "EMAIL_BACKEND"}
        and not key.startswith(("PYTEST", "DJANGO_SETTINGS"))
    }
    env.update(
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        OUTBOX_DIR=str(tmp_path / "outbox"),
    )
    env.update(extra)
    return env


def manage(env, *args, check=True, python=sys.executable, timeout=120):
    return subprocess.run(
        [python, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=check,
    )


def settings_in(env, expression: str):
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps({expression}, default=str))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "newsroom.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


def test_without_secret_key_manage_py_says_so_in_one_line(tmp_path):
    env = local_env(tmp_path)
    del env["DEBUG"]
    done = manage(env, "import_articles", "articles/demo/stories", check=False)
    assert done.returncode != 0
    assert done.stderr.strip() == (
        "manage.py: SECRET_KEY is required when DEBUG is off. Set SECRET_KEY, or DEBUG=1 for "
        "local use."
    )
    assert "Traceback" not in done.stderr


CHOSEN = (
    "[settings.CACHES['default']['BACKEND'], settings.MAILERS['default']['BACKEND'], "
    "settings.LOG_FORMAT]"
)


def test_local_defaults_and_production_defaults(tmp_path):
    local = settings_in(
        local_env(tmp_path),
        CHOSEN,
    )
    assert local == [
        "django.core.cache.backends.dummy.DummyCache",
        "newsroom.outbox.EmailBackend",
        "text",
    ]
    production = settings_in(
        local_env(tmp_path, DEBUG="0", SECRET_KEY="x" * 50),
        CHOSEN,
    )
    assert production == [
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.mail.backends.console.EmailBackend",
        "json",
    ]


def test_make_run_passes_the_address_it_serves(tmp_path):
    done = subprocess.run(
        ["make", "-n", "run", "PORT=8130"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert "SITE_URL=http://127.0.0.1:8130 " in done.stdout
    assert "runserver 127.0.0.1:8130" in done.stdout
    assert ":8000" not in done.stdout


def get(url: str) -> tuple[dict, str]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
        return dict(response.headers), response.read().decode()


def test_under_runserver_an_import_in_another_process_shows_on_the_next_request(tmp_path):
    port = free_port()
    site = f"http://127.0.0.1:{port}"
    env = local_env(tmp_path, SITE_URL=site)
    manage(env, "migrate", "--no-input", "-v0")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for _ in range(100):
            try:
                headers, home = get(f"{site}/")
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("runserver did not answer")
        assert "first story" not in home
        for title in ("The first story", "The second story"):
            story = tmp_path / f"{title[4:9]}.md"
            story.write_text(STORY.format(title=title))
            manage(env, "import_articles", str(story))
            headers, home = get(f"{site}/")
            assert title in home
        assert headers["X-Page-Cache"] == "off"
        # A signup's confirmation lands in the outbox, its links at the address served.
        request = urllib.request.Request(  # noqa: S310 - loopback
            f"{site}/newsletter/subscribe/", data=b"email=reader%40example.com", method="POST"
        )
        urllib.request.urlopen(request, timeout=10).read()  # noqa: S310 - loopback
        (mail,) = (tmp_path / "outbox").glob("*.eml")
        assert f"{site}/newsletter/confirm/" in mail.read_text()
    finally:
        server.terminate()
        log = server.communicate(timeout=10)[0]
    # The log is for a person: plain lines, not JSON.
    request_lines = [line for line in log.splitlines() if '"GET / HTTP/1.1" 200' in line]
    assert request_lines
    assert all(" INFO " in line and not line.startswith("{") for line in request_lines)


def readme_block(heading: str, language: str, nth: int = 0) -> str:
    section = (ROOT / "README.md").read_text().split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"```{language}\n(.*?)```", section, re.S)[nth]


def test_the_readme_wordpress_commands_work_as_written(tmp_path):
    """The three lines of "Moving in from WordPress", run as a newcomer would beside
    `make run` (a migrated database), with a small export, its uploads folder and the README's
    own mapping file."""
    env = local_env(tmp_path)
    manage(env, "migrate", "--no-input", "-v0")
    (tmp_path / "map.yaml").write_text(readme_block("## Moving in from WordPress", "yaml"))
    uploads = tmp_path / "wp-content" / "uploads"
    uploads.mkdir(parents=True)
    export = ROOT / "tests" / "articles" / "wordpress" / "site.xml"
    paths = {  # the README's names for the files, and the test's
        "EXPORT.xml": str(export),
        "map.yaml": str(tmp_path / "map.yaml"),
        "wp-content/uploads": str(uploads),
    }
    lines = [
        line.split("   #")[0]
        for line in readme_block("## Moving in from WordPress", "sh").splitlines()
        if line.strip()
    ]
    assert len(lines) == 3
    for line in lines:
        words = shlex.split(line)
        assert words[:3] == ["DEBUG=1", ".venv/bin/python", "manage.py"], line
        args = [paths.get(word, word) for word in words[3:]]
        done = manage(
            env, *args, check=False, python=str(ROOT / ".venv" / "bin" / "python"), timeout=300
        )
        # Missing pictures are reported, not failures; anything else failing is.
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr, line
