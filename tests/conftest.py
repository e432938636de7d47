import pytest


@pytest.fixture(autouse=True)
def _test_storage(settings, tmp_path):
    """Each test writes uploads to its own folder, and static files are served unhashed
    (the hashed manifest exists only after collectstatic, which production runs)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
