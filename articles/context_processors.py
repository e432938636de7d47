from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .models import Section


def site(request):
    """Site name and the section navigation, on every page (one query, only when shown)."""
    return {
        "site_name": settings.SITE_NAME,
        "site_tagline": settings.SITE_TAGLINE,
        "nav_sections": SimpleLazyObject(lambda: list(Section.objects.all())),
    }
