from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Newsroom"

    def ready(self):
        # The deploy checks; the receivers that keep search vectors current, that make image
        # renditions, and that tell the page cache what an edit changed.
        from . import checks, invalidation, search, tasks  # noqa: F401

        invalidation.connect()
