from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .models import Section
from .page_cache import depends_on, remember


def sections() -> list[Section]:
    """The sections in navigation order, from the cache (renewed when a section changes)."""

    def read():
        depends_on("nav")
        return list(Section.objects.all())

    return remember("nav", read, timeout=settings.PAGE_CACHE_SECONDS or 600)


def site(request):
    """Site name and the section navigation, on every page (read only when shown)."""
    return {
        "site_name": settings.SITE_NAME,
        "site_tagline": settings.SITE_TAGLINE,
        "nav_sections": SimpleLazyObject(sections),
    }
