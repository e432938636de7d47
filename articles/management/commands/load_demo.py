from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from articles.models import Section

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
DEMO_USERNAME = "admin"
DEMO_PASSWORD = "newsroom-demo"  # noqa: S105 - a local demo account, refused with DEBUG off
SECTION_DETAILS = {
    "all-israel": (1, "News from across Israel: cities, science, society and the state."),
    "middle-east": (2, "Israel's neighbours and the diplomacy of the region."),
    "business-tech": (3, "Startups, markets, energy and the people who build them."),
    "culture": (4, "Museums, music, food and sport."),
}


class Command(BaseCommand):
    help = (
        "Load the demo newsroom (stories, authors, images) through the importer and create "
        "a demo admin account. Safe to run again: it changes nothing the second time."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("The demo loader creates a known admin login: run it with DEBUG=1.")
        call_command("import_articles", str(DEMO_DIR / "stories"), verbosity=options["verbosity"])
        with transaction.atomic():
            for section in Section.objects.filter(slug__in=SECTION_DETAILS):
                order, description = SECTION_DETAILS[section.slug]
                if (section.order, section.description) != (order, description):
                    section.order, section.description = order, description
                    section.save(update_fields=["order", "description"])
            user_model = get_user_model()
            if not user_model.objects.filter(username=DEMO_USERNAME).exists():
                user_model.objects.create_superuser(DEMO_USERNAME, "admin@localhost", DEMO_PASSWORD)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo admin: http://127.0.0.1:8000/admin/  user {DEMO_USERNAME!r}  "
                f"password {DEMO_PASSWORD!r}"
            )
        )
