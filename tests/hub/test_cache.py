"""The Redis cache's clear() leaves the channel layer and other processes' keys alone."""

import uuid

import pytest
from django.conf import settings
from django.core.cache import cache

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL")


def test_clear_deletes_only_this_caches_keys():
    client = cache._cache.get_client(None, write=True)
    foreign = f"asgi-{uuid.uuid4().hex}:group:room-1"  # what channels_redis writes
    client.set(foreign, b"x", ex=60)
    cache.set("mine", 1)
    cache.set("also-mine", 2)
    try:
        assert cache.clear() is True
        assert cache.get("mine") is None
        assert cache.get("also-mine") is None
        assert client.get(foreign) == b"x"
    finally:
        client.delete(foreign)


def test_clear_with_many_keys_deletes_them_all():
    cache.set_many({f"k{i}": i for i in range(2_500)})
    cache.clear()
    assert cache.get_many([f"k{i}" for i in range(2_500)]) == {}
