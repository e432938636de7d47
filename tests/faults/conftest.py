"""Fault tests: the real services started here (throwaway PostgreSQL, Redis, nginx in front
of gunicorn), then broken on purpose. Each test prints what it did and what was lost or
duplicated, and asserts it."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT, collect_static

SEED = """
import django; django.setup()
from tests.factories import make_article, make_section
world = make_section(name="World", slug="world")
for n in range(1, 11):
    make_article(headline=f"World story {n}", slug=f"world-{n}", section=world,
                 body=f"<p>The harbour report number {n}.</p>")
"""


def production_env(tmp: Path, database_url: str, redis_url: str = "", **extra) -> dict:
    """gunicorn's environment as behind the front in production, on plain HTTP."""
    return {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "REDIS_TIMEOUT": "0.2",
        "CACHE_KEY_PREFIX": f"fault-{secrets.token_hex(4)}",
        "STATIC_ROOT": str(tmp / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
        "TRUSTED_PROXY_COUNT": "1",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def prepare_site(env: dict) -> None:
    """Static files collected, the database migrated, ten stories in section World."""
    collect_static(env)
    collect_static(env, ("migrate", "--no-input", "-v0"))
    seed = subprocess.run(
        [sys.executable, "-c", SEED], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert seed.returncode == 0, seed.stderr


@pytest.fixture
def site_folder(tmp_path):
    return tmp_path
