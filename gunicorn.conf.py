"""gunicorn settings for Marquee: `gunicorn -c gunicorn.conf.py config.wsgi` (or `make serve`).

Everything can be overridden from the environment (read through config/env.py, which names a
variable whose value is bad); gunicorn also reads GUNICORN_CMD_ARGS.
"""

import gc
import multiprocessing

from config.env import env_int, env_list, env_str

# Where to listen. Behind nginx or a load balancer, a private address or a unix socket.
bind = env_list("GUNICORN_BIND", "127.0.0.1:8000")

# Synchronous workers: (2 × cores) + 1 is gunicorn's own rule of thumb for I/O-bound Django.
workers = env_int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
threads = env_int("GUNICORN_THREADS", 1)
timeout = env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = env_int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then so a slow leak can never take a server down.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", 200)

# The proxy in front may set X-Forwarded-Proto; Django decides what to trust (TRUST_PROXY).
forwarded_allow_ips = env_str("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs to stdout/stderr for the process manager. Each access line ends with the request id that
# Django sent back as X-Request-ID, so it joins up with the application's own log lines.
accesslog = env_str("GUNICORN_ACCESSLOG", "-")
errorlog = env_str("GUNICORN_ERRORLOG", "-")
loglevel = env_str("GUNICORN_LOGLEVEL", "info")
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
    walk every object Django and Marquee made in the middle of some request (bench/NOTES.md).
    """
    gc.freeze()
