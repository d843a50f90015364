"""WSGI entry point (gunicorn config.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# What loading Django and Marquee made lives as long as the process. Frozen, it is left out of
# the garbage collector's full collections, which otherwise walk ~100,000 objects in the middle
# of some request: a ~40 ms pause every few hundred requests, ~7 ms frozen (bench/NOTES.md).
gc.freeze()
