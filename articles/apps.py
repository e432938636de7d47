from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Newsroom"

    def ready(self):
        # Connects the receivers that keep search vectors current when tags change.
        # and the page cache's invalidation.
        from . import checks, invalidation, search  # noqa: F401
