"""Fault tests of the digest sender, with real processes, a real SMTP server on loopback and
PostgreSQL: a sender killed with SIGKILL mid-send is resumed at once with nobody mailed twice
or skipped, and two senders started together against a slow mail server never send the same
message. Each prints what it did and what was lost or duplicated (the target: 0 and 0).

The senders are `manage.py send_digest` processes on the test database, so these run on
PostgreSQL (SQLite's test database lives in this process's memory; its lock is tested with
a second process in test_locks.py)."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.utils import timezone

from newsletter.models import Delivery, Digest
from tests.factories import make_article, make_subscriber
from tests.helpers import free_port
from tests.newsletter.conftest import Mailbox

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("senders in other processes need the test database on PostgreSQL")


class Server(Mailbox):
    """The SMTP server, which can be slow, and can kill the sender while it holds the Nth
    message: the server has it, the sender never hears "250" (the worst moment to die)."""

    def __init__(self, delay: float = 0.0):
        super().__init__()
        self.delay = delay
        self.kill_at: int | None = None
        self.victim: int | None = None

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        answer = await super().handle_DATA(server, session, envelope)
        if self.kill_at is not None and len(self.received) == self.kill_at and self.victim:
            os.kill(self.victim, signal.SIGKILL)
        return answer


def message_ids(server: Server) -> Counter:
    return Counter((m.to, m.message["Message-ID"]) for m in server.received)


def sender(port: int) -> subprocess.Popen:
    s = connection.settings_dict
    url = f"postgres://{s['USER']}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "EMAIL_BACKEND": "smtp",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_USE_TLS": "0",
        "SITE_URL": "http://testserver",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "send_digest", "--batch-size", "10"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture
def readers():
    make_article(headline="Cranes return to the Hula", published_at=timezone.now())
    return [make_subscriber(email=f"reader{n:03}@example.com").email for n in range(60)]


def serve(server: Server):
    port = free_port()
    controller = Controller(server, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port


def test_a_sender_killed_mid_send_is_resumed_at_once_nobody_twice_nobody_skipped(readers):
    server = Server()
    server.kill_at = 25
    controller, port = serve(server)
    try:
        first = sender(port)
        server.victim = first.pid
        first.wait(timeout=120)
        assert first.returncode == -signal.SIGKILL
        at_kill = len(server.received)

        started = time.monotonic()
        server.kill_at = None
        rerun = sender(port)
        output, _ = rerun.communicate(timeout=120)
        waited = time.monotonic() - started
    finally:
        controller.stop()

    assert rerun.returncode == 0, output
    per_reader = Counter(m.to for m in server.received)
    skipped = [r for r in readers if per_reader[r] == 0]
    distinct = message_ids(server)
    twice = [key for key, n in distinct.items() if n > 1]
    resent = sum(per_reader.values()) - len(readers)
    shown_twice = [r for r in readers if sum(1 for (to, _) in distinct if to == r) > 1]
    print(
        f"SIGKILL after {at_kill} of {len(readers)} messages; rerun finished in {waited:.1f} s: "
        f"skipped {len(skipped)}, mailed twice {len(shown_twice)} (distinct messages); "
        f"{resent} message resent with the same Message-ID (the one in flight at the kill)"
    )
    assert skipped == []
    assert shown_twice == []  # a reader's mail client shows one digest
    assert resent <= 1  # at most the message the server had when the sender died
    assert len(twice) == resent
    assert waited < 60  # not refused by a lock of the dead sender
    assert Digest.objects.get().status == Digest.Status.SENT
    assert Delivery.objects.filter(status="sent").count() == len(readers)


def test_two_senders_at_once_with_a_slow_mail_server_send_no_message_twice(readers):
    server = Server(delay=0.05)  # 60 messages take at least 3 s: the senders overlap
    controller, port = serve(server)
    try:
        both = [sender(port), sender(port)]
        outputs = [process.communicate(timeout=180)[0] for process in both]
    finally:
        controller.stop()

    per_reader = Counter(m.to for m in server.received)
    doubled = [r for r in readers if per_reader[r] > 1]
    skipped = [r for r in readers if per_reader[r] == 0]
    refused = [out for out in outputs if "being sent by another process" in out]
    print(
        f"two senders, slow SMTP: {sum(per_reader.values())} messages to {len(readers)} readers; "
        f"one refused: {len(refused) == 1}; doubled {len(doubled)}, skipped {len(skipped)}"
    )
    assert (doubled, skipped) == ([], [])
    assert len(refused) == 1, outputs
    assert sorted(p.returncode for p in both) == [0, 1]
