"""Marquee settings: one module, driven by environment variables.

Development (`DEBUG=1`) runs on SQLite with a local-memory cache and media on disk.
Production sets `SECRET_KEY`, `ALLOWED_HOSTS`, `DATABASE_URL` and friends; see README.md.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    value = value.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false).")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None


DEBUG = env_bool("DEBUG", False)

_DEV_SECRET_KEY = "django-insecure-marquee-development-key-never-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", "")
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

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "markdownx",
    "reversion",
    "films",
    "reviews",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "config.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

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
# (postgres://user:pass@host:5432/name is served by psycopg 3).
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

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))

MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Images (posters, photos, hero images): real images only, at most this many bytes.
MARQUEE_MAX_IMAGE_BYTES = env_int("MARQUEE_MAX_IMAGE_BYTES", 5 * 1024 * 1024)
MARQUEE_MAX_IMAGE_PIXELS = env_int("MARQUEE_MAX_IMAGE_PIXELS", 40_000_000)
MARQUEE_SITE_NAME = os.environ.get("MARQUEE_SITE_NAME", "Marquee")

# markdownx: the live preview uses the project's sanitising renderer.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "reviews.markdown.render"
MARKDOWNX_MEDIA_PATH = "uploads/"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "marquee",
    }
}

LOGIN_URL = "admin:login"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Mail (Django 6.1 configures mail through MAILERS). With EMAIL_HOST set, SMTP; otherwise the
# console in development. Production without EMAIL_HOST is refused by `check --deploy`.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Marquee <marquee@localhost>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": env_int("EMAIL_PORT", 587),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": env_int("EMAIL_TIMEOUT", 10),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Share links to previews of unpublished reviews expire after this many days.
MARQUEE_PREVIEW_LINK_DAYS = env_int("MARQUEE_PREVIEW_LINK_DAYS", 7)
MARQUEE_SITE_URL = os.environ.get("MARQUEE_SITE_URL", "http://127.0.0.1:8000")

# Security headers. The CSP applies in development too, so a page that breaks it shows up early.
# Scripts run only from our own origin or with the request's nonce; no inline scripts otherwise.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
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
