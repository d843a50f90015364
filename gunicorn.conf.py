"""gunicorn settings for Marquee: `gunicorn -c gunicorn.conf.py config.wsgi` (or `make serve`).

Everything can be overridden from the environment; gunicorn also reads GUNICORN_CMD_ARGS.
"""

import gc
import multiprocessing
import os

# Where to listen. Behind nginx or a load balancer, a private address or a unix socket.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")

# Synchronous workers: (2 × cores) + 1 is gunicorn's own rule of thumb for I/O-bound Django.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak can never take a server down.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))

# The proxy in front may set X-Forwarded-Proto; Django decides what to trust (TRUST_PROXY).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs to stdout/stderr for the process manager. Each access line ends with the request id that
# Django sent back as X-Request-ID, so it joins up with the application's own log lines.
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = os.environ.get("GUNICORN_ERRORLOG", "-")
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
access_log_format = (
    '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(f)s" "%(a)s" request_id=%({x-request-id}o)s'
)

wsgi_app = "config.wsgi:application"

# gunicorn 24+ opens a control socket in the home folder; Marquee is managed through signals and
# the process manager, and two servers on one machine would fight over the one path.
control_socket_disable = True


def post_worker_init(worker):
    """Freeze what loading Django and Marquee made: it lives as long as the worker.

    Frozen objects are left out of the garbage collector's full collections, which otherwise
    walk ~100,000 objects in the middle of some request (a ~40 ms pause every few hundred
    requests, ~7 ms frozen; bench/NOTES.md).
    """
    gc.freeze()
