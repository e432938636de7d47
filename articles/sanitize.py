"""The one allowlist every article body passes through, from the admin or an import."""

import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "strong",
    "b",
    "em",
    "i",
    "a",
    "blockquote",
    "q",
    "cite",
    "ul",
    "ol",
    "li",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "q": {"cite"}, "blockquote": {"cite"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def clean_html(html: str) -> str:
    """Return ``html`` reduced to the newsroom's allowlist.

    Scripts and styles go with their content; other unknown tags go but keep their text;
    event handlers, inline styles and classes go; links keep only http(s) and mailto URLs
    (relative links stay) and get ``rel="noopener noreferrer"``.
    """
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        clean_content_tags={"script", "style"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()
