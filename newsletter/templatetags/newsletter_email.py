from django import template
from django.conf import settings

register = template.Library()


@register.filter
def absolute(url: str) -> str:
    """A site-relative URL made absolute for email; absolute URLs (a CDN's) pass through."""
    return f"{settings.SITE_URL}{url}" if url.startswith("/") else url
