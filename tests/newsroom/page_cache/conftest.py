import pytest

from tests.newsroom.page_cache import site


@pytest.fixture(autouse=True)
def _site(settings):
    """The tests' own site: its URLs, its templates (in memory, to change at will) and
    nothing scheduled."""
    settings.ROOT_URLCONF = "tests.newsroom.page_cache.site"
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [("django.template.loaders.locmem.Loader", site.TEMPLATES)],
                "context_processors": [
                    "django.template.context_processors.request",
                    "newsroom.page_cache.context_processors.page",
                ],
                "libraries": {"page_cache": "newsroom.page_cache.templatetags.page_cache"},
            },
        }
    ]
    site.RENDERS.clear()
    site.Schedule.next_change, site.Schedule.due_tags = None, ()
    site.Schedule.asked.clear()
    templates = dict(site.TEMPLATES)
    yield
    site.TEMPLATES.clear()
    site.TEMPLATES.update(templates)
