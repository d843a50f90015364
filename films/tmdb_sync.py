"""Keeping films in step with TMDB: the periodic sync and editors' answers to TMDB's proposals.

`sync_changes()` asks TMDB's changes endpoint which movies changed since the last run and
refreshes only the films Marquee has among them, each in its own transaction: a film whose
refresh fails stays exactly as it was and the others go on. Runs are recorded (`TMDBSyncRun`),
and the next run starts where the last successful one ended.

Fields an editor changed keep the editor's value (films/tmdb_write.py holds them); `accept`
takes TMDB's proposed value for the fields an editor picks and hands them back to TMDB.
"""

import datetime
import logging

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from films.importers import import_film_from_tmdb, write_credits
from films.models import Film, TMDBSyncRun
from films.tmdb import TMDBClient, TMDBError
from films.tmdb_json import TMDBImportError
from films.tmdb_write import CREDIT_FIELDS, HELD_FIELDS, SCALAR_FIELDS

logger = logging.getLogger("marquee.tmdb")

WINDOW = datetime.timedelta(days=14)  # the most TMDB's changes endpoint covers per request
FIRST_RUN = datetime.timedelta(days=1)


class SyncInterrupted(TMDBError):
    """TMDB was briefly unavailable (429, timeouts, 5xx) for the run or some of its films: a
    later attempt should finish the job (the sync task retries; see `retry_transient`)."""

    transient = True


def sync_changes(
    *,
    client: TMDBClient | None = None,
    everything: bool = False,
    today: datetime.date | None = None,
    retry_transient: bool = False,
) -> TMDBSyncRun:
    """Refresh the films TMDB changed since the last successful run (or all, `everything`).

    Films the last run could not refresh are tried again. With `retry_transient`, a run that
    TMDB's unavailability cut short (wholly or for some films) ends in `SyncInterrupted`, once
    recorded, for the task machinery to retry.
    """
    client = client or TMDBClient()
    today = today or timezone.now().date()
    last = TMDBSyncRun.objects.filter(finished_at__isnull=False, error="").first()
    since = last.until if last else today - FIRST_RUN
    run = TMDBSyncRun.objects.create(since=since, until=today)
    try:
        if everything:
            ids = set(Film.objects.exclude(tmdb_id=None).values_list("tmdb_id", flat=True))
        else:
            ids, start = set(), max(since, today - WINDOW * 8)  # beyond ~4 months: use --all
            while start <= today:
                end = min(start + WINDOW - datetime.timedelta(days=1), today)
                ids |= client.changed_movie_ids(start, end)
                start = end + datetime.timedelta(days=1)
            ids |= {
                int(tmdb_id)
                for tmdb_id in (last.failures if last else {})
                if str(tmdb_id).isdigit()
            }
    except TMDBError as exc:
        run.error, run.finished_at = str(exc), timezone.now()
        run.save()
        if retry_transient and exc.transient:
            raise SyncInterrupted(f"TMDB sync failed, nothing was refreshed: {exc}") from exc
        return run
    ours = sorted(Film.objects.filter(tmdb_id__in=ids).values_list("tmdb_id", flat=True))
    run.listed = len(ours)
    interrupted = []
    for tmdb_id in ours:
        try:
            result = import_film_from_tmdb(tmdb_id, client=client)
        except (TMDBError, TMDBImportError) as exc:
            logger.warning("TMDB sync: film %s left as it was: %s", tmdb_id, exc)
            run.failures[str(tmdb_id)] = str(exc)
            if getattr(exc, "transient", False):
                interrupted.append(tmdb_id)
            continue
        run.updated += result.changed
    run.finished_at = timezone.now()
    run.save()
    if retry_transient and interrupted:
        raise SyncInterrupted(
            f"TMDB could not be reached for {len(interrupted)} film(s) "
            f"({', '.join(map(str, interrupted))}); the retry tries them again."
        )
    return run


def accept(film: Film, fields, *, by) -> list[str]:
    """Take TMDB's value for these fields (cast and crew too) and let TMDB manage them again;
    return those that still wait for a refresh from TMDB (images, genres, collection).

    Only users who may change films may; anyone else gets PermissionDenied.
    """
    if not by.has_perm("films.change_film"):
        raise PermissionDenied("Only editors of films may accept TMDB's changes.")
    fields = [name for name in fields if name in HELD_FIELDS]
    pending = []
    with transaction.atomic():
        film = Film.objects.select_for_update().get(pk=film.pk)
        proposed = dict(film.tmdb_proposed)
        for name in fields:
            if name in SCALAR_FIELDS and name in proposed:
                setattr(film, name, Film._meta.get_field(name).to_python(proposed[name]))
            elif name in CREDIT_FIELDS and name in proposed:
                write_credits(film, name, proposed[name])
            elif name in proposed:
                pending.append(name)
                if name in ("poster", "backdrop"):  # ours no longer: the refresh replaces it
                    setattr(film, f"tmdb_{name}_path", f"replaced-by:{proposed[name]}"[:200])
            proposed.pop(name, None)
        film.tmdb_proposed = proposed
        film.edited_fields = [name for name in film.edited_fields if name not in fields]
        film.full_clean(exclude=["slug", "poster", "backdrop"], validate_unique=True)
        film.save()
    if pending and film.tmdb_id:
        try:
            import_film_from_tmdb(film.tmdb_id)
        except (TMDBError, TMDBImportError) as exc:
            logger.warning("Accepting TMDB's %s for %s: refresh failed: %s", pending, film, exc)
            return pending
        return []
    return pending


def mark_edited(film: Film, fields) -> bool:
    """Record that an editor changed these fields by hand ("cast" and "crew" for credits),
    before the film is saved; say whether the record changed."""
    held = set(fields) & set(HELD_FIELDS)
    if not (film.tmdb_id and held) or held <= set(film.edited_fields or []):
        return False
    film.edited_fields = sorted(set(film.edited_fields or []) | held)
    return True
