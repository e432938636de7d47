from django.apps import AppConfig


class PageCacheConfig(AppConfig):
    name = "newsroom.page_cache"
    label = "page_cache"
    verbose_name = "Page cache"

    def ready(self):
        from . import checks  # noqa: F401 - registers the system checks
