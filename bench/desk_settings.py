"""The page benchmark's settings (bench/settings.py: the /hello/ view), for the desk benchmark
(bench/desk.py), which runs in one process with Django's test client: static files by name,
as no collectstatic manifest is needed to time the admin's own work."""

from bench.settings import *  # noqa: F403
from bench.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
