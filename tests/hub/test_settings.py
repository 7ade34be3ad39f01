"""Settings per environment. Each variant imports the settings in a fresh interpreter with a
controlled environment and dumps what matters as JSON; the variants run concurrently."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# Everything the settings read: removed from the inherited environment so a developer's or
# CI's own values can't leak into a variant.
SETTINGS_ENV = (
    "DJANGO_SETTINGS_MODULE",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "REDIS_URL",
    "CACHE_KEY_PREFIX",
    "LANGUAGE_CODE",
    "TIME_ZONE",
    "LECTERN_VAR_DIR",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "SECURE_COOKIES",
    "LOG_LEVEL",
)

DUMP_SETTINGS = """
import json

import django
from django.conf import settings

django.setup()
from channels.layers import get_channel_layer

layer = get_channel_layer()
db = settings.DATABASES["default"]
dump = {
    "DEBUG": settings.DEBUG,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "CSRF_TRUSTED_ORIGINS": settings.CSRF_TRUSTED_ORIGINS,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "TIME_ZONE": settings.TIME_ZONE,
    "LANGUAGE_CODE": settings.LANGUAGE_CODE,
    "DATABASE": {key: db.get(key) for key in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST",
                                              "PORT", "OPTIONS", "CONN_MAX_AGE")},
    "CACHE": settings.CACHES["default"],
    "LAYER_CLASS": f"{type(layer).__module__}.{type(layer).__qualname__}",
    "LAYER_CONFIG": settings.CHANNEL_LAYERS["default"].get("CONFIG", {}),
}
if hasattr(layer, "hosts"):
    # The socket timeout a connection of the layer really gets, redis-py defaults included.
    from channels_redis.utils import create_pool

    connection = create_pool(layer.hosts[0]).make_connection()
    dump["LAYER_SOCKET_TIMEOUT"] = connection.socket_timeout
    dump["LAYER_CONNECT_TIMEOUT"] = connection.socket_connect_timeout
print(json.dumps(dump, default=str))
"""

REDIS_URL = "redis://redis.internal:6380/2"
CONFIGURED_ENV = {
    "SECRET_KEY": "prod-secret-for-tests",
    "DATABASE_URL": "postgres://lectern:s3cret@db.internal:5433/lectern_prod",
    "REDIS_URL": REDIS_URL,
    "ALLOWED_HOSTS": "lectern.example.com, 10.0.0.5 ,,",
    "CSRF_TRUSTED_ORIGINS": "https://lectern.example.com,https://10.0.0.5",
    "TIME_ZONE": "UTC",
    "LANGUAGE_CODE": "en",
}


def start_settings(module: str, code: str, **env: str) -> subprocess.Popen:
    clean_env = {key: value for key, value in os.environ.items() if key not in SETTINGS_ENV}
    return subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**clean_env, **env, "DJANGO_SETTINGS_MODULE": module},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen) -> subprocess.CompletedProcess:
    stdout, stderr = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def settings_dump(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def variants() -> dict[str, dict]:
    """Production settings with only SECRET_KEY, and with every variable set."""
    started = {
        "prod_defaults": start_settings(
            "hub.settings.prod", DUMP_SETTINGS, SECRET_KEY="prod-secret-for-tests"
        ),
        "prod_configured": start_settings("hub.settings.prod", DUMP_SETTINGS, **CONFIGURED_ENV),
    }
    finished = {name: finish(process) for name, process in started.items()}
    return {name: settings_dump(result) for name, result in finished.items()}


@pytest.mark.parametrize("secret_key", [None, ""], ids=["unset", "empty"])
def test_prod_refuses_to_start_without_secret_key(secret_key):
    env = {} if secret_key is None else {"SECRET_KEY": secret_key}
    result = finish(start_settings("hub.settings.prod", "import django; django.setup()", **env))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set in production" in result.stderr


def test_prod_starts_with_secret_key_and_is_locked_down(variants):
    prod = variants["prod_defaults"]
    assert prod["DEBUG"] is False
    assert prod["SESSION_COOKIE_SECURE"] is True


def test_defaults_are_chinese_shanghai_sqlite_and_in_memory(variants):
    prod = variants["prod_defaults"]
    assert prod["TIME_ZONE"] == "Asia/Shanghai"
    assert prod["LANGUAGE_CODE"] == "zh-hans"
    assert prod["ALLOWED_HOSTS"] == ["localhost", "127.0.0.1", "[::1]"]
    assert prod["CSRF_TRUSTED_ORIGINS"] == []
    database = prod["DATABASE"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(BASE_DIR / "var" / "lectern.sqlite3")
    assert database["OPTIONS"]["timeout"] == 20
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]
    assert prod["LAYER_CLASS"] == "channels.layers.InMemoryChannelLayer"
    assert prod["CACHE"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_redis_url_selects_redis_layer_without_read_timeout_and_redis_cache(variants):
    configured = variants["prod_configured"]
    assert configured["LAYER_CLASS"] == "channels_redis.core.RedisChannelLayer"
    # redis-py 8's default 5 s read timeout equals channels_redis's 5 s blocking read and
    # drops idle WebSockets with 1011 (docs/live-ceiling.md): it must be off.
    assert configured["LAYER_SOCKET_TIMEOUT"] is None
    assert configured["LAYER_CONNECT_TIMEOUT"] == 5
    assert configured["LAYER_CONFIG"]["hosts"][0]["address"] == REDIS_URL
    assert configured["CACHE"]["BACKEND"] == "hub.cache.PrefixScopedRedisCache"
    assert configured["CACHE"]["LOCATION"] == REDIS_URL


def test_database_url_is_parsed(variants):
    database = variants["prod_configured"]["DATABASE"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["USER"], database["PASSWORD"]) == (
        "lectern_prod",
        "lectern",
        "s3cret",
    )
    assert (database["HOST"], database["PORT"]) == ("db.internal", 5433)
    assert database["CONN_MAX_AGE"] == 0
    # The SQLite-only pragmas must not leak into PostgreSQL's connection options.
    assert "init_command" not in database["OPTIONS"]


def test_hosts_and_trusted_origins_come_from_comma_lists(variants):
    configured = variants["prod_configured"]
    assert configured["ALLOWED_HOSTS"] == ["lectern.example.com", "10.0.0.5"]
    assert configured["CSRF_TRUSTED_ORIGINS"] == ["https://lectern.example.com", "https://10.0.0.5"]


def test_language_and_time_zone_can_be_overridden(variants):
    configured = variants["prod_configured"]
    assert (configured["LANGUAGE_CODE"], configured["TIME_ZONE"]) == ("en", "UTC")
