"""The Redis channel layer's connection settings (hub/settings/base.py) reach the pool that
channels_redis builds: no read timeout (an idle room keeps its sockets) and a pool sized by
LECTERN_REDIS_MAX_CONNECTIONS (redis-py refuses, it does not wait, past the limit)."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer
from django.conf import settings

REDIS = "redis://127.0.0.1:6379/0"
BASE = Path(settings.BASE_DIR) / "hub" / "settings" / "base.py"


def _layer_config(monkeypatch, **env: str) -> dict:
    """CHANNEL_LAYERS of a fresh reading of hub/settings/base.py under ``env``."""
    monkeypatch.delenv("LECTERN_REDIS_MAX_CONNECTIONS", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(BASE))["CHANNEL_LAYERS"]["default"]


def _pool(layer_config: dict):
    """The pool channels_redis makes for the first host (built, not connected)."""
    layer = RedisChannelLayer(**layer_config["CONFIG"])
    return layer, layer.create_pool(0)


def test_pool_size_comes_from_the_environment(monkeypatch):
    config = _layer_config(monkeypatch, REDIS_URL=REDIS, LECTERN_REDIS_MAX_CONNECTIONS="37")
    _layer, pool = _pool(config)
    assert config["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    assert pool.max_connections == 37


def test_pool_size_default_is_above_redis_pys_100(monkeypatch):
    _layer, pool = _pool(_layer_config(monkeypatch, REDIS_URL=REDIS))
    assert pool.max_connections == 500


def test_layer_connections_never_time_out_a_blocking_read(monkeypatch):
    """redis-py 8's 5 s socket timeout equals the layer's 5 s blocking read (``brpop_timeout``):
    no read timeout, but a connect timeout and keep-alive to notice a dead server."""
    _layer, pool = _pool(_layer_config(monkeypatch, REDIS_URL=REDIS))
    options = pool.connection_kwargs
    assert options["socket_timeout"] is None
    assert options["socket_connect_timeout"] == 5
    assert options["socket_keepalive"] is True


def test_without_redis_the_layer_is_in_memory(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    config = _layer_config(monkeypatch, LECTERN_REDIS_MAX_CONNECTIONS="37")
    assert config == {"BACKEND": "channels.layers.InMemoryChannelLayer"}


@pytest.mark.skipif(not settings.REDIS_URL, reason="the running layer is Redis only with REDIS_URL")
def test_the_running_layer_uses_the_configured_pool():
    layer = get_channel_layer()
    pool = layer.create_pool(0)
    assert pool.max_connections == settings.LECTERN_REDIS_MAX_CONNECTIONS
    assert pool.connection_kwargs["socket_timeout"] is None
