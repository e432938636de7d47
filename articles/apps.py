from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Newsroom"

    def ready(self):
        # The deploy checks; the receivers that keep search vectors current, that make image
        # renditions, that tell the page cache what an edit changed, and that end share links
        # on unpublishing.
        from . import checks, invalidation, preview_tokens, search, tasks  # noqa: F401

        invalidation.connect()
