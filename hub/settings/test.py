"""The test suite: fast hashing, inline tasks, no manifest for static files."""

import os

from .base import *  # noqa: F403
from .base import STORAGES

DEBUG = False
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

# Parallel test processes (pytest-xdist) share one Redis: keep their groups and keys apart.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
if REDIS_URL:  # noqa: F405
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"lectern-test-{_worker}"  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = f"lectern-test-{_worker}"  # noqa: F405
