from django.conf import settings
from django.utils.functional import SimpleLazyObject

from newsroom.page_cache import depends_on, remember

from . import banners
from .models import Section


def sections() -> list[Section]:
    """The sections in navigation order, from the cache (renewed when a section changes)."""

    def read():
        depends_on("nav")
        return list(Section.objects.all())

    return remember("nav", read)


def site(request):
    """Site name, the section navigation and the breaking-news banner, on every page (each
    read only when shown)."""
    return {
        "site_name": settings.SITE_NAME,
        "site_tagline": settings.SITE_TAGLINE,
        "nav_sections": SimpleLazyObject(sections),
        # Read only when shown (``banners.current`` returns None for no banner).
        "breaking_banner": SimpleLazyObject(lambda: banners.current() or ""),
    }
