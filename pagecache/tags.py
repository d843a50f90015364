"""Cache tags: pages name what they show, and a change retires every page that shows it.

A page (or a fragment of one) names what it shows as tags: `review:12`, `film:5`, `person:44`,
`genre:3`, `home`, `reviews-list`, `feed`, `sitemap`… Each tag has a version in the cache: the
time it was last retired. A cached copy is good while each of its tags was last retired before
the copy *began* to be made, so one write retires every page showing a thing without knowing
their keys, and a page made from data read before a change is never kept past it.

Retirements are written once per transaction, after it commits (`retire`), and go to the front
cache too (pagecache.purge). When the cache cannot take them (Redis stopped, hung, full), they are
kept in the database (`PendingRetirement`) and every process stops serving cached copies until
they are written (`trusted`): a cache fault costs speed, never correctness.

A scheduled review goes public with no save: `schedule()` records the next such moment, and
copies made before it stop being good when it comes.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction

from pagecache import purge
from pagecache.models import PendingRetirement

logger = logging.getLogger("marquee.cache")

NEXT_DUE_KEY = "tags:due"
_batches = threading.local()
_trust = {"checked": time.monotonic(), "pending": False}


def tag_key(tag: str) -> str:
    return f"tag:{tag}"


def shows(request, *tags: str) -> None:
    """Name what this response shows (the page cache and the front cache read them)."""
    if not hasattr(request, "cache_tags"):
        request.cache_tags = set()
    request.cache_tags.update(tags)


def retire(*tags: str, using: str | None = None) -> None:
    """Retire every cached page and fragment showing `tags`, once the transaction commits.

    Tags retired during one transaction are written together, in one cache write.
    """
    batch = getattr(_batches, "tags", None)
    if batch is None:
        batch = _batches.tags = set()
    batch.update(tags)
    # The first callback to run takes the whole batch; the others find it empty. (Tags of a
    # transaction that rolled back go with the next one: retiring too much is safe.)
    transaction.on_commit(_flush, using=using)


def left(instance, *fields: str, update_fields=None) -> list[str]:
    """In pre_save: the tags of the owners `instance` is leaving (`review:3` when its `review`
    foreign key changes), read from the database; their pages still show it."""
    ids = [f"{field}_id" for field in fields]
    if instance.pk is None or (update_fields is not None and not {*fields, *ids} & update_fields):
        return []
    old = type(instance)._default_manager.filter(pk=instance.pk).values(*ids).first() or {}
    return [
        f"{field}:{old[id_]}"
        for field, id_ in zip(fields, ids, strict=True)
        if id_ in old and old[id_] != getattr(instance, id_)
    ]


def _flush() -> None:
    tags = getattr(_batches, "tags", None) or set()
    _batches.tags = None
    if tags:
        write(tags)


def write(tags: Iterable[str], at: float | None = None) -> bool:
    """Set the tags' versions to now (or `at`); keep them in the database if the cache fails.

    Also asks the front cache to purge them. True when the page cache took them.
    """
    tags = sorted(set(tags))
    if not tags:
        return True
    now = time.time() if at is None else at
    failed = cache.set_many({tag_key(tag): now for tag in tags}, timeout=None)
    purge.purge(tags)
    if not failed:
        return True
    logger.warning("Could not retire %s in the cache; kept in the database", " ".join(tags))
    _trust["pending"] = True
    try:
        PendingRetirement.objects.create(tags=" ".join(tags))
    except DatabaseError:
        logger.exception("Could not keep the retirement of %s either", " ".join(tags))
    return False


def trusted() -> bool:
    """May cached copies be served? Not while a retirement waits to reach the cache.

    The database is asked at most every MARQUEE_PAGE_CACHE_RECHECK seconds per process; the
    waiting retirements are written as soon as the cache takes them.
    """
    now = time.monotonic()
    if now - _trust["checked"] < settings.MARQUEE_PAGE_CACHE_RECHECK:
        return not _trust["pending"]
    _trust["checked"] = now
    try:
        pending = list(PendingRetirement.objects.all()[:100])
        for row in pending:
            retired_at = row.created_at.timestamp()
            if cache.set_many(
                {tag_key(t): max(retired_at, time.time()) for t in row.tags.split()}, timeout=None
            ):
                _trust["pending"] = True
                return False
            PendingRetirement.objects.filter(pk=row.pk).delete()
        _trust["pending"] = len(pending) == 100
    except DatabaseError:
        _trust["pending"] = True
    return not _trust["pending"]


def versions(
    tags: Iterable[str], missing_at: float | None = None, scheduled: bool = True
) -> dict[str, float]:
    """The tags' versions, and with `scheduled` "due": the last scheduled moment past.

    A tag the cache does not hold (never retired, or evicted) is given `missing_at`, now
    unless given; copies kept with another version are then no longer good.
    """
    keys = {tag_key(tag): tag for tag in tags}
    found = cache.get_many([*keys, NEXT_DUE_KEY] if scheduled else list(keys))
    now = time.time()
    start = now if missing_at is None else missing_at
    result = {}
    for key, tag in keys.items():
        if key not in found and not cache.add(key, start, timeout=None):
            found[key] = cache.get(key, now)  # retired meanwhile, or no cache
        result[tag] = found.get(key, start)
    past = [moment for moment in found.get(NEXT_DUE_KEY) or () if moment <= now]
    if past:
        result["due"] = max(past)
    return result


def snapshot(tags: Iterable[str], began: float, scheduled: bool = True) -> dict | None:
    """The versions to keep with a copy begun at `began`; None if one of its tags was retired
    since (the copy may show data from before the change: keep nothing). `scheduled`: the copy
    shows lists a scheduled review joins when it falls due."""
    found = versions(tags, missing_at=0.0, scheduled=scheduled)
    if not all(version < began for version in found.values()):
        return None
    return {"versions": found, "scheduled": scheduled}


def good(kept: dict) -> bool:
    """Are the versions kept with a copy still the tags' versions (nothing retired since)?"""
    shown = (tag for tag in kept["versions"] if tag != "due")
    return versions(shown, scheduled=kept["scheduled"]) == kept["versions"]


def fragment[T](
    key: str,
    render: Callable[[], tuple[T, Iterable[str]]],
    timeout: int,
    *,
    scheduled: bool = False,
    request=None,
) -> T:
    """A part of a page, from the cache while no tag it shows was retired since it was made.

    `render()` returns the part and the tags it shows; `scheduled`: the part lists reviews,
    which join and leave on schedule (see `snapshot`). A part is not kept when one of its tags was
    retired while it was being made; a kept one is not served while retirements wait (`trusted`).
    With `request`, the response names the part's tags (`shows`), whether kept or made.
    """
    kept = cache.get(key) if trusted() else None
    if kept is not None and good(kept):
        value, shown = kept["value"], [tag for tag in kept["versions"] if tag != "due"]
    else:
        began = time.time()
        value, shown = render()
        shown = list(shown)
        if (versions_kept := snapshot(shown, began, scheduled=scheduled)) is not None:
            cache.set(key, {**versions_kept, "value": value}, timeout)
    if request is not None:
        shows(request, *shown)
    return value


def schedule(moments: Iterable[float]) -> None:
    """At each of these moments (epoch seconds), copies made before it stop being good.

    The last moment already past is kept: copies made since it stay good.
    """
    now = time.time()
    past = [moment for moment in cache.get(NEXT_DUE_KEY) or () if moment <= now]
    upcoming = sorted(moment for moment in moments if moment > now)[:100]
    cache.set(NEXT_DUE_KEY, ([max(past)] if past else []) + upcoming, timeout=None)


def next_due() -> float | None:
    """The next scheduled moment, if any (for how long the front cache may keep a page)."""
    upcoming = [m for m in cache.get(NEXT_DUE_KEY) or () if m > time.time()]
    return min(upcoming) if upcoming else None
