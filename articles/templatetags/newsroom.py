from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def isotime(value) -> str:
    """A machine-readable local time to the second, as <time datetime> and OpenGraph want."""
    if not value:
        return ""
    return timezone.localtime(value).isoformat(timespec="seconds")


@register.simple_tag(takes_context=True)
def absolute(context, url: str) -> str:
    """``url`` as a full address: a path gets the request's scheme and host, and an address
    that is already absolute (media on S3 or a CDN) is left as it is."""
    return context["request"].build_absolute_uri(url)
