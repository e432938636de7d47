"""Production settings: `check --deploy` is clean with the environment the README documents,
the security headers are on the pages, public pages carry no CSP nonce, and the settings read
their environment variables (or refuse bad values with a clear message)."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import make_article, make_user

ROOT = Path(__file__).resolve().parent.parent.parent

# The production environment as README.md ("Deploying") documents it.
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "news.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://news.example.com",
    "SITE_URL": "https://news.example.com",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "TRUSTED_PROXY_COUNT": "1",
    "FORWARDED_ALLOW_IPS": "127.0.0.1",
    "DATABASE_URL": "postgres://newsroom:secret@db.internal:5432/newsroom",
    "CONN_MAX_AGE": "60",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "TASKS_BACKEND": "database",
    "EMAIL_BACKEND": "smtp",
    "EMAIL_HOST": "smtp.example.com",
    "DEFAULT_FROM_EMAIL": "All Israel News <news@news.example.com>",
}


def run_python(args, env, timeout=60):
    """Python in a fresh process with only the given environment (and PATH)."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def settings_with(env, *names):
    """The named settings as newsroom/settings.py computes them from ``env``."""
    code = (
        "import json, sys\n"
        "from newsroom import settings\n"
        "print(json.dumps({n: getattr(settings, n) for n in sys.argv[1:]}, default=str))"
    )
    result = run_python(["-c", code, *names], {"SECRET_KEY": "x" * 50, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def settings_error(env) -> str:
    result = run_python(["-c", "import newsroom.settings"], {"SECRET_KEY": "x" * 50, **env})
    assert result.returncode != 0
    return result.stderr.strip().splitlines()[-1]


# check --deploy


def migrated_sqlite(tmp_path) -> dict:
    """The production environment on a migrated SQLite file (the deploy checks ask the
    database whether the demo admin still logs in)."""
    env = {**PRODUCTION_ENV, "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    result = run_python(["manage.py", "migrate", "--no-input", "-v0"], env, timeout=120)
    assert result.returncode == 0, result.stderr
    return env


def check_deploy(env):
    return run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)


def test_check_deploy_is_clean_with_the_documented_environment(tmp_path):
    result = check_deploy(migrated_sqlite(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_complains_without_it(tmp_path):
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        {"DEBUG": "0", "SECRET_KEY": "short", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"},
    )
    assert result.returncode != 0
    for warning in ("security.W009", "security.W005", "security.W021", "mail.E001"):
        assert warning in result.stderr


def test_check_deploy_fails_while_the_demo_admin_logs_in(tmp_path):
    env = migrated_sqlite(tmp_path)
    make_demo_admin = (
        "import django; django.setup()\n"
        "from django.contrib.auth.models import User\n"
        "from articles.management.commands.load_demo import DEMO_PASSWORD, DEMO_USERNAME\n"
        "User.objects.create_superuser(DEMO_USERNAME, 'admin@localhost', DEMO_PASSWORD)\n"
    )
    settings_module = {"DJANGO_SETTINGS_MODULE": "newsroom.settings"}
    assert run_python(["-c", make_demo_admin], {**env, **settings_module}).returncode == 0
    result = check_deploy(env)
    assert result.returncode != 0
    assert "articles.E001" in result.stderr
    assert "The demo admin 'admin' still logs in" in result.stderr
    assert "changepassword admin" in result.stderr

    change = (
        "import django; django.setup()\n"
        "from django.contrib.auth.models import User\n"
        "user = User.objects.get(username='admin')\n"
        "user.set_password('a new and long password 4711'); user.save()\n"
    )
    assert run_python(["-c", change], {**env, **settings_module}).returncode == 0
    result = check_deploy(env)
    assert result.returncode == 0, result.stderr
    assert "articles.E001" not in result.stderr


def test_check_deploy_says_when_it_could_not_ask_the_database():
    result = check_deploy(PRODUCTION_ENV)  # db.internal: not reachable from here
    assert "articles.I001" in result.stdout + result.stderr
    assert "Could not check whether the demo admin still logs in" in result.stdout + result.stderr


@pytest.mark.parametrize(
    "sender",
    [
        "All Israel News <news@localhost>",
        "news@localhost.",
        "news@desk.localhost",
        "news@localhost.localdomain",
        "news@[127.0.0.1]",
        "news@[IPv6:::1]",
        "news@mailhost",
        "news",
    ],
)
def test_check_deploy_fails_for_a_localhost_sender(tmp_path, sender):
    result = check_deploy({**PRODUCTION_ENV, "DEFAULT_FROM_EMAIL": sender})
    assert result.returncode != 0
    assert "articles.E002" in result.stderr
    assert f"DEFAULT_FROM_EMAIL is {sender!r}, a localhost address" in result.stderr
    assert "SERVER_EMAIL" not in result.stderr  # the same address, named once


def test_is_local_address():
    from articles.checks import is_local_address

    assert not is_local_address("All Israel News <news@allisrael.example>")
    assert not is_local_address("news@mail.example.co.il")
    assert not is_local_address("news@[192.0.2.10]")
    assert is_local_address("news@LOCALHOST")
    assert is_local_address("news@127.0.0.2")


# The headers on the pages, with the production settings


@pytest.fixture
def production(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.FORWARDED_ALLOW_IPS = ["127.0.0.1"]  # the test client's address: the proxy
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.ALLOWED_HOSTS = ["news.example.com"]
    return {"HTTP_HOST": "news.example.com", "HTTP_X_FORWARDED_PROTO": "https"}


@pytest.mark.django_db
def test_public_pages_carry_the_security_headers_and_no_nonce(client, production):
    story = make_article()
    for path in ("/", story.get_absolute_url(), "/newsletter/", "/search/?q=story"):
        response = client.get(path, **production)
        assert response.status_code == 200, path
        assert response["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        )
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Content-Security-Policy"] == (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; "
            # Live updates' videos (articles/embeds.py); the admin's digest preview is 'self'.
            "frame-src 'self' https://www.youtube-nocookie.com https://player.vimeo.com"
        ), path
        assert "nonce" not in response.content.decode()
        assert "Set-Cookie" not in response
        assert "camera=()" in response["Permissions-Policy"], path
        assert "geolocation=()" in response["Permissions-Policy"], path


@pytest.mark.django_db
def test_a_public_page_is_the_same_for_everyone(client, production):
    story = make_article()
    first = client.get(story.get_absolute_url(), **production)
    second = client.get(story.get_absolute_url(), **production)
    assert first.content == second.content
    assert first["Content-Security-Policy"] == second["Content-Security-Policy"]


@pytest.mark.django_db
def test_admin_pages_get_a_fresh_nonce_in_header_and_markup(client, production):
    client.force_login(make_user("superuser"))
    nonces = set()
    for _ in range(2):
        response = client.get("/admin/articles/article/add/", **production)
        assert response.status_code == 200
        policy = response["Content-Security-Policy"]
        # The same nonce for scripts and styles, and on the page's tags.
        (nonce,) = {part.rstrip(";") for part in policy.split() if part.startswith("'nonce-")}
        assert f'nonce="{nonce[7:-1]}"' in response.content.decode()
        nonces.add(nonce)
    assert len(nonces) == 2


@pytest.mark.django_db
def test_plain_http_is_redirected_and_cookies_are_secure(client, production):
    response = client.get("/news/a-story/", HTTP_HOST="news.example.com")
    assert response.status_code == 301
    assert response["Location"] == "https://news.example.com/news/a-story/"

    response = client.get("/admin/login/", **production)
    assert response.cookies["csrftoken"]["secure"] is True
    make_user("superuser", username="desk", password="a long enough password")
    response = client.post(
        "/admin/login/",
        {"username": "desk", "password": "a long enough password"},
        **production,
    )
    assert response.status_code == 302
    assert response.cookies["sessionid"]["secure"] is True
    assert response.cookies["sessionid"]["httponly"] is True


# The settings read from the environment


def test_defaults_with_debug_off():
    values = settings_with(
        {},
        "CACHES",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "STORAGES",
        "SERVE_MEDIA",
        "DATABASES",
        "TRUSTED_PROXY_COUNT",
    )
    assert values["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["SESSION_COOKIE_SECURE"] is values["CSRF_COOKIE_SECURE"] is True
    assert values["STORAGES"]["default"]["BACKEND"].endswith("FileSystemStorage")
    assert values["SERVE_MEDIA"] is True
    assert values["DATABASES"]["default"]["CONN_HEALTH_CHECKS"] is True
    assert values["TRUSTED_PROXY_COUNT"] == 0


def test_debug_on_is_plain_http():
    values = settings_with(
        {"DEBUG": "1"}, "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE"
    )
    assert values == {
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SESSION_COOKIE_SECURE": False,
    }


def test_redis_url_switches_the_cache_to_redis():
    values = settings_with(
        {"REDIS_URL": "redis://cache.internal:6379/2", "CACHE_KEY_PREFIX": "site2"}, "CACHES"
    )
    default = values["CACHES"]["default"]
    assert default["BACKEND"] == "newsroom.cache.RedisCache"
    assert default["LOCATION"] == "redis://cache.internal:6379/2"
    assert default["KEY_PREFIX"] == "site2"
    assert settings_with({"REDIS_URL": "redis://c:6379/0"}, "CACHES")["CACHES"]["default"][
        "KEY_PREFIX"
    ] == ("newsroom")


def test_persistent_connections_and_their_health_checks():
    values = settings_with(
        {
            "DATABASE_URL": "postgres://newsroom@db.internal:5432/newsroom",
            "CONN_MAX_AGE": "60",
            "CONN_HEALTH_CHECKS": "0",
        },
        "DATABASES",
    )
    default = values["DATABASES"]["default"]
    assert default["ENGINE"] == "django.db.backends.postgresql"
    assert (default["CONN_MAX_AGE"], default["CONN_HEALTH_CHECKS"]) == (60, False)


def test_the_proxy_ssl_header_and_its_format():
    values = settings_with(
        {"SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO, https", "FORWARDED_ALLOW_IPS": "::1"},
        "SECURE_PROXY_SSL_HEADER",
    )
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    for bad in ("X-Forwarded-Proto,https", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_PROTO,"):
        message = settings_error({"SECURE_PROXY_SSL_HEADER": bad})
        assert "SECURE_PROXY_SSL_HEADER must be a header as Django names it" in message, bad


def test_media_storage_s3_needs_the_s3_extra():
    # As on a server without the extra: the packages cannot be found (None in sys.modules).
    code = (
        "import sys; sys.modules['storages'] = sys.modules['boto3'] = None;import newsroom.settings"
    )
    env = {"SECRET_KEY": "x" * 50, "MEDIA_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": "newsroom"}
    result = run_python(["-c", code], env)
    assert result.returncode != 0
    assert "pip install -e '.[s3]'" in result.stderr.strip().splitlines()[-1]


def test_bad_values_are_refused():
    assert "MEDIA_STORAGE must be 'local' or 's3'" in settings_error({"MEDIA_STORAGE": "nfs"})
    assert "TRUSTED_PROXY_COUNT must be 0 or more" in settings_error({"TRUSTED_PROXY_COUNT": "-1"})
    assert "FORWARDED_ALLOW_IPS holds 'nginx'" in settings_error(
        {"FORWARDED_ALLOW_IPS": "127.0.0.1, nginx"}
    )
    for believing in (
        {"TRUSTED_PROXY_COUNT": "1"},
        {"SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https"},
    ):
        assert "FORWARDED_ALLOW_IPS names no proxy" in settings_error(believing), believing
    assert "CONN_HEALTH_CHECKS must be a boolean" in settings_error({"CONN_HEALTH_CHECKS": "x"})
