"""`manage.py check --deploy`: what the newsletter needs in production."""

from django.conf import settings
from django.core import checks
from django.tasks.backends.immediate import ImmediateBackend
from django.utils.module_loading import import_string


@checks.register(checks.Tags.security, deploy=True)
def tasks_are_queued(app_configs, **kwargs):
    """With the immediate backend a signup's work and its confirmation email run inside the
    request: the answer then takes longer for a new address than for a subscribed one, and
    a confirmation the mail server refuses cannot wait for its retry."""
    backend = import_string(settings.TASKS["default"]["BACKEND"])
    if issubclass(backend, ImmediateBackend):
        return [
            checks.Warning(
                "Newsletter signups and confirmation emails run inside the request "
                "(TASKS_BACKEND=immediate): its timing tells who is subscribed, and retries "
                "cannot wait.",
                hint="Set TASKS_BACKEND=database and run `manage.py db_worker`.",
                id="newsletter.W001",
            )
        ]
    return []
