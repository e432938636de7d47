from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .. import body_images, embeds

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


# One date style across the site: "24 Nov 2026, 18:40" in the newsroom's time zone. The text
# is absolute, so a page is the same for every reader and any cache can keep it.
DATE_STYLE = "j M Y, H:i"


@register.filter
def timetag(value) -> str:
    """``value`` as ``<time datetime="...">24 Nov 2026, 18:40</time>``."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}">{}</time>', isotime(value), dateformat.format(local, DATE_STYLE)
    )


@register.filter
def thumb_srcset(image) -> str:
    """The JPEG copies of ``image`` for a small picture (an author's photo, a thumbnail)."""
    return image.jpeg_srcset if image else ""


@register.filter
def lang_attrs(article) -> str:
    """`` lang="he" dir="rtl"`` for the text of a story not in the site's language, to put on
    each element holding it (headline, sub-headline, caption, body); nothing otherwise."""
    if not article.language:
        return ""
    return format_html(' lang="{}" dir="{}"', article.language, article.text_direction)


@register.filter
def with_embeds(body: str, language: str = "") -> str:
    """A story body (clean, stored HTML) with its embeds as readers see them; ``language``:
    the text's own, when it is not the site's."""
    return mark_safe(embeds.render_in_body(body, text_language=language))  # noqa: S308


@register.filter
def with_pictures(body: str) -> str:
    """A story body (clean, stored HTML) with its library pictures as readers see them, all
    read in one query. Where this is not applied (a live update's text) a picture shows
    nothing: ``with_embeds`` leaves its empty stored element, which displays nothing."""
    return mark_safe(body_images.render_in_body(body))  # noqa: S308
