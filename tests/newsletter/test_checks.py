"""The deploy check: production queues the newsletter's work instead of doing it in requests."""

from newsletter import checks


def test_the_immediate_backend_is_a_deploy_warning(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    (warning,) = checks.tasks_are_queued(None)
    assert warning.id == "newsletter.W001"
    assert "TASKS_BACKEND=database" in warning.hint

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert checks.tasks_are_queued(None) == []
