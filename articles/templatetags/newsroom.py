from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def isotime(value) -> str:
    """A machine-readable local time to the second, as <time datetime> and OpenGraph want."""
    if not value:
        return ""
    return timezone.localtime(value).isoformat(timespec="seconds")
