"""Loaded by pytest before Django (``-p tests.environment``): the test environment.

Settings refuse to start without SECRET_KEY when DEBUG is off, as production does; tests run
with DEBUG off and a throwaway key, and keep uploads in a temporary folder.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="newsroom-test-media-"))
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
