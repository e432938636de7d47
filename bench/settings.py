"""The project's settings with one addition for the page benchmark (bench/pages.py): a
minimal "hello" view at /hello/, served through the same middleware as the real pages."""

from newsroom.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
