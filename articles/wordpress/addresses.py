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


TARGETS = ["article", "section", "tag", "author"]


def point(*paths: str, **target) -> None:
    """Make each of ``paths`` answer with ``target`` (article=, section=, tag= or author=),
    in one statement."""
    values = dict.fromkeys(TARGETS) | target
    rows = {
        path: OldAddress(path=path, **values)
        for path in paths
        if path and path != "/" and len(path) <= MAX_LENGTH
    }
    if rows:
        OldAddress.objects.bulk_create(
            rows.values(), update_conflicts=True, unique_fields=["path"], update_fields=TARGETS
        )


def leading_to_sections(paths) -> set[str]:
    """Those of ``paths`` that answer with a section now (in one query)."""
    found = OldAddress.objects.filter(path__in=list(paths), section__isnull=False)
    return set(found.values_list("path", flat=True))


def for_story(article, *, link: str, slug: str, old_slugs: list[str], wp_id: int, prefix: str):
    """The permalink, the old slugs' permalinks and ``/?p=ID`` of a story."""
    path = path_of(link)
    paths = [path, f"{prefix}/?p={wp_id}"]
    segments = path.split("/") if path else []
    if slug and slug in segments:
        at = len(segments) - 1 - segments[::-1].index(slug)
        for old in old_slugs:
            paths.append("/".join([*segments[:at], old, *segments[at + 1 :]]))
    own = article.get_absolute_url()
    point(*(p for p in paths if p != own), article=article)
