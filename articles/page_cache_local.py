"""Each process's own copies of hot cached pages, kept exactly as fresh as the shared cache.

With the page cache in Redis, every cached answer costs one round trip to Redis (about
0.1 ms here, as much as the rest of the answer). A process may instead answer from its own
copy of a page, which it checked against Redis, for as long as nothing has been bumped since.
It learns of bumps through Redis pub/sub: ``page_cache.bump`` publishes each bump, and every
process's listener thread counts it (its *epoch*) and acknowledges it. A copy is only used
while the epoch it was checked at is still the process's epoch. The bump waits until every
listener has acknowledged it (at most ``PAGE_CACHE_ACK_SECONDS``), so when an editor's save
returns, no process anywhere still answers from a copy older than the edit.

Used only with a cache that has ``get_many_unchecked`` (``newsroom.cache.RedisCache``): local
memory is already local, and other backends have no pub/sub. While the listener is not
subscribed (starting, or reconnecting after an error), the copies are not used at all.
"""

import collections
import logging
import threading
import time
import uuid

from django.conf import settings

logger = logging.getLogger(__name__)

_by_alias: dict[tuple[str, str], "LocalCopies"] = {}  # by cache alias and channel
_by_alias_lock = threading.Lock()


def for_cache(alias: str, store, prefix: str) -> "LocalCopies | None":
    """The process's copies for the cache ``alias``, starting its listener on first use
    (after gunicorn forks its workers), or None where copies are not used."""
    if settings.PAGE_CACHE_LOCAL_ENTRIES <= 0 or not hasattr(store, "get_many_unchecked"):
        return None
    channel = f"{store.make_key(prefix)}:bumps"
    copies = _by_alias.get((alias, channel))
    if copies is None:
        with _by_alias_lock:
            copies = _by_alias.get((alias, channel))
            if copies is None:
                copies = _by_alias[alias, channel] = LocalCopies(store, channel)
                copies.start()
    return copies


def announce(alias: str, store, prefix: str) -> None:
    """Tell every process of a bump, and wait until each has counted it."""
    if not hasattr(store, "get_many_unchecked"):
        return
    channel = f"{store.make_key(prefix)}:bumps"
    client = store._cache.get_client(write=True)
    token = uuid.uuid4().hex
    try:
        receivers = client.publish(channel, token)
    except Exception:
        # No pub/sub (a restricted Redis): no listener can be subscribed either, so no
        # process uses copies; the bump itself is done.
        logger.warning("Page cache: could not announce a bump.", exc_info=True)
        return
    deadline = time.monotonic() + settings.PAGE_CACHE_ACK_SECONDS
    ack_key = f"{channel}:ack:{token}"
    while receivers and time.monotonic() < deadline:
        if int(client.get(ack_key) or 0) >= receivers:
            return
        time.sleep(0.0005)
    if receivers:
        logger.warning("Page cache: not every process acknowledged a bump in time.")


class LocalCopies:
    def __init__(self, store, channel: str):
        self.store = store
        self.channel = channel
        self.epoch = 0
        self.live = False
        self.copies: collections.OrderedDict = collections.OrderedDict()
        self.lock = threading.Lock()
        self.next_publish: tuple[int, float] | None = None  # (epoch, value)

    # The listener ---------------------------------------------------------------------

    def start(self) -> None:
        thread = threading.Thread(target=self._listen, name="page-cache-bumps", daemon=True)
        thread.start()
        deadline = time.monotonic() + 2
        while not self.live and time.monotonic() < deadline:
            time.sleep(0.001)

    def _listen(self) -> None:
        while True:
            try:
                client = self.store._cache.get_client(write=True)
                pubsub = client.pubsub()
                pubsub.subscribe(self.channel)
                while True:
                    # Polled with a timeout: the connection's own socket timeout would end a
                    # blocking read that waits longer than it for the next bump.
                    message = pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    if message["type"] == "subscribe":
                        # Bumps may have been missed while not subscribed: none of the copies
                        # made before counts.
                        self.epoch += 1
                        self.live = True
                    elif message["type"] == "message":
                        self.epoch += 1
                        token = message["data"].decode()
                        ack_key = f"{self.channel}:ack:{token}"
                        pipeline = client.pipeline(transaction=False)
                        pipeline.incr(ack_key)
                        pipeline.expire(ack_key, 60)
                        pipeline.execute()
            except Exception:
                logger.warning("Page cache: bump listener lost Redis; retrying.", exc_info=True)
            self.live = False
            self.epoch += 1
            time.sleep(1)

    # The copies -------------------------------------------------------------------------

    def get(self, key: str, now: float):
        """What was kept under ``key`` if this process's copy is still good, else None."""
        if not self.live:
            return None
        with self.lock:
            held = self.copies.get(key)
            if held is None:
                return None
            item, epoch, expires = held
            if epoch != self.epoch or now >= expires:
                del self.copies[key]
                return None
            self.copies.move_to_end(key)
            return item

    def keep(self, key: str, item, epoch: int, expires: float) -> None:
        """Keep ``item`` until ``expires`` (epoch seconds), checked against the shared cache
        while at ``epoch``."""
        if not self.live or epoch != self.epoch:
            return
        with self.lock:
            self.copies[key] = (item, epoch, expires)
            self.copies.move_to_end(key)
            while len(self.copies) > settings.PAGE_CACHE_LOCAL_ENTRIES:
                self.copies.popitem(last=False)

    def known_next_publish(self) -> float | None:
        held = self.next_publish
        if held is None or held[0] != self.epoch or not self.live:
            return None
        return held[1]

    def remember_next_publish(self, value: float, epoch: int) -> None:
        self.next_publish = (epoch, value)
