"""Cut a request's PostgreSQL connections when the server stops answering.

`statement_timeout` is enforced by the server, and a frozen server (SIGSTOP, a hung host, a
stalled network) enforces nothing: the kernel keeps acknowledging the request bytes and the
worker waits until gunicorn kills it, answering nothing. So each request runs under a deadline
(`database_deadline`), and one watchdog thread per process shuts down the sockets of requests
that outlive theirs: psycopg then sees the connection close and raises OperationalError, which
the 503 middleware turns into the "Back in a moment" page, and Django drops the connection.
New connections are bounded by `connect_timeout` (DB_CONNECT_TIMEOUT) instead.
"""

import logging
import os
import socket
import threading
import time
from contextlib import contextmanager

from django.db import connections

logger = logging.getLogger("marquee.availability")

_lock = threading.Lock()
_deadlines: dict[int, tuple[float, list]] = {}  # thread id → (deadline, its connection wrappers)
_watchdog_pid: int | None = None
TICK = 0.1  # seconds between the watchdog's looks


@contextmanager
def database_deadline(seconds: float):
    """Within the block, this thread's PostgreSQL connections are cut after `seconds`.

    Blocks nest: an inner deadline can only be shorter (the health check's, inside a request's).
    """
    if seconds <= 0:
        yield
        return
    key = threading.get_ident()
    wrappers = [connections[alias] for alias in connections]
    with _lock:
        outer = _deadlines.get(key)
        deadline = time.monotonic() + seconds
        if outer is not None:
            deadline = min(deadline, outer[0])
        _deadlines[key] = (deadline, wrappers)
    _start_watchdog()
    try:
        yield
    finally:
        with _lock:
            if outer is None:
                _deadlines.pop(key, None)
            else:
                _deadlines[key] = outer


def _start_watchdog() -> None:
    """One daemon thread per process (a forked worker starts its own)."""
    global _watchdog_pid
    if _watchdog_pid == os.getpid():
        return
    with _lock:
        if _watchdog_pid == os.getpid():
            return
        _watchdog_pid = os.getpid()
    threading.Thread(target=_watch, name="database-deadline", daemon=True).start()


def _watch() -> None:
    while True:
        time.sleep(TICK)
        now = time.monotonic()
        # Cut under the lock: a request cannot end, and its thread start another, meanwhile.
        with _lock:
            for key, (deadline, wrappers) in list(_deadlines.items()):
                if deadline <= now:
                    _deadlines[key] = (float("inf"), wrappers)  # cut once
                    for wrapper in wrappers:
                        _cut(wrapper)


def _cut(wrapper) -> None:
    if wrapper.vendor != "postgresql":
        return
    psycopg_connection = wrapper.connection
    if psycopg_connection is None or psycopg_connection.closed:
        return
    try:
        descriptor = os.dup(psycopg_connection.fileno())
    except Exception:  # closed between the check and now: nothing to cut
        return
    with socket.socket(fileno=descriptor) as sock:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            return
    logger.error(
        "Database %r did not answer in time: cut the connection of a waiting request",
        wrapper.alias,
    )
