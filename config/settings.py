"""Marquee settings: one module, driven by environment variables.

Development (`DEBUG=1`) runs on SQLite with a local-memory cache and media on disk.
Production sets `SECRET_KEY`, `ALLOWED_HOSTS`, `DATABASE_URL` and friends; see README.md.
Every variable is read through config/env.py, which names the variable on a bad value; the
DATABASES entries are built in config/databases.py and the release digest in config/release.py.
"""

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.databases import database
from config.env import env_bool, env_choice, env_float, env_int, env_json, env_list, env_str
from config.logs import logging_config
from config.release import source_digest

BASE_DIR = Path(__file__).resolve().parent.parent

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
    "images",
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
    # A public address not found, tried lowercase (`/films/Ballerina/`) as this reader.
    "config.middleware.LowercaseAddressMiddleware",
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
# (postgres://user:pass@host:5432/name is served by psycopg 3); DATABASE_REPLICA_URL adds a read
# replica: reads go there, writes and transactions to the primary (config/routers.py).
# Connections persist for DB_CONN_MAX_AGE seconds and are checked before reuse, so a restarted
# server costs one retry.
DB_CONN_MAX_AGE = env_int("DB_CONN_MAX_AGE", 0 if DEBUG else 60)
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
# Prepared statements, an opt-in knob (DB_PREPARE_THRESHOLD=N), off by default: unsafe behind
# PgBouncer in transaction mode, among other reasons config/databases.py gives.
PREPARE_THRESHOLD = env_int("DB_PREPARE_THRESHOLD", 0)
# PostgreSQL's JIT, off: Marquee's queries are short, and it spent longer compiling the
# related-reviews query than running it (bench/NOTES.md). DB_JIT=1 turns it back on.
DB_JIT = env_bool("DB_JIT", False)
database_knobs = {
    "conn_max_age": DB_CONN_MAX_AGE,
    "connect_timeout": DB_CONNECT_TIMEOUT,
    "statement_timeout": DB_STATEMENT_TIMEOUT,
    "jit": DB_JIT,
    "prepare_threshold": PREPARE_THRESHOLD,
}
DATABASES = {
    "default": database(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}", **database_knobs
    )
}
if env_str("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = database(
        env_str("DATABASE_REPLICA_URL"), test_options={"MIRROR": "default"}, **database_knobs
    )
DATABASE_ROUTERS = ["config.routers.PrimaryReplicaRouter"]

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
# Uploads served by Django itself (config/urls.py): in development, and by `make serve`, which
# tries the production stack on one machine. A real deployment serves them from nginx or
# object storage (README "Deploying").
SERVE_MEDIA = env_bool("SERVE_MEDIA", DEBUG)

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
TMDB_API_URL = env_str("TMDB_API_URL", "https://api.themoviedb.org/3")
TMDB_IMAGE_URL = env_str("TMDB_IMAGE_URL", "https://image.tmdb.org/t/p/")
TMDB_REQUESTS_PER_SECOND = env_int("TMDB_REQUESTS_PER_SECOND", 20)
TMDB_TIMEOUT = env_int("TMDB_TIMEOUT", 10)  # seconds per request
# The country (ISO 3166-1) whose certification, release and watch providers the site shows.
MARQUEE_REGION = env_str("MARQUEE_REGION", "GB").upper()
if not (len(MARQUEE_REGION) == 2 and MARQUEE_REGION.isalpha()):
    raise ImproperlyConfigured(
        f"MARQUEE_REGION={MARQUEE_REGION!r} is not a two-letter country code."
    )

# markdownx: the live preview uses the project's sanitising renderer; a dropped or pasted image
# goes into the image library (reviews/editor.py: upload, which replaces markdownx's own).
MARKDOWNX_MARKDOWNIFY_FUNCTION = "reviews.markdown.render"

# REDIS_URL (redis://host:6379/0) moves the cache, and with it sessions, to Redis. The backend
# treats an unreachable Redis as a miss and logs a warning, so an outage only slows pages.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "marquee"),
            "OPTIONS": {
                "socket_connect_timeout": env_float("REDIS_CONNECT_TIMEOUT", 0.5),
                "socket_timeout": env_float("REDIS_TIMEOUT", 0.5),
            },
        }
    }
    # Sessions read from Redis, written through to the database: survives a Redis restart.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
elif DEBUG and not env_str("CACHE_DIR"):
    # One process (a test run): its own memory. `make run` and the other make targets name a
    # CACHE_DIR (the files below), so a review `make import-review` publishes reaches the pages
    # the development server has kept.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "marquee",
        }
    }
else:
    # Without Redis, files in CACHE_DIR: shared by every process on this machine
    # (gunicorn's workers, the task worker, management commands), so a change retired in one is
    # retired for all. A cache in each process's memory kept an unpublished review on the
    # pages of the workers that had not made the change.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env_str("CACHE_DIR") or str(BASE_DIR / "var" / "cache"),
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 20_000)},
        }
    }

# The page cache (pagecache/): whole anonymous pages, kept MARQUEE_PAGE_CACHE_SECONDS and
# retired by tag when what they show changes; browsers may reuse a page MARQUEE_PAGE_MAX_AGE
# seconds, a front cache MARQUEE_FRONT_CACHE_SECONDS (long only when it is purged by tag:
# MARQUEE_PURGE). MARQUEE_RELEASE names the code's version in cache keys, so a deploy never
# serves HTML made by the code before it (a digest of the source unless set; with DEBUG on, a
# release of its own, so a development server and `make serve` sharing a cache, as the Makefile
# has them, retire each other's pages but never serve each other's).
MARQUEE_RELEASE = env_str("MARQUEE_RELEASE") or source_digest() + ("-debug" if DEBUG else "")
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
LOG_FORMAT = env_choice("LOG_FORMAT", "plain" if DEBUG else "json", ("json", "plain"))
LOGGING = logging_config(
    LOG_FORMAT, env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
)

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
# models.W040: the public reviews' index carries extra columns (INCLUDE) for PostgreSQL's
# index-only counts; SQLite, which cannot, builds it without them, as intended.
SILENCED_SYSTEM_CHECKS += ["models.W040"]
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
MARQUEE_AKISMET_KEY = env_str("MARQUEE_AKISMET_KEY")
MARQUEE_AKISMET_API_URL = env_str("MARQUEE_AKISMET_API_URL")  # default: Akismet's
MARQUEE_AKISMET_TIMEOUT = env_float("MARQUEE_AKISMET_TIMEOUT", 2.0)

# Links found in readers' comments point at https:// (Django 7's default).
URLIZE_ASSUME_HTTPS = True
