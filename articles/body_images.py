"""Pictures in story bodies: a picture from the image library, placed between paragraphs.

A body stores one as an empty element naming the picture, with nothing of its file in it:

    <figure data-image="ID"></figure>

so the picture's renditions, alt text, caption and credit are always the library's current
ones. The sanitiser keeps it only when ID is a number (``sanitize.stored_image``); the
editor shows it as a labelled box (static/js/prose-image.js); the story page turns it into a
responsive picture with its caption when the body is rendered (``render_in_body()``),
reading every picture a body names in one query, so a story with five pictures costs what a
story with one does.
"""

import re

from django.template.loader import render_to_string

from newsroom import page_cache

from .models import Image

# The stored form, as the sanitiser writes it (anything inside is a fallback text, not shown).
STORED = re.compile(r'<figure data-image="(\d+)">.*?</figure>', re.S)
# The width the picture shows at: the story's column (static/css/site.css: 44rem from 60em,
# else the page less its 1rem margins), as the lead image.
SIZES = "(min-width: 60em) 44rem, calc(100vw - 2rem)"


def ids_in(html: str) -> list[int]:
    """The library pictures a stored body names, in order, each once."""
    return list(dict.fromkeys(int(found) for found in STORED.findall(html)))


def render_in_body(html: str) -> str:
    """A stored body with each of its pictures as readers see it: a ``<figure>`` with the
    picture's renditions and its caption and credit, as the lead image's (the caption is in
    the body's element, so it has the story's ``lang``). A picture no longer in the library
    shows nothing. One query for all the pictures; none for a body without any."""
    if "data-image" not in html:
        return html
    wanted = ids_in(html)
    if not wanted:
        return html
    # A picture replaced, edited or deleted renews the page (its tag is "image:<id>"); the
    # tags are named even for a missing picture, so its arrival would renew the page too.
    page_cache.depends_on(*(f"image:{pk}" for pk in wanted))
    found = Image.objects.in_bulk(wanted)

    def render(match: re.Match) -> str:
        image = found.get(int(match[1]))
        if image is None:
            return ""
        return render_to_string(
            "articles/_body_image.html",
            {"image": image, "sizes": SIZES},
        )

    return STORED.sub(render, html)
