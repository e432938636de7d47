"""The newsroom's admin, one module per subject: ``stories`` (the writing screen, the publish
panel, autosave, staff notes, history), ``desk`` (the front page and the calendar),
``front_page`` (the stories pinned to the home page), ``images`` (the library, the picker
and uploads in place), ``taxonomy`` (sections, tags, authors), ``old_addresses`` (a
WordPress site's addresses) and ``reads``. Importing them registers their models."""

from django.conf import settings
from django.contrib import admin
from django_tasks_db.models import DBTaskResult

from . import (  # noqa: F401 - each registers its models
    banners,
    front_page,
    images,
    live,
    old_addresses,
    reads,
    stories,
    taxonomy,
)

admin.site.site_header = settings.SITE_NAME
admin.site.site_title = f"{settings.SITE_NAME} desk"
admin.site.index_title = "Newsroom"
# The desk's front page links everything an editor opens; the sidebar's 300 pixels are worth
# more to the story list and the writing screen.
admin.site.enable_nav_sidebar = False

# The task queue's rows are an operator's concern (the worker logs them), not the desk's.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
