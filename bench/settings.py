"""Settings of the benchmark's in-process measurements (bench/measure.py): Marquee's own, with
the cache in the process's memory unless REDIS_URL names Redis, as bench/README.md's "local
memory" figures are measured. (Production without Redis keeps the cache in files that every
process on the machine shares: config/settings.py.)"""

from config.settings import *  # noqa: F403
from config.settings import REDIS_URL

if not REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "marquee",
        }
    }
