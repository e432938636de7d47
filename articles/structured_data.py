"""schema.org JSON-LD for the public pages, as strings safe inside a <script> element.

Story pages get a NewsArticle and a BreadcrumbList (Home > Section > Story); the home page an
Organization and a WebSite with the site search as its SearchAction. Every URL is absolute.
"""

import json

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from .templatetags.newsroom import isotime

_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
SCHEMA_CONTEXT = "https://schema.org"
# The widest copies are what search engines want for a large preview; narrow ones are not given.
IMAGE_MIN_WIDTH = 800


def to_script(data: dict) -> SafeString:
    """JSON that cannot close its <script> element, whatever the strings hold."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return mark_safe(text.translate(_SCRIPT_ESCAPES))  # noqa: S308 - escaped just above


def logo(absolute) -> dict:
    """The publisher's logo as an ImageObject (its size from ``settings.SITE_LOGO``)."""
    spec = settings.SITE_LOGO
    return {
        "@type": "ImageObject",
        "url": absolute(static(spec["path"])),
        "width": spec["width"],
        "height": spec["height"],
    }


def organization(absolute) -> dict:
    return {
        "@type": "Organization",
        "@id": absolute(reverse("articles:home")) + "#organization",
        "name": settings.SITE_NAME,
        "url": absolute(reverse("articles:home")),
        "logo": logo(absolute),
    }


def image_urls(image) -> list[str]:
    """The lead image's addresses: its 16:9, 4:3 and 1:1 crops (cut around the focal point)
    once the rendition task has made them; until then the JPEG copy the page uses, then the
    other JPEG copies at least ``IMAGE_MIN_WIDTH`` wide, widest first, or the original."""
    crops = image.crop_urls()
    if crops:
        return crops
    first = image.fallback_url
    storage = image.file.storage
    copies = image.renditions.get("jpg", {})
    wide = sorted(
        (int(width), storage.url(name))
        for width, name in copies.items()
        if int(width) >= IMAGE_MIN_WIDTH
    )
    return [first, *(url for _, url in reversed(wide) if url != first)]


def corrections(request, article, notes) -> list[dict]:
    """A story's corrections as schema.org ``CorrectionComment``s (update notes are not
    corrections), each with its time and its place on the page."""
    absolute = request.build_absolute_uri
    return [
        {
            "@type": "CorrectionComment",
            "text": note.text,
            "datePublished": isotime(note.created_at),
            "url": absolute(f"{article.get_absolute_url()}#note-{note.pk}"),
        }
        for note in notes
        if note.kind == "correction"
    ]


def live_blog_updates(request, article, live) -> list[dict]:
    """The updates on this page of a live story, as ``BlogPosting``s (newest first), each
    with its own time, author and address."""
    absolute = request.build_absolute_uri
    found = []
    for update in live.updates:
        text = strip_tags(update.text).strip()
        entry = {
            "@type": "BlogPosting",
            "headline": update.title or Truncator(text).words(12) or article.headline,
            "datePublished": isotime(update.published_at),
            "dateModified": isotime(max(update.modified_at, update.published_at)),
            "url": absolute(f"{article.get_absolute_url()}update/{update.pk}/"),
            "articleBody": text,
        }
        if update.author is not None:
            entry["author"] = {"@type": update.author.schema_type, "name": update.author.name}
        if update.image is not None:
            entry["image"] = absolute(update.image.fallback_url)
        found.append(entry)
    return found


def news_article(request, article, authors, tags, notes=(), live=None) -> SafeString:
    """The story as a ``NewsArticle``; a live story as a ``LiveBlogPosting`` (a NewsArticle's
    fields, the coverage's start and end, and the updates on the page)."""
    absolute = request.build_absolute_uri
    data = {
        "@context": SCHEMA_CONTEXT,
        "@type": "NewsArticle" if live is None else "LiveBlogPosting",
        "headline": article.headline,
        "description": article.summary,
        "mainEntityOfPage": {"@type": "WebPage", "@id": absolute(article.get_absolute_url())},
        "datePublished": isotime(article.published_at),
        "dateModified": isotime(article.modified),
        "author": [
            {
                "@type": author.schema_type,
                "name": author.name,
                "url": absolute(author.get_absolute_url()),
            }
            for author in authors
        ],
        "publisher": organization(absolute),
    }
    if article.lead_image:
        data["image"] = [absolute(url) for url in image_urls(article.lead_image)]
    if article.section:
        data["articleSection"] = article.section.name
    if article.language:
        data["inLanguage"] = article.language
    if tags:
        data["keywords"] = [tag.name for tag in tags]
    if found := corrections(request, article, notes):
        data["correction"] = found
    if live is not None:
        data["coverageStartTime"] = isotime(article.published_at)
        if article.live_ended_at:
            data["coverageEndTime"] = isotime(article.live_ended_at)
        data["liveBlogUpdate"] = live_blog_updates(request, article, live)
        if live.latest is not None:
            newest = max(live.latest.published_at, article.modified)
            data["dateModified"] = isotime(newest)
    return to_script(data)


def breadcrumb_list(request, article) -> SafeString:
    """Home > Section > Story (Home > Story for a story without a section)."""
    trail = [("Home", reverse("articles:home"))]
    if article.section:
        trail.append((article.section.name, article.section.get_absolute_url()))
    trail.append((article.headline, article.get_absolute_url()))
    data = {
        "@context": SCHEMA_CONTEXT,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": name,
                "item": request.build_absolute_uri(url),
            }
            for position, (name, url) in enumerate(trail, start=1)
        ],
    }
    return to_script(data)


def home_page(request) -> list[SafeString]:
    """The publisher (Organization) and the site (WebSite, with its search as a SearchAction),
    each its own JSON-LD document."""
    absolute = request.build_absolute_uri
    home = absolute(reverse("articles:home"))
    # Braces stay literal: build_absolute_uri would percent-encode them in the template.
    search = absolute(reverse("articles:search")) + "?q={search_term_string}"
    website = {
        "@context": SCHEMA_CONTEXT,
        "@type": "WebSite",
        "@id": home + "#website",
        "name": settings.SITE_NAME,
        "description": settings.SITE_TAGLINE,
        "url": home,
        "inLanguage": settings.SITE_LANGUAGE,
        "publisher": {"@id": home + "#organization"},
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": search},
            "query-input": "required name=search_term_string",
        },
    }
    return [to_script({"@context": SCHEMA_CONTEXT, **organization(absolute)}), to_script(website)]
