from django.core.management.base import BaseCommand, CommandError

from articles.importer import StoryFileError, import_story, read_story, story_paths


class Command(BaseCommand):
    help = (
        "Import stories from Markdown files with YAML front matter (or every *.md in a "
        "directory). Re-importing a file updates the story with the same slug."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Markdown files or directories")
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate every file without writing anything."
        )

    def handle(self, *args, paths, dry_run=False, **options):
        files = story_paths(paths)
        if not files:
            raise CommandError(f"No Markdown files found in: {', '.join(paths)}")
        counts: dict[str, int] = {}
        failures = 0
        for path in files:
            try:
                story = read_story(path)
                outcome = "valid" if dry_run else import_story(story)
            except StoryFileError as exc:
                failures += 1
                self.stderr.write(self.style.ERROR(f"FAILED {exc.path}: {exc.reason}"))
                continue
            counts[outcome] = counts.get(outcome, 0) + 1
            if options["verbosity"] > 1 or outcome != "unchanged":
                self.stdout.write(f"{outcome:9} {path} -> {story.slug}")
        summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(counts.items()))
        self.stdout.write(f"{len(files)} file(s): {summary or 'none imported'}, {failures} failed")
        if failures:
            raise CommandError(f"{failures} of {len(files)} file(s) could not be imported.")
