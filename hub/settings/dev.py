"""The one-command demo: SQLite in var/, in-memory channel layer unless REDIS_URL is set."""

import os

from hub.settings.base import *  # noqa: F403
from hub.settings.base import env_bool

DEBUG = env_bool("DEBUG", True)
# A development-only key; prod.py refuses to start without a real SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key-do-not-use-in-production"
