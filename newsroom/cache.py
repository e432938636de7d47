"""A Redis cache backend that fails open: while Redis does not answer, the cache is empty.

Django's own Redis backend raises whatever redis-py raises, so a stopped Redis turns every
request that touches the cache into a 500, and a hung one holds each request for its socket
timeout. This backend (``BaseCache`` on redis-py, nothing private of either) puts a circuit
breaker in front of Redis instead:

- Every command has a short timeout (``OPTIONS["timeout"]``, seconds, default 0.05) and is
  not retried after one (a refused connection is, once, at once), so a failure costs at most
  that, once.
- The first failure *opens* the breaker: for ``OPTIONS["retry_after"]`` seconds (default 2)
  no command is sent at all and the cache behaves like Django's dummy cache: ``get`` misses,
  ``set`` and ``delete`` do nothing, ``add`` says it added, ``incr`` finds no key. Pages are
  rendered uncached, saves and signups go on, nothing waits.
- Then one caller tries again; success closes the breaker, failure keeps it open.

``outages`` counts how often the breaker opened in this process: a writer whose commands were
dropped meanwhile may have left stale entries behind, so the page cache (``newsroom.page_cache``)
treats everything stored before an outage as stale once Redis is back. ``available`` says
whether the breaker is closed, and ``guarded(call, default)`` runs any other redis-py command
on ``client`` under the same breaker.

One client and one breaker are kept per Redis address and options for the whole process (a
redis-py client is thread-safe and reconnects after a fork), so threads share what they learn.
Integers are stored as plain Redis integers (``incr`` and scripts can use them), everything
else pickled. ``clear()`` deletes this cache's own keys (its ``KEY_PREFIX`` and version), never
a whole Redis database another program may share.
"""

import logging
import pickle
import threading
import time
from dataclasses import dataclass, field

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

FAILURES = (redis.RedisError, OSError)


@dataclass
class Breaker:
    """Whether Redis is worth asking: closed (yes), or open until ``retry_at`` (no)."""

    retry_after: float
    retry_at: float = 0.0  # time.monotonic(); 0: closed
    outages: int = 0
    probe: threading.Lock = field(default_factory=threading.Lock)

    @property
    def available(self) -> bool:
        return not self.retry_at

    def run(self, call, default):
        """``call()``, or ``default`` while open (or when the call fails, which opens it).
        Once the wait is over, one caller at a time tries again."""
        probing = False
        if self.retry_at:
            if time.monotonic() < self.retry_at or not self.probe.acquire(blocking=False):
                return default
            probing = True
        try:
            result = call()
        except FAILURES as error:
            self._failed(error)
            return default
        else:
            if self.retry_at:
                self.retry_at = 0.0
                logger.warning("Cache: Redis answers again; the cache is back.")
            return result
        finally:
            if probing:
                self.probe.release()

    def _failed(self, error: Exception) -> None:
        if not self.retry_at:
            self.outages += 1
            logger.warning(
                "Cache: Redis failed (%s: %s); serving without the cache, retrying every %s s.",
                type(error).__name__,
                error,
                self.retry_after,
            )
        self.retry_at = time.monotonic() + self.retry_after


_shared: dict[tuple, tuple[redis.Redis, Breaker]] = {}
_shared_lock = threading.Lock()


def _client_and_breaker(location: str, timeout: float, retry_after: float):
    key = (location, timeout, retry_after)
    with _shared_lock:
        if key not in _shared:
            client = redis.Redis.from_url(
                location,
                socket_timeout=timeout,
                socket_connect_timeout=timeout,
                # A refused or dropped connection (a pooled one Redis closed while idle, a
                # restart) is tried once more at once, on a new connection; a timeout is not:
                # the breaker, not a retry loop, decides when to ask again.
                retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
            )
            _shared[key] = (client, Breaker(retry_after=retry_after))
        return _shared[key]


def dumps(value) -> bytes | int:
    # type(), not isinstance(): True is an int too, and must come back as True.
    return value if type(value) is int else pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


def loads(data: bytes):
    try:
        return int(data)
    except ValueError:
        return pickle.loads(data)  # noqa: S301 - our own values, in our own Redis


class RedisCache(BaseCache):
    def __init__(self, server: str, params: dict):
        super().__init__(params)
        options = params.get("OPTIONS", {})
        self.client, self.breaker = _client_and_breaker(
            server, float(options.get("timeout", 0.05)), float(options.get("retry_after", 2))
        )

    # The breaker ------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        return self.breaker.available

    @property
    def outages(self) -> int:
        return self.breaker.outages

    def guarded(self, call, default=None):
        """``call()`` if Redis may be asked and answers, else ``default``."""
        return self.breaker.run(call, default)

    # Django's cache API -----------------------------------------------------------------

    def _seconds(self, timeout) -> int | None:
        """Seconds to keep a key (None: for good; 0: not at all)."""
        if timeout is DEFAULT_TIMEOUT:
            timeout = self.default_timeout
        return None if timeout is None else max(0, int(timeout))

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        seconds = self._seconds(timeout)
        if seconds == 0:  # added and gone at once, as Django's backends do it
            return not self.has_key(key, version=version)
        key = self.make_and_validate_key(key, version=version)
        added = self.guarded(lambda: self.client.set(key, dumps(value), ex=seconds, nx=True), True)
        return bool(added)

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        value = self.guarded(lambda: self.client.get(key))
        return default if value is None else loads(value)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        key = self.make_and_validate_key(key, version=version)
        seconds = self._seconds(timeout)
        if seconds == 0:
            self.guarded(lambda: self.client.delete(key))
        else:
            self.guarded(lambda: self.client.set(key, dumps(value), ex=seconds))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        seconds = self._seconds(timeout)
        if seconds is None:
            return bool(self.guarded(lambda: self.client.persist(key), False))
        return bool(self.guarded(lambda: self.client.expire(key, seconds), False))

    def delete(self, key, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        return bool(self.guarded(lambda: self.client.delete(key), 0))

    def get_many(self, keys, version=None) -> dict:
        made = {self.make_and_validate_key(key, version=version): key for key in keys}
        if not made:
            return {}
        values = self.guarded(lambda: self.client.mget(list(made)), [])
        return {made[k]: loads(v) for k, v in zip(made, values, strict=False) if v is not None}

    def has_key(self, key, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        return bool(self.guarded(lambda: self.client.exists(key), 0))

    def incr(self, key, delta=1, version=None) -> int:
        key = self.make_and_validate_key(key, version=version)

        def incr_existing():
            pipeline = self.client.pipeline(transaction=True)
            pipeline.exists(key)
            pipeline.incrby(key, delta)
            exists, value = pipeline.execute()
            if not exists:  # INCRBY made it from nothing: undo, as a missing key is an error
                self.client.delete(key)
                return None
            return value

        value = self.guarded(incr_existing)
        if value is None:
            raise ValueError(f"Key {key!r} not found.")
        return value

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None) -> list:
        if not data:
            return []
        seconds = self._seconds(timeout)
        made = {self.make_and_validate_key(k, version=version): dumps(v) for k, v in data.items()}

        def write():
            pipeline = self.client.pipeline(transaction=False)
            if seconds == 0:
                pipeline.delete(*made)
            else:
                for key, value in made.items():
                    pipeline.set(key, value, ex=seconds)
            pipeline.execute()
            return True

        return [] if self.guarded(write, False) else list(data)

    def delete_many(self, keys, version=None) -> None:
        made = [self.make_and_validate_key(key, version=version) for key in keys]
        if made:
            self.guarded(lambda: self.client.delete(*made))

    def clear(self) -> bool:
        """Delete this cache's keys (its prefix and version), nothing else in the database."""
        pattern = self.make_key("*")

        def delete_own():
            batch = []
            for key in self.client.scan_iter(match=pattern, count=1000):
                batch.append(key)
                if len(batch) == 1000:
                    self.client.delete(*batch)
                    batch = []
            if batch:
                self.client.delete(*batch)
            return True

        return bool(self.guarded(delete_own, False))
