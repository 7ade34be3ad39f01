"""The test suite: fast hashing, inline tasks, no manifest for static files."""

import os

from hub.settings.base import *  # noqa: F403
from hub.settings.base import DATABASES, STORAGES, VAR_DIR, env_bool

DEBUG = False
# A file, not :memory:, so the browser tests' daphne subprocess can share the test database;
# pytest-xdist appends _gw0, _gw1 …; the pid keeps concurrent runs of one checkout apart.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-lectern-{os.getpid()}.sqlite3")}
SECRET_KEY = os.environ.get("SECRET_KEY") or "test-only-insecure-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Django's test client logs in without a request, which django-axes refuses; the login
# throttling tests turn it on for themselves (and for their daphne, with this variable).
AXES_ENABLED = env_bool("LECTERN_LOGIN_THROTTLE", False)

# Parallel test processes (pytest-xdist) share one Redis: keep their groups and keys apart.
# A test that starts daphne processes of its own names their shared prefix explicitly.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
if REDIS_URL:  # noqa: F405
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = os.environ.get(  # noqa: F405
        "CHANNEL_LAYER_PREFIX", f"lectern-test-{_worker}"
    )
    CACHES["default"]["KEY_PREFIX"] = os.environ.get(  # noqa: F405
        "CACHE_KEY_PREFIX", f"lectern-test-{_worker}"
    )

# The test suite's async tests share asgiref's database thread with the live rooms; a
# connection kept open there (live.db) was seen left inside a transaction on PostgreSQL,
# blocking the flush between tests. Tests close it after every call, as Channels does.
LIVE_DB_KEEP_CONNECTION = False
