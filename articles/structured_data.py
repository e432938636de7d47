"""schema.org JSON-LD for story pages, as a string safe inside a <script> element."""

import json

from django.conf import settings
from django.templatetags.static import static
from django.utils.safestring import SafeString, mark_safe

from .templatetags.newsroom import isotime

_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def to_script(data: dict) -> SafeString:
    """JSON that cannot close its <script> element, whatever the strings hold."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return mark_safe(text.translate(_SCRIPT_ESCAPES))  # noqa: S308 - escaped just above


def news_article(request, article, authors) -> SafeString:
    absolute = request.build_absolute_uri
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
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
        "publisher": {
            "@type": "Organization",
            "name": settings.SITE_NAME,
            "logo": {"@type": "ImageObject", "url": absolute(static("img/logo.png"))},
        },
    }
    if article.lead_image:
        data["image"] = [absolute(article.lead_image.fallback_url)]
    if article.section:
        data["articleSection"] = article.section.name
    tags = [tag.name for tag in article.tags.all()]
    if tags:
        data["keywords"] = tags
    return to_script(data)
