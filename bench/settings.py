"""The project's settings with two additions for the page benchmark (bench/pages.py): a
minimal "hello" view at /hello/, served through the same middleware as the real pages, and
BENCH_NO_CACHE=1, which replaces every cache with Django's dummy cache (the "cold" pass: no
page, no cached part, no ranking survives a request)."""

import os

from newsroom.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

if os.environ.get("BENCH_NO_CACHE") == "1":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
