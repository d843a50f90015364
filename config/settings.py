"""Marquee settings: one module, driven by environment variables.

Development (`DEBUG=1`) runs on SQLite with a local-memory cache and media on disk.
Production sets `SECRET_KEY`, `ALLOWED_HOSTS`, `DATABASE_URL` and friends; see README.md.
"""

import hashlib
import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    """The variable's value, stripped; `default` when unset or blank.

    Every setting is read through one of these helpers, so a bad value stops the start with a
    message that names the variable.
    """
    value = os.environ.get(name, "").strip()
    return value or default


def env_bool(name: str, default: bool = False) -> bool:
    value = env_str(name).lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false).")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None


def env_float(name: str, default: float) -> float:
    value = env_str(name)
    if not value:
        return default
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number.") from None


def env_json(name: str, default):
    value = env_str(name)
    if not value:
        return default
    try:
        return json.loads(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} is not valid JSON: {error}") from None


DEBUG = env_bool("DEBUG", False)

_DEV_SECRET_KEY = "django-insecure-marquee-development-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production (DEBUG off) needs a long random SECRET_KEY; "
            "for local development set DEBUG=1."
        )
    SECRET_KEY = _DEV_SECRET_KEY
elif SECRET_KEY == _DEV_SECRET_KEY and not DEBUG:
    raise ImproperlyConfigured("SECRET_KEY is the development key; set a real one.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
# Origins allowed to POST from another origin (e.g. "https://marquee.example"); same-origin
# requests need nothing here.
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # search fields; harmless on SQLite
    "django.contrib.sitemaps",
    "markdownx",
    "reversion",
    "axes",
    "django_tasks_db",
    "tasks",
    "config.apps.SiteConfig",
    "pagecache",
    "films",
    "reviews",
]

MIDDLEWARE = [
    "config.middleware.RequestIdMiddleware",
    "config.middleware.DatabaseDeadlineMiddleware",
    "config.middleware.ProxyClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "config.middleware.PermissionsPolicyMiddleware",
    "config.middleware.NullCharacterMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Staff read and type times in their own zone in the admin (reviews/timezones.py).
    "reviews.timezones.EditorTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]
if not DEBUG:
    # Static files from STATIC_ROOT (after `collectstatic`), right after SecurityMiddleware so
    # they skip the rest; development serves them through runserver instead.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

ROOT_URLCONF = "config.urls"

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
                "django.template.context_processors.csp",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# Database: SQLite in the project folder unless DATABASE_URL says otherwise
# (postgres://user:pass@host:5432/name is served by psycopg 3). Connections persist for
# DB_CONN_MAX_AGE seconds and are checked before reuse, so a restarted server costs one retry.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0 if DEBUG else 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server and a management command share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

# A read replica: reads go there, writes and transactions to the primary (config/routers.py).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0 if DEBUG else 60),
        conn_health_checks=True,
        test_options={"MIRROR": "default"},
    )
DATABASE_ROUTERS = ["config.routers.PrimaryReplicaRouter"]

# Timeouts, so a slow or hung PostgreSQL costs a request seconds, never a worker (README, "What
# the site does when a service fails"). DB_CONNECT_TIMEOUT bounds opening a connection;
# DB_STATEMENT_TIMEOUT has the server cancel a statement that runs longer. 0 turns either off,
# e.g. for a migration that rewrites a large table: `DB_STATEMENT_TIMEOUT=0 manage.py migrate`.
# A frozen server cancels nothing: a request still running DB_REQUEST_TIMEOUT seconds after it
# began has its database connections cut (config/dbdeadline.py) and answers 503, well before
# gunicorn's timeout would kill the worker; /healthz gives the database HEALTHZ_TIMEOUT seconds.
DB_CONNECT_TIMEOUT = env_int("DB_CONNECT_TIMEOUT", 3)
# Off with DEBUG: test runs create and drop databases on a shared, busy server.
DB_STATEMENT_TIMEOUT = env_int("DB_STATEMENT_TIMEOUT", 0 if DEBUG else 10)
DB_REQUEST_TIMEOUT = env_int("DB_REQUEST_TIMEOUT", 12)
HEALTHZ_TIMEOUT = 2

# Prepared statements, off by default: an opt-in knob. PostgreSQL plans a statement anew each
# time it is sent, and on the review page planning took longer than running; with
# DB_PREPARE_THRESHOLD=N psycopg binds parameters on the server and prepares a statement once it
# has been sent N times on a connection, so PostgreSQL may reuse its plan. Off by default because
# it is unsafe behind a pooler that cannot keep prepared statements (PgBouncer in transaction mode
# before 1.21 or without max_prepared_statements), because server-side binding sends integers
# typed for their column (an id beyond the column's range is wrapped by psycopg, not refused;
# Marquee checks ranges before writing, other writers might not), and because a kept statement
# whose result type a migration changed fails until the app servers reload (README).
PREPARE_THRESHOLD = env_int("DB_PREPARE_THRESHOLD", 0)
# PostgreSQL's JIT compiles any query its planner costs high, which the related-reviews query on
# a 5,000-review archive is: ~110 ms of compiling for ~20 ms of work (bench/NOTES.md). Marquee's
# queries are short; DB_JIT=1 turns it back on.
DB_JIT = env_bool("DB_JIT", False)
for database in DATABASES.values():
    if database["ENGINE"] != "django.db.backends.postgresql":
        continue
    options = database.setdefault("OPTIONS", {})
    if DB_CONNECT_TIMEOUT > 0:
        options.setdefault("connect_timeout", DB_CONNECT_TIMEOUT)
    server_options = [options.get("options", "")]
    if DB_STATEMENT_TIMEOUT > 0:
        server_options.append(f"-c statement_timeout={DB_STATEMENT_TIMEOUT * 1000}")
    if not DB_JIT:
        server_options.append("-c jit=off")
    options["options"] = " ".join(filter(None, server_options))
    if PREPARE_THRESHOLD > 0:
        options.update(server_side_binding=True, prepare_threshold=PREPARE_THRESHOLD)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# dumpdata/loaddata JSON that keeps timestamps to the microsecond (config/serializers.py).
SERIALIZATION_MODULES = {"json": "config.serializers"}

# django-axes first: it refuses a locked-out username + address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(seconds=env_int("AXES_COOLOFF_SECONDS", 3600))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Only staff sign in: their sessions end after SESSION_COOKIE_AGE seconds (8 hours).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")

MEDIA_URL = env_str("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")

# Uploads go through Django's storage API, so object storage is configuration, not code:
# MEDIA_STORAGE_BACKEND names a storage class (e.g. django-storages' S3 backend, installed
# separately) and MEDIA_STORAGE_OPTIONS its options as JSON. See README "Deploying".
# Static files: hashed names and gzip copies served by WhiteNoise with far-future
# Cache-Control, once `collectstatic` has run; development serves them from the app folders.
STORAGES = {
    "default": {
        "BACKEND": env_str("MEDIA_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env_json("MEDIA_STORAGE_OPTIONS", {}),
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Images (posters, photos, hero images): real images only, at most this many bytes.
MARQUEE_MAX_IMAGE_BYTES = env_int("MARQUEE_MAX_IMAGE_BYTES", 5 * 1024 * 1024)
MARQUEE_MAX_IMAGE_PIXELS = env_int("MARQUEE_MAX_IMAGE_PIXELS", 40_000_000)
MARQUEE_SITE_NAME = env_str("MARQUEE_SITE_NAME", "Marquee")
# Feeds carry each review's intro; on, the whole review (every section) instead.
MARQUEE_FEED_FULL_TEXT = env_bool("MARQUEE_FEED_FULL_TEXT", False)

# TMDB (films/tmdb.py): the v4 "API Read Access Token" from https://www.themoviedb.org/settings/api,
# sent as a bearer token. Without it, films come only from saved JSON files.
TMDB_API_TOKEN = env_str("TMDB_API_TOKEN", "")
TMDB_API_URL = os.environ.get("TMDB_API_URL", "https://api.themoviedb.org/3")
TMDB_IMAGE_URL = os.environ.get("TMDB_IMAGE_URL", "https://image.tmdb.org/t/p/")
TMDB_REQUESTS_PER_SECOND = env_int("TMDB_REQUESTS_PER_SECOND", 20)
TMDB_TIMEOUT = env_int("TMDB_TIMEOUT", 10)  # seconds per request
# The country (ISO 3166-1) whose certification, release and watch providers the site shows.
MARQUEE_REGION = os.environ.get("MARQUEE_REGION", "GB").strip().upper()

# markdownx: the live preview uses the project's sanitising renderer.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "reviews.markdown.render"
MARKDOWNX_MEDIA_PATH = "uploads/"

# REDIS_URL (redis://host:6379/0) moves the cache, and with it sessions, to Redis. The backend
# treats an unreachable Redis as a miss and logs a warning, so an outage only slows pages.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "marquee"),
            "OPTIONS": {
                "socket_connect_timeout": float(os.environ.get("REDIS_CONNECT_TIMEOUT", "0.5")),
                "socket_timeout": float(os.environ.get("REDIS_TIMEOUT", "0.5")),
            },
        }
    }
    # Sessions read from Redis, written through to the database: survives a Redis restart.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "marquee",
        }
    }


def source_digest() -> str:
    """A digest of Marquee's code, templates and static files (what a deploy changes)."""
    digest = hashlib.sha256()
    for folder in sorted(BASE_DIR.iterdir()):
        if folder.name in {"tests", "bench"} or not (
            (folder / "__init__.py").exists() or folder.name in {"templates", "static"}
        ):
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix not in {".pyc"}:
                digest.update(str(path.relative_to(BASE_DIR)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


# The page cache (pagecache/): whole anonymous pages, kept MARQUEE_PAGE_CACHE_SECONDS and
# retired by tag when what they show changes; browsers may reuse a page MARQUEE_PAGE_MAX_AGE
# seconds, a front cache MARQUEE_FRONT_CACHE_SECONDS (long only when it is purged by tag:
# MARQUEE_PURGE). MARQUEE_RELEASE names the code's version in cache keys, so a deploy never
# serves HTML made by the code before it (a digest of the source unless set).
MARQUEE_RELEASE = env_str("MARQUEE_RELEASE") or source_digest()
MARQUEE_PAGE_CACHE_SECONDS = env_int("MARQUEE_PAGE_CACHE_SECONDS", 600)
MARQUEE_ARTICLE_CACHE_SECONDS = env_int("MARQUEE_ARTICLE_CACHE_SECONDS", 24 * 3600)
MARQUEE_PAGE_MAX_AGE = env_int("MARQUEE_PAGE_MAX_AGE", 60)
# Front-cache purges by tag: {"BACKEND": "pagecache.purge.VarnishPurger", "URL": "http://…"} or
# {"BACKEND": "pagecache.purge.HTTPPurger", "URL": …, "HEADERS": {…}, "FIELD": "tags"} (JSON).
MARQUEE_PURGE = env_json("MARQUEE_PURGE", None)
MARQUEE_FRONT_CACHE_SECONDS = env_int(  # 0: as long as browsers
    "MARQUEE_FRONT_CACHE_SECONDS", 24 * 3600 if MARQUEE_PURGE else 0
)
# How often (seconds) each process asks the database whether a retirement is waiting to reach
# the cache (a Redis fault); until it is written no cached page is served.
MARQUEE_PAGE_CACHE_RECHECK = env_float("MARQUEE_PAGE_CACHE_RECHECK", 1.0)

LOGIN_URL = "admin:login"

# Every log line carries the request id (also sent as X-Request-ID). LOG_FORMAT=json (the
# production default) writes one JSON object per line for a log collector; plain is for people.
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use json or plain.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "config.logs.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes.apps": {"level": "WARNING"}},  # its start-up banner on every command
}

# Mail (Django 6.1 configures mail through MAILERS). With EMAIL_HOST set, SMTP; otherwise the
# console in development. Production without EMAIL_HOST is refused by `check --deploy`.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Marquee <marquee@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
email_host = env_str("EMAIL_HOST")  # lower case: Django 6.1 refuses EMAIL_HOST beside MAILERS
if email_host:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": email_host,
                "port": env_int("EMAIL_PORT", 587),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": env_int("EMAIL_TIMEOUT", 10),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Background tasks (Django's Tasks framework; README "Background tasks"). Production stores them
# in the site's own database (django-tasks-db) for `manage.py run_worker` to run; development
# and tests run each task at once, in the process that enqueued it, so nothing else is needed.
# TASKS_BACKEND: "database", "immediate", or a backend's dotted path with TASKS_OPTIONS (JSON).
TASKS_BACKEND = env_str("TASKS_BACKEND", "immediate" if DEBUG else "database")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django.tasks.backends.immediate.ImmediateBackend",
        }.get(TASKS_BACKEND, TASKS_BACKEND),
        "QUEUES": ["default", "mail", "images"],
        "OPTIONS": env_json("TASKS_OPTIONS", {}),
    }
}
TASKS_MAX_ATTEMPTS = env_int("TASKS_MAX_ATTEMPTS", 5)  # then the task fails, shown in the admin
TASKS_RETRY_DELAY = env_int("TASKS_RETRY_DELAY", 30)  # seconds before the 2nd attempt, doubling
TASKS_RETRY_MAX_DELAY = env_int("TASKS_RETRY_MAX_DELAY", 3600)
# /healthz/tasks answers 503 when no worker has looked for work for this many seconds.
TASKS_WORKER_STALE_AFTER = env_int("TASKS_WORKER_STALE_AFTER", 120)
# Finished tasks (and the record of sent mail) are deleted by the worker after this many days.
TASKS_KEEP_DAYS = env_int("TASKS_KEEP_DAYS", 14)
# Tasks the worker enqueues once a day at the given site time (tasks/periodic.py): the
# moderators' digest, and the TMDB sync where a TMDB token is set. JSON to replace the lot.
TASKS_DAILY = env_json(
    "TASKS_DAILY",
    {
        "reviews.tasks.send_comment_digest": "07:00",
        **({"films.tasks.sync_tmdb": "04:15"} if TMDB_API_TOKEN else {}),
    },
)

# Share links to previews of unpublished reviews expire after this many days.
MARQUEE_PREVIEW_LINK_DAYS = env_int("MARQUEE_PREVIEW_LINK_DAYS", 7)
# Pre-publish checks (reviews/prepublish.py), each "block", "warn" or "off"; the JSON in the
# environment variable overrides some of them, e.g. {"no_rating": "block"}.
MARQUEE_PREPUBLISH_CHECKS = {
    "no_text": "block",
    "image_alt": "block",
    "no_rating": "warn",
    "no_verdict": "warn",
    "no_hero_image": "warn",
    "short_description": "warn",
    **env_json("MARQUEE_PREPUBLISH_CHECKS", {}),
}
# Characters the description (the intro's first paragraph) should have at least.
MARQUEE_PREPUBLISH_MIN_DESCRIPTION = env_int("MARQUEE_PREPUBLISH_MIN_DESCRIPTION", 70)
# The site's public address, for links in mail and feeds. Required in production (the deploy
# check says so); development defaults to where `make run` serves (it passes HOST and PORT).
MARQUEE_SITE_URL = env_str("MARQUEE_SITE_URL", "http://127.0.0.1:8000" if DEBUG else "")

# Security headers. The CSP applies in development too, so a page that breaks it shows up early.
# Scripts run only from our own origin or with the request's nonce; no inline scripts otherwise.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    # Trailers play in YouTube's privacy-enhanced player, and only after a click.
    "frame-src": ["https://www.youtube-nocookie.com"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# HTTPS. Production redirects to https and marks cookies Secure; behind a TLS-terminating proxy
# set TRUST_PROXY to the number of proxies in front (1 for one nginx): Django then trusts their
# X-Forwarded-Proto and takes the client address from X-Forwarded-For (config/middleware.py).
TRUST_PROXY = env_int("TRUST_PROXY", 0)
if TRUST_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz(/tasks)?$"]  # load balancers probe over plain HTTP
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
# HSTS: a year by default in production, subdomains included. Preload is a separate, slow-to-undo
# commitment (the browser lists), so it stays off unless SECURE_HSTS_PRELOAD=1; that is why the
# deploy check's W021 ("preload not set") is silenced, and only while preload is off.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
MARQUEE_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)

# Reader comments and their spam defences.
MARQUEE_COMMENTS_CLOSE_AFTER_DAYS = env_int("MARQUEE_COMMENTS_CLOSE_AFTER_DAYS", 0)  # 0 = never
MARQUEE_COMMENTS_MIN_SECONDS = env_int("MARQUEE_COMMENTS_MIN_SECONDS", 3)  # faster is a bot
MARQUEE_COMMENTS_MAX_FORM_AGE = env_int("MARQUEE_COMMENTS_MAX_FORM_AGE", 2 * 24 * 3600)
MARQUEE_COMMENTS_RATE_LIMIT = env_int("MARQUEE_COMMENTS_RATE_LIMIT", 5)  # comments per IP…
MARQUEE_COMMENTS_RATE_WINDOW = env_int("MARQUEE_COMMENTS_RATE_WINDOW", 600)  # …per 10 minutes
MARQUEE_COMMENTS_MAX_LINKS = env_int("MARQUEE_COMMENTS_MAX_LINKS", 2)
MARQUEE_COMMENTS_DISALLOWED_WORDS = env_list(
    "MARQUEE_COMMENTS_DISALLOWED_WORDS", "viagra,cialis,casino bonus,crypto giveaway"
)
MARQUEE_COMMENTS_DUPLICATE_WINDOW = env_int("MARQUEE_COMMENTS_DUPLICATE_WINDOW", 24 * 3600)
MARQUEE_COMMENTS_AUTO_APPROVE_KNOWN = env_bool("MARQUEE_COMMENTS_AUTO_APPROVE_KNOWN", False)
# Akismet as one more spam signal: off without a key; its failures never block a comment.
MARQUEE_AKISMET_KEY = os.environ.get("MARQUEE_AKISMET_KEY", "")
MARQUEE_AKISMET_API_URL = os.environ.get("MARQUEE_AKISMET_API_URL", "")  # default: Akismet's
MARQUEE_AKISMET_TIMEOUT = float(os.environ.get("MARQUEE_AKISMET_TIMEOUT", "2"))

# Links found in readers' comments point at https:// (Django 7's default).
URLIZE_ASSUME_HTTPS = True
