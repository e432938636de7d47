"""A whole import: the file checked, then read twice as a stream.

1. ``parse.check()`` reads it all and refuses a bad file before anything is written.
2. The first reading takes the header (people, categories, tags) and the attachments,
   which are recorded as ``WordPressItem`` rows (address, file, texts) without fetching
   anything: a post may name a picture that comes later in the file.
3. The second reading imports each post in its own transaction; a picture is stored when a
   story uses it. Pages, other post types, comments and menus are counted and left.

A dry run does all of this inside one transaction that is rolled back at the end, fetching
no picture and storing no file (``media.Pictures``), so it reports what a real run would
create, update and skip.

What each saved story would set off is deferred to one pass at the end of a real run: the
page cache is made stale once (``page_cache.suspended``), and every story's related stories
are chosen by one task (``tasks.related_deferred``) instead of one per story, each of which
would choose its neighbours' again; each story's search vector is computed once, when its
text and tags are written (``search.vectors_updated_by_caller``), not after each.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction

from newsroom import page_cache

from .. import search
from ..models import WordPressItem
from ..tasks import related_deferred
from . import parse
from .mapping import Mapping
from .media import Pictures, attachment_data
from .people import People
from .stories import Stories, plain

#: Post types that hold no story (menus, the site's templates, caches and revisions).
MACHINERY = {
    "revision",
    "nav_menu_item",
    "custom_css",
    "customize_changeset",
    "oembed_cache",
    "user_request",
    "wp_block",
    "wp_template",
    "wp_template_part",
    "wp_global_styles",
    "wp_navigation",
    "wp_font_family",
    "wp_font_face",
}


class _DryRunDone(Exception):
    pass


@dataclass
class Report:
    stories: Counter = field(default_factory=Counter)  # (result, state) -> count
    skipped: Counter = field(default_factory=Counter)  # what was left, by kind
    failed: int = 0
    conflicts: int = 0
    scripts_dropped: int = 0
    iframes_dropped: int = 0
    blocks_dropped: int = 0
    shortcodes_dropped: int = 0
    embeds: int = 0
    embeds_as_links: int = 0
    comments: int = 0
    images: dict = field(default_factory=dict)
    people: int = 0
    categories: int = 0
    tags: int = 0
    attachments: int = 0


@dataclass
class Options:
    uploads: str | None = None
    dry_run: bool = False
    zone: dt.tzinfo = dt.UTC


def run(path, mapping: Mapping, options: Options, *, say, warn, progress=None) -> Report:
    """Import the export at ``path``; ``say``/``warn`` take a line each for the output and
    the errors, ``progress(done_bytes, total_bytes, phase)`` is called as the file is read."""
    parse.check(path)
    report = Report()
    if options.dry_run:
        try:
            with transaction.atomic(), search.vectors_updated_by_caller():
                _import(path, mapping, options, report, say, warn, progress)
                raise _DryRunDone
        except _DryRunDone:
            pass
    else:
        with page_cache.suspended(), related_deferred(), search.vectors_updated_by_caller():
            _import(path, mapping, options, report, say, warn, progress)
    return report


def _phase(progress, name):
    if progress is None:
        return None
    return lambda done, total: progress(done, total, name)


def _import(path, mapping, options, report, say, warn, progress):
    pictures = Pictures(options.uploads, dry_run=options.dry_run)
    site = parse.Site()
    people = People(mapping)
    # First reading: people, terms, attachments.
    for kind, value in parse.read(path, on_progress=_phase(progress, "people and pictures")):
        if kind == "site":
            site = value
            people.prefix = site.prefix
        elif kind == "author":
            people.persons[value.login] = value
            report.people += 1
        elif kind == "category":
            people.categories[value.slug] = value
            report.categories += 1
        elif kind == "tag":
            people.tags[value.slug] = value
            report.tags += 1
        elif kind == "item" and not isinstance(value, parse.ItemError):
            if value.post_type == "attachment":
                report.attachments += 1
                _record_attachment(value)
            elif value.post_type == "guest-author":  # Co-Authors Plus
                login = value.meta_value("cap-user_login")
                if login:
                    people.bios[login] = plain(value.meta_value("cap-description"))
    stories = Stories(
        people, pictures, zone=options.zone, prefix=site.prefix, language=site.language
    )
    # Second reading: the posts.
    for kind, item in parse.read(path, on_progress=_phase(progress, "stories")):
        if kind != "item":
            continue
        if isinstance(item, parse.ItemError):
            report.failed += 1
            warn(f"FAILED item {item.wp_id} {item.title!r}: {item}")
            continue
        report.comments += item.comments
        if item.post_type != "post":
            if item.post_type not in ("attachment", "guest-author"):
                kind_name = (
                    "menu items"
                    if item.post_type == "nav_menu_item"
                    else ("site machinery" if item.post_type in MACHINERY else f"{item.post_type}s")
                )
                report.skipped[kind_name] += 1
            continue
        if item.status in ("trash", "auto-draft", "inherit"):
            report.skipped[f"posts in state {item.status}"] += 1
            continue
        try:
            outcome = stories.import_post(item)
        except parse.ItemError as exc:
            report.failed += 1
            warn(f"FAILED post {item.wp_id} {plain(item.title)!r}: {exc}")
            continue
        report.stories[(outcome.result, outcome.state)] += 1
        body = outcome.body
        if outcome.result in ("created", "updated"):
            report.scripts_dropped += body.scripts_dropped
            report.iframes_dropped += body.iframes_dropped
            report.blocks_dropped += body.blocks_dropped
            report.shortcodes_dropped += body.shortcodes_dropped
            report.embeds += body.embeds
            report.embeds_as_links += body.embeds_as_links
            if body.scripts_dropped or body.iframes_dropped:
                warn(
                    f"post {item.wp_id} {plain(item.title)!r}: dropped "
                    f"{body.scripts_dropped} script(s), {body.iframes_dropped} iframe(s)"
                )
        if outcome.result == "conflict":
            report.conflicts += 1
            warn(
                f"CONFLICT post {item.wp_id} {plain(item.title)!r}: changed in the export and "
                "edited in Newsroom since the last import; Newsroom's version is kept"
            )
        elif outcome.result == "deleted":
            say(f"skipped post {item.wp_id} {plain(item.title)!r}: deleted in Newsroom since")
        for note in outcome.notes:
            warn(f"post {item.wp_id} {plain(item.title)!r}: {note}")
    report.images = dict(pictures.counts)


def _record_attachment(item: parse.Item) -> None:
    """An attachment's address and texts, written only when they changed."""
    data, guid = attachment_data(item), item.guid[:500]
    found = WordPressItem.objects.filter(
        kind=WordPressItem.Kind.ATTACHMENT, wp_id=str(item.wp_id)
    ).first()
    if found is None:
        WordPressItem.objects.create(
            kind=WordPressItem.Kind.ATTACHMENT, wp_id=str(item.wp_id), guid=guid, data=data
        )
    elif (found.data, found.guid) != (data, guid):
        if found.data.get("url") != data.get("url") or found.data.get("file") != data.get("file"):
            found.image = None  # another picture: found again when a story uses it
        found.data, found.guid = data, guid
        found.save()


def summary(report: Report, *, dry_run: bool) -> list[str]:
    would = "would be " if dry_run else ""
    lines = []
    by_result: dict[str, Counter] = {}
    for (result, state), count in sorted(report.stories.items()):
        by_result.setdefault(result, Counter())[state] += count
    total = sum(report.stories.values())
    lines.append(f"Stories: {total} read, {report.failed} failed")
    for result in ("created", "updated", "unchanged", "conflict", "deleted"):
        if result in by_result:
            states = ", ".join(f"{n} {s}" for s, n in sorted(by_result[result].items()))
            label = {
                "created": f"{would}created",
                "updated": f"{would}updated",
                "unchanged": "unchanged",
                "conflict": "kept as edited in Newsroom (conflict)",
                "deleted": "deleted in Newsroom, not re-created",
            }[result]
            lines.append(f"  {label}: {sum(by_result[result].values())} ({states})")
    lines.append(
        f"People: {report.people}; categories: {report.categories}; tags: {report.tags}; "
        f"attachments: {report.attachments}"
    )
    images = report.images
    stored, fetched = ("to store", "to fetch") if dry_run else ("stored", "fetched")
    lines.append(
        f"Images: {images.get('stored', 0)} {stored}, {images.get('reused', 0)} reused, "
        f"{images.get('read', 0)} read from uploads, {images.get('fetched', 0)} {fetched}, "
        f"{images.get('missing', 0)} missing"
    )
    lines.append(
        f"Bodies: {report.scripts_dropped} script(s) and {report.iframes_dropped} iframe(s) "
        f"dropped, {report.embeds} embed(s) kept and {report.embeds_as_links} made links "
        f"(a site not allowed), {report.blocks_dropped} dynamic "
        f"block(s) and {report.shortcodes_dropped} shortcode(s) left out"
    )
    skipped = ", ".join(f"{n} {kind}" for kind, n in sorted(report.skipped.items()))
    lines.append(f"Skipped: {report.comments} comment(s){', ' + skipped if skipped else ''}")
    lines.append(
        "Not imported: comments, pages, menus, widgets and site settings (widgets and "
        "settings are not in an export), users' logins and passwords (never)"
    )
    return lines
