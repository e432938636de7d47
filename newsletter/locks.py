"""A digest sender's lock: held exactly as long as the process that took it.

On PostgreSQL it is a session advisory lock (``pg_try_advisory_lock``) on the sender's own
connection: the server drops it the moment that connection ends, so a sender killed with
SIGKILL (or a machine that died) frees the digest at once, and a live sender keeps it however
slow its mail server is. On SQLite it is an ``flock`` on a file beside the database: the
kernel drops it when the process dies, for the same guarantees on one machine (which is
where SQLite runs).
"""

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

DIGEST_LOCK = 7_120_002  # the advisory lock's first key: the newsletter's digests


def _lock_file(digest_id: int) -> Path:
    name = str(connection.settings_dict["NAME"])
    folder = Path(name).parent if os.path.isabs(name) else Path(tempfile.gettempdir())
    database = hashlib.sha256(name.encode()).hexdigest()[:12]
    return folder / f".newsroom-digest-{database}-{digest_id}.lock"


@contextmanager
def digest_lock(digest_id: int) -> Iterator[bool]:
    """Try to hold the digest; yields whether this process holds it (False: another does)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [DIGEST_LOCK, digest_id])
            held = cursor.fetchone()[0]
        try:
            yield held
        finally:
            if held:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [DIGEST_LOCK, digest_id])
        return
    descriptor = os.open(_lock_file(digest_id), os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            held = True
        except BlockingIOError:
            held = False
        yield held
    finally:
        os.close(descriptor)  # closing the file drops the lock


def sender_lock():
    """Held by a whole `send_digest` run, so two runs cannot both make a new digest of the
    same stories (digest ids start at 1; 0 is the run's own)."""
    return digest_lock(0)
