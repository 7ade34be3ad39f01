"""The Redis cache, scoped to its own keys.

Django's ``RedisCache.clear()`` runs ``FLUSHDB``: it wipes the whole Redis database, and with
it the channel layer's groups (every connected WebSocket stops receiving its room's events)
and any other deployment or test process sharing that database. Here ``clear()`` deletes only
the keys this cache made, i.e. those under its ``KEY_PREFIX``.
"""

import re

from django.core.cache.backends.redis import RedisCache

_GLOB_SPECIAL = re.compile(r"([\\*?\[\]])")


class PrefixScopedRedisCache(RedisCache):
    def clear(self) -> bool:
        client = self._cache.get_client(None, write=True)
        # make_key() writes "<KEY_PREFIX>:<version>:<key>"; an empty prefix gives ":<v>:<k>".
        pattern = _GLOB_SPECIAL.sub(r"\\\1", self.key_prefix) + ":*"
        batch: list[bytes] = []
        for key in client.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                client.delete(*batch)
                batch.clear()
        if batch:
            client.delete(*batch)
        return True
