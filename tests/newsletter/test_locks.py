"""The digest sender's lock lasts exactly as long as the process holding it: another process
holding it refuses a sender, and once that process is killed (SIGKILL: no chance to clean
up) the digest can be sent at once, not minutes later. On PostgreSQL an advisory lock, on
SQLite an flock; both through a real second process."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection

from newsletter import locks, sending
from tests.factories import make_subscriber

pytestmark = pytest.mark.django_db

HOLD_PG = """
import sys, time, psycopg
conn = psycopg.connect(sys.argv[1], autocommit=True)
conn.execute("SELECT pg_advisory_lock(%s, %s)", (int(sys.argv[2]), int(sys.argv[3])))
print("held", flush=True)
time.sleep(60)
"""
HOLD_FILE = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_CREAT | os.O_RDWR, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(60)
"""


def hold_in_another_process(digest_id: int) -> subprocess.Popen:
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        dsn = f"host={s['HOST']} port={s['PORT'] or 5432} user={s['USER']} dbname={s['NAME']}"
        args = ["-c", HOLD_PG, dsn, str(locks.DIGEST_LOCK), str(digest_id)]
    else:
        args = ["-c", HOLD_FILE, str(locks._lock_file(digest_id))]
    holder = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_sender_is_refused_while_another_process_holds_the_digest_and_not_after_it_died(
    mailoutbox, digest
):
    make_subscriber()
    holder = hold_in_another_process(digest.pk)
    try:
        with pytest.raises(sending.DigestBusy, match="being sent by another process"):
            sending.send_digest(digest)
        assert len(mailoutbox) == 0
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)

    started = time.monotonic()
    report = sending.send_digest(digest)  # at once: no lock to wait out
    print(f"sent {time.monotonic() - started:.2f} s after the holder was killed")
    assert report.finished
    assert len(mailoutbox) == 1


def test_the_lock_is_the_processs_own_while_it_sends(digest):
    with locks.digest_lock(digest.pk) as held:
        assert held
        # A second hold, as a second sender in another thread or process would take it.
        if connection.vendor == "postgresql":
            pytest.skip("PostgreSQL advisory locks are re-entrant within one connection")
        with locks.digest_lock(digest.pk) as again:
            assert not again
    with locks.digest_lock(digest.pk) as after:
        assert after
