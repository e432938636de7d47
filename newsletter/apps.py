from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"

    def ready(self):
        from . import checks  # noqa: F401 - registers the deploy check
