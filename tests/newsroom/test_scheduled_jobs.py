"""The README's crontab ("Scheduled jobs") works as written: every line names a command that
runs, and each clears what it says it clears, and nothing newer."""

import datetime as dt
import re
import shlex
from io import StringIO
from pathlib import Path

import pytest
from axes.models import AccessLog
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from newsletter.models import Digest
from newsletter.tasks import process_signup

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[2] / "README.md"


def crontab() -> list[list[str]]:
    """The commands of the README's cron block, as argument lists after ``manage.py``."""
    section = README.read_text().split("### Scheduled jobs", 1)[1]
    block = re.search(r"```cron\n(.*?)```", section, re.S).group(1)
    commands = []
    for line in block.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        words = shlex.split(line)[5:]  # after minute, hour, day, month and weekday
        assert words[:2] == ["python", "manage.py"], line
        commands.append(words[2:])
    return commands


def run(words: list[str]) -> str:
    out = StringIO()
    call_command(*words, stdout=out, stderr=out)
    return out.getvalue()


def test_the_block_names_the_jobs_the_readme_explains():
    assert [words[0] for words in crontab()] == [
        "send_digest",
        "clearsessions",
        "axes_reset_logs",
        "prune_db_task_results",
    ]


def test_each_line_runs_and_clears_only_what_is_old(settings, story):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    now = timezone.now()

    expired, current = SessionStore(), SessionStore()
    expired.set_expiry(-60)
    expired.create()
    current.create()

    old_login = AccessLog.objects.create(username="eddie", ip_address="192.0.2.1")
    AccessLog.objects.filter(pk=old_login.pk).update(attempt_time=now - dt.timedelta(days=31))
    new_login = AccessLog.objects.create(username="eddie", ip_address="192.0.2.1")

    old_task, new_task = (process_signup.enqueue(0), process_signup.enqueue(0))
    DBTaskResult.objects.filter(pk=old_task.id).update(
        status="SUCCESSFUL", finished_at=now - dt.timedelta(days=15)
    )
    DBTaskResult.objects.filter(pk=new_task.id).update(status="SUCCESSFUL", finished_at=now)

    said = {words[0]: run(words) for words in crontab()}

    assert list(Session.objects.values_list("session_key", flat=True)) == [current.session_key]
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [new_login.pk]
    assert "1 logs removed" in said["axes_reset_logs"]
    assert [str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)] == [new_task.id]
    # The digest of what was published since the last (the story); nobody subscribed yet.
    assert Digest.objects.get().stories.get() == story


def test_the_confirmations_line_for_the_immediate_backend_runs():
    text = README.read_text().split("### Scheduled jobs", 1)[1].split("###", 1)[0]
    line = re.search(r"`\*/5 \* \* \* \* python manage.py ([^`]+)`", text.replace("\n  ", " "))
    assert line, "the send_confirmations line is in the README"
    assert shlex.split(line.group(1)) == ["send_confirmations"]
    run(shlex.split(line.group(1)))  # nothing is due: it runs and sends nothing
