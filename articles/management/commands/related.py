from django.core.management.base import BaseCommand

from articles import related


class Command(BaseCommand):
    help = 'Choose every public story\'s "Related stories" again (after an import, say).'

    def handle(self, *args, **options):
        count = related.compute_all()
        self.stdout.write(f"Related stories chosen for {count} public stories.")
