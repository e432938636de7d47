import sys
import zoneinfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.wordpress import importer, mapping, parse


class Command(BaseCommand):
    help = (
        "Import a WordPress export (Tools > Export, WXR): authors, categories as sections, "
        "tags, posts as stories with their images, and every old address as a 301. "
        "Re-running it changes only what changed in the file, and never a story edited "
        "in Newsroom since."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", help="the WXR file WordPress wrote")
        parser.add_argument("--uploads", help="a local copy of wp-content/uploads")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would be created, updated and skipped; write nothing.",
        )
        parser.add_argument("--map", dest="map_file", help="a YAML mapping file (README)")
        parser.add_argument(
            "--author-map",
            action="append",
            default=[],
            metavar="LOGIN=BYLINE",
            help='An organisational byline for a login, e.g. desk="Newsdesk Staff".',
        )
        parser.add_argument(
            "--time-zone",
            default=settings.TIME_ZONE,
            help="The site's zone, for times the export gives without UTC (drafts).",
        )

    def handle(self, *args, export, uploads=None, dry_run=False, map_file=None, **options):
        try:
            zone = zoneinfo.ZoneInfo(options["time_zone"])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise CommandError(f"unknown time zone {options['time_zone']!r}") from None
        try:
            rules = mapping.load(map_file, options["author_map"])
        except mapping.MappingError as exc:
            raise CommandError(str(exc)) from None
        progress = self._progress() if options["verbosity"] > 0 else None
        try:
            report = importer.run(
                export,
                rules,
                importer.Options(uploads=uploads, dry_run=dry_run, zone=zone),
                say=self.stdout.write,
                warn=self._warn,
                progress=progress,
            )
        except parse.ExportError as exc:
            raise CommandError(f"{export}: {exc}. Nothing was imported.") from None
        finally:
            if progress is not None:
                progress.done()
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        for line in importer.summary(report, dry_run=dry_run):
            self.stdout.write(line)
        if report.failed:
            raise CommandError(f"{report.failed} item(s) could not be imported (see above).")

    def _warn(self, line: str):
        if hasattr(self, "_bar"):
            self._bar.clear()
        self.stderr.write(line)

    def _progress(self):
        bar = _Progress(sys.stderr)
        self._bar = bar
        return bar


class _Progress:
    """A bar on a terminal; elsewhere a line at every tenth of the file."""

    def __init__(self, stream):
        self.stream = stream
        self.tty = stream.isatty()
        self.shown = (None, -1)

    def __call__(self, done, total, phase):
        share = done / total if total else 1
        if self.tty:
            step = int(share * 100)
            if (phase, step) != self.shown:
                filled = int(share * 30)
                self.stream.write(f"\r{phase:>20} [{'#' * filled}{'.' * (30 - filled)}] {step:3}%")
                self.stream.flush()
                self.shown = (phase, step)
        else:
            step = int(share * 10)
            if (phase, step) != self.shown:
                self.shown = (phase, step)
                self.stream.write(f"{phase}: {step * 10}% of the file read\n")

    def clear(self):
        if self.tty and self.shown[1] >= 0:
            self.stream.write("\r" + " " * 60 + "\r")

    def done(self):
        if self.tty and self.shown[1] >= 0:
            self.stream.write("\n")
