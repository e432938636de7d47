"""Loaded by pytest before Django (``-p tests.environment``): the test environment.

Settings refuse to start without SECRET_KEY when DEBUG is off, as production does; tests run
with DEBUG off and a throwaway key, and keep uploads in a temporary folder. The test client and
the live server speak plain HTTP, so the HTTPS-only defaults of DEBUG-off (redirect to HTTPS,
cookies sent only over HTTPS) are turned off, as `make serve` does; tests that check the
production headers turn them back on.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="newsroom-test-media-"))
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("CSRF_COOKIE_SECURE", "0")
