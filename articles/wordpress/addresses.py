"""The addresses an imported site had, recorded as ``OldAddress`` rows (answered by
``articles.old_addresses``): a story's permalink and each old slug WordPress kept for it,
``/?p=ID``, and the archives of its sections, tags and authors."""

from urllib.parse import unquote, urlsplit

from ..models import OldAddress

MAX_LENGTH = OldAddress._meta.get_field("path").max_length


def path_of(url: str) -> str:
    """The path of an address (percent-escapes decoded, as Django's ``request.path``)."""
    parts = urlsplit(url)
    path = unquote(parts.path or "/")
    if parts.query:
        return ""  # ``?p=123`` is recorded by ID
    return path if path.startswith("/") else f"/{path}"


def point(path: str, **target) -> None:
    """Make ``path`` answer with ``target`` (article=, section=, tag= or author=)."""
    if not path or path == "/" or len(path) > MAX_LENGTH:
        return
    values = {"article": None, "section": None, "tag": None, "author": None, **target}
    OldAddress.objects.update_or_create(path=path, defaults=values)


def for_story(article, *, link: str, slug: str, old_slugs: list[str], wp_id: int, prefix: str):
    """The permalink, the old slugs' permalinks and ``/?p=ID`` of a story."""
    path = path_of(link)
    own = article.get_absolute_url()
    if path and path != own:
        point(path, article=article)
    segments = path.split("/") if path else []
    if slug and slug in segments:
        at = len(segments) - 1 - segments[::-1].index(slug)
        for old in old_slugs:
            old_path = "/".join([*segments[:at], old, *segments[at + 1 :]])
            if old_path != own:
                point(old_path, article=article)
    point(f"{prefix}/?p={wp_id}", article=article)
