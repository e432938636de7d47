from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy

from .models import Article


class LatestStoriesFeed(Feed):
    link = reverse_lazy("articles:home")
    description_template = None

    def title(self):
        return f"{settings.SITE_NAME}: latest stories"

    def description(self):
        return settings.SITE_TAGLINE

    def items(self):
        return Article.objects.published().for_cards()[: settings.LIST_PAGE_SIZE]

    def item_title(self, item):
        return item.headline

    def item_description(self, item):
        return item.summary

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.modified
