import html

from django import template
from django.conf import settings
from django.utils.html import strip_tags

register = template.Library()


@register.filter
def absolute(url: str) -> str:
    """A site-relative URL made absolute for email; absolute URLs (a CDN's) pass through."""
    return f"{settings.SITE_URL}{url}" if url.startswith("/") else url


@register.filter
def plain(markup: str) -> str:
    """Stored HTML as plain text: tags dropped, entities (``&amp;``) turned back into text."""
    return html.unescape(strip_tags(markup))
