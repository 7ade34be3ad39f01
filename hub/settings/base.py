"""Settings shared by every environment, all read from environment variables.

``dev``, ``test`` and ``prod`` only override what differs. Every variable read here is
documented in the README's configuration table.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("LECTERN_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "hub",
    "library",
    "live",
    "evaluation",
    "tiers",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "channels",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "hub.admin_site.LecternAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "hub.csp.LecternCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hub.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: turns a locked-out login into hub.login_throttle's page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hub.urls"
ASGI_APPLICATION = "hub.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "hub.portal.context_processors.navigation",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'lectern.sqlite3'}",
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    # Wait for a competing writer instead of failing at once with "database is locked".
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    # Every transaction takes the write lock when it begins (BEGIN IMMEDIATE), so writers
    # queue behind the timeout above. A deferred transaction that reads first and writes
    # later (each select_for_update, a no-op on SQLite, then a save) gets SQLITE_BUSY at once,
    # without waiting, when another connection wrote in between: a 500 under parallel
    # enrolments, check-ins or grading (tests/hub/test_parallel_writes.py).
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer and cache --------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# Connections to Redis per process (one pool per event loop, i.e. per daphne process). The
# layer holds one for its blocking read and takes one per layer call in flight; redis-py
# raises "Too many connections" at once when the pool is full (it does not wait), which mass
# joins or leaves of consumers with their own channel (monitor, ping) reached at the default
# of 100. Processes x this must stay below Redis's `maxclients` (10,000 by default).
LECTERN_REDIS_MAX_CONNECTIONS = int(os.environ.get("LECTERN_REDIS_MAX_CONNECTIONS", "500"))
if REDIS_URL:
    # redis-py 8 defaults to a 5 s socket timeout, the same as channels_redis's blocking
    # read: an idle consumer then crashes and its WebSocket closes with 1011 every ~5 s
    # (docs/live-ceiling.md). No read timeout on the layer's connections; a
    # connect timeout still catches a dead server.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": None,
                        "socket_connect_timeout": 5,
                        "socket_keepalive": True,
                        "health_check_interval": 30,
                        "max_connections": LECTERN_REDIS_MAX_CONNECTIONS,
                    }
                ],
                "capacity": 1000,
                "expiry": 60,
                # Deployments (or test runs) sharing one Redis keep their groups apart.
                "prefix": os.environ.get("CHANNEL_LAYER_PREFIX", "asgi"),
            },
        }
    }
    # Its clear() deletes only this cache's keys: Django's own flushes the whole database,
    # the channel layer's groups included (hub/cache.py).
    CACHES = {
        "default": {
            "BACKEND": "hub.cache.PrefixScopedRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "lectern"),
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- background tasks ----------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- auth ----------------------------------------------------------------------------------
# django-axes first: it refuses a locked-out login before a password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "hub.organisation.auth.EmployeeBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (hub.login_throttle): this many failed logins for one account, or from one
# address, lock that account or address out for this many minutes. Counted in Redis's cache
# when REDIS_URL is set, else in the database: either way every process shares the counts.
LECTERN_LOGIN_FAILURE_LIMIT = int(os.environ.get("LECTERN_LOGIN_FAILURE_LIMIT", "5"))
LECTERN_LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LECTERN_LOGIN_LOCKOUT_MINUTES", "15"))
AXES_ENABLED = env_bool("LECTERN_LOGIN_THROTTLE", True)
AXES_HANDLER = (
    "axes.handlers.cache.AxesCacheHandler"
    if REDIS_URL
    else "axes.handlers.database.AxesDatabaseHandler"
)
AXES_FAILURE_LIMIT = LECTERN_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LECTERN_LOGIN_LOCKOUT_MINUTES)
# Either list item locks out on its own: the account (whatever the address) or the address
# (whatever the account: user names are sequential employee numbers).
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A lockout lasts the cool-off time from the last counted failure: attempts refused during
# it do not extend it (the message's "try again in M minutes" holds).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "hub.login_throttle.lockout_response"
AXES_ENABLE_ADMIN = False
AXES_DISABLE_ACCESS_LOG = True
# No "AXES: BEGIN version …" banner on every manage.py command.
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Content-Security-Policy (hub.csp) ---------------------------------------------------
# The hub's own pages: scripts only from here or with the request's nonce, never inline code
# or eval; no framing by other sites. Style attributes (progress bars) stay allowed. The H5P
# player sets its own, stricter header; the live room and recordings add their stream's origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "media-src": [SELF, "blob:"],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# The Wagtail and Django admins (/cms/, /django-admin/): Wagtail's page editor runs inline
# scripts (no eval: tests/browser/test_csp.py); it frames its page previews from the admin.
LECTERN_ADMIN_CSP = {
    **CONTENT_SECURITY_POLICY["DIRECTIVES"],
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    "frame-ancestors": [SELF],
}

# --- i18n ----------------------------------------------------------------------------------
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- static and media ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/h5p-standalone", BASE_DIR / "node_modules" / "h5p-standalone" / "dist"),
    ("vendor/hls.js", BASE_DIR / "node_modules" / "hls.js" / "dist"),
    ("vendor/chart.js", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Uploaded files that are never served directly (HR import files): see hub.storage.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- email ---------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Lectern <lectern@localhost>")

# --- Wagtail -------------------------------------------------------------------------------
# The admin's brand (templates/wagtailadmin/ override Wagtail's "Wagtail" titles with it).
WAGTAIL_SITE_NAME = "讲坛 Lectern"
# Avatars: no Gravatar (an external service the company network cannot reach); Wagtail shows
# its default avatar unless the user uploads one.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# --- Lectern -------------------------------------------------------------------------------
# Limits of the HR import (hub.organisation.imports): a bigger upload is refused before it
# is parsed.
LECTERN_IMPORT_MAX_BYTES = int(os.environ.get("LECTERN_IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
LECTERN_IMPORT_MAX_ROWS = int(os.environ.get("LECTERN_IMPORT_MAX_ROWS", "50000"))
LECTERN_SUBMISSION_MAX_BYTES = int(
    os.environ.get("LECTERN_SUBMISSION_MAX_BYTES", str(20 * 1024 * 1024))
)
DIRECTORY_PAGE_SIZE = 25
# Course videos (library.video): the largest MP4/WebM upload and WebVTT subtitle file.
LECTERN_VIDEO_MAX_BYTES = int(os.environ.get("LECTERN_VIDEO_MAX_BYTES", str(500 * 1024 * 1024)))
LECTERN_VIDEO_SUBTITLE_MAX_BYTES = int(
    os.environ.get("LECTERN_VIDEO_SUBTITLE_MAX_BYTES", str(1024 * 1024))
)
# Behind nginx: an internal location (e.g. "/_private/") aliased to PRIVATE_MEDIA_ROOT; the
# video view then checks the login and hands the bytes to nginx with X-Accel-Redirect.
LECTERN_VIDEO_ACCEL_REDIRECT = os.environ.get("LECTERN_VIDEO_ACCEL_REDIRECT", "")
# Behind nginx: an internal location (e.g. "/_media/") aliased to MEDIA_ROOT; /media/ checks
# the login, then nginx sends the file (hub.media). Empty: Django sends it.
LECTERN_MEDIA_ACCEL_REDIRECT = os.environ.get("LECTERN_MEDIA_ACCEL_REDIRECT", "")
# H5P packages (library.h5p): extracted files live under H5P_ROOT (default: PRIVATE_MEDIA_ROOT/h5p)
# and are served only through signed URLs; a package over these limits is refused from its zip
# directory before anything is unpacked.
H5P_ROOT = os.environ.get("LECTERN_H5P_ROOT", "")
H5P_MAX_UPLOAD_BYTES = int(os.environ.get("LECTERN_H5P_MAX_UPLOAD_BYTES", str(100 * 1024 * 1024)))
H5P_MAX_FILES = int(os.environ.get("LECTERN_H5P_MAX_FILES", "2000"))
H5P_MAX_FILE_BYTES = int(os.environ.get("LECTERN_H5P_MAX_FILE_BYTES", str(50 * 1024 * 1024)))
H5P_MAX_TOTAL_BYTES = int(os.environ.get("LECTERN_H5P_MAX_TOTAL_BYTES", str(200 * 1024 * 1024)))
H5P_MAX_COMPRESSION_RATIO = int(os.environ.get("LECTERN_H5P_MAX_COMPRESSION_RATIO", "100"))
# The H5P core API that h5p-standalone 3.8 provides; libraries needing a newer one are refused.
H5P_CORE_API = os.environ.get("LECTERN_H5P_CORE_API", "1.24")
# How long a player's signed file URLs stay valid (seconds).
H5P_FILE_TOKEN_MAX_AGE = int(os.environ.get("LECTERN_H5P_FILE_TOKEN_MAX_AGE", str(4 * 3600)))
H5P_XAPI_MAX_BYTES = int(os.environ.get("LECTERN_H5P_XAPI_MAX_BYTES", str(64 * 1024)))
# Storage each trainer's H5P uploads may keep (their content files and pending packages); 0: none.
H5P_USER_QUOTA_BYTES = int(os.environ.get("LECTERN_H5P_USER_QUOTA_BYTES", str(500 * 1024 * 1024)))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Wagtail logs every page create/edit/publish at INFO; the demo seed writes dozens.
        "wagtail": {"level": os.environ.get("WAGTAIL_LOG_LEVEL", "WARNING")},
    },
}
