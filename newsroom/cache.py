"""Django's Redis cache backend, keeping one redis-py client per connection pool.

Django's backend builds a new ``redis.Redis`` object for every cache call, and redis-py's
constructor fills a table of response callbacks each time: about 0.1 ms, as much as the rest
of a cached page's answer. A client is safe to share between threads (it takes a connection
from its pool for each command), so one per pool is kept here. ``get_many_unchecked`` serves
the page cache's hot path.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusingClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingClient

    def get_many_unchecked(self, keys):
        """``get_many`` for keys known to be valid for every backend (the page cache's own),
        skipping the per-key checks: the page cache's hot path, one MGET."""
        made = [self.make_key(key) for key in keys]
        values = self._cache.get_client(made[0]).mget(made)
        loads = self._cache._serializer.loads
        return {
            key: loads(value) for key, value in zip(keys, values, strict=True) if value is not None
        }
