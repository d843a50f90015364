"""A Redis cache that makes a Redis fault cost speed, never a failed page.

Django's RedisCache, with two changes:

- every operation that fails, for any reason Redis gives (unreachable, hung, out of memory,
  read-only replica), answers as a miss or a dropped write, and logs a warning (at most every
  WARN_EVERY_SECONDS per process). `set_many` returns the keys it could not write, as its
  contract says, so callers that must know (pagecache.tags) can tell;
- a circuit breaker: after BREAKER_FAILURES connection failures or timeouts in a row, calls fail
  at once for BREAKER_SECONDS instead of each waiting out the socket timeout; then one call is let
  through as a probe, and its success closes the breaker again.
"""

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("marquee.cache")

OUTAGE = (RedisConnectionError, RedisTimeoutError, OSError)  # these trip the breaker
FAULTS = (RedisError, OSError)  # these (OOM, read-only…) are skipped but do not
WARN_EVERY_SECONDS = 30
BREAKER_FAILURES = 3
BREAKER_SECONDS = 5.0


class CircuitOpen(RedisConnectionError):
    """Raised instead of calling a Redis the breaker has given up on for now."""


class Breaker:
    """Shared by every thread of the process for one Redis location."""

    def __init__(self, failures: int = BREAKER_FAILURES, seconds: float = BREAKER_SECONDS):
        self.failures, self.seconds = failures, seconds
        self.count, self.opened_at, self.probing = 0, None, False
        self.lock = threading.Lock()

    def allow(self) -> bool:
        with self.lock:
            if self.opened_at is None:
                return True
            if time.monotonic() - self.opened_at < self.seconds or self.probing:
                return False
            self.probing = True  # one call goes through to see whether Redis is back
            return True

    def succeeded(self) -> None:
        with self.lock:
            self.count, self.opened_at, self.probing = 0, None, False

    def failed(self) -> None:
        with self.lock:
            self.count += 1
            self.probing = False
            if self.count >= self.failures:
                if self.opened_at is None:
                    logger.warning(
                        "Redis cache: %s failures in a row, failing fast for %ss",
                        self.count,
                        self.seconds,
                    )
                self.opened_at = time.monotonic()


_breakers: dict[str, Breaker] = {}
_last_warning = [0.0]


def _guard(name: str, fallback):
    """RedisCache.<name>, answering `fallback(*args)` when Redis cannot do it."""
    parent = getattr(RedisCache, name)

    def method(self, *args, **kwargs):
        breaker = self.breaker
        try:
            if not breaker.allow():
                raise CircuitOpen("circuit open")
            result = parent(self, *args, **kwargs)
        except FAULTS as error:
            if isinstance(error, OUTAGE) and not isinstance(error, CircuitOpen):
                breaker.failed()
            elif not isinstance(error, CircuitOpen):
                breaker.succeeded()  # Redis answered, with a refusal
            self._warn(name, error)
            return fallback(*args, **kwargs)
        breaker.succeeded()
        return result

    method.__name__ = name
    return method


def _missing_key(key, *args, **kwargs):
    # What a missing key raises, so callers' "not there yet" path runs.
    raise ValueError(f"Key '{key}' not found (cache unavailable)")


class ResilientRedisCache(RedisCache):
    """Django's RedisCache; a Redis fault makes the site slower instead of broken."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self.breaker = _breakers.setdefault(str(server), Breaker())

    def _warn(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        if now - _last_warning[0] >= WARN_EVERY_SECONDS:
            _last_warning[0] = now
            logger.warning("Redis cache unavailable (%s): %s; serving without it", operation, error)

    add = _guard("add", lambda *a, **k: False)
    get = _guard("get", lambda key, default=None, version=None: default)
    set = _guard("set", lambda *a, **k: None)
    touch = _guard("touch", lambda *a, **k: False)
    delete = _guard("delete", lambda *a, **k: False)
    get_many = _guard("get_many", lambda *a, **k: {})
    has_key = _guard("has_key", lambda *a, **k: False)
    incr = _guard("incr", _missing_key)
    set_many = _guard("set_many", lambda data, *a, **k: list(data))
    delete_many = _guard("delete_many", lambda *a, **k: None)
    clear = _guard("clear", lambda *a, **k: False)
