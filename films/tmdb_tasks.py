"""TMDB work for the task worker: an editor's *Add from TMDB* (`import_from_tmdb`), off the
request path. The admin queues it (films/admin_tmdb.py) and shows a page that refreshes until
the import is done; the daily sync task is films.tasks.sync_tmdb.
"""

import datetime
import logging

from django.conf import settings
from django.utils import timezone

from films.importers import import_film_from_tmdb
from films.models import TMDBImport
from films.tmdb import TMDBError
from films.tmdb_json import TMDBImportError
from tasks.base import durable_task

logger = logging.getLogger("marquee.tmdb")

NOTHING_WRITTEN = "Nothing was imported."


def queue_import(tmdb_id: int, *, title: str = "", by=None) -> TMDBImport:
    """Record an editor's import and queue it for the worker (once the request commits).

    Finished imports older than TASKS_KEEP_DAYS are cleared here, as the worker clears finished
    tasks: the records are the waiting page's, not a history."""
    cutoff = timezone.now() - datetime.timedelta(days=settings.TASKS_KEEP_DAYS)
    TMDBImport.objects.filter(
        status__in=[TMDBImport.Status.DONE, TMDBImport.Status.FAILED], finished_at__lt=cutoff
    ).delete()
    job = TMDBImport.objects.create(tmdb_id=tmdb_id, title=title[:300], requested_by=by)
    import_from_tmdb.enqueue_on_commit(str(job.pk))
    return job


@durable_task(max_attempts=1)  # an editor waits: a failure is said at once, not retried later
def import_from_tmdb(job_id: str) -> dict:
    """Import the film an editor picked, all or nothing, and record how it went on the job."""
    job = TMDBImport.objects.filter(pk=job_id).first()
    if job is None or job.finished:
        return {"skipped": "no such import" if job is None else "already finished"}
    TMDBImport.objects.filter(pk=job.pk).update(status=TMDBImport.Status.RUNNING)
    try:
        result = import_film_from_tmdb(job.tmdb_id)
    except (TMDBError, TMDBImportError) as exc:
        _finish(job, TMDBImport.Status.FAILED, error=f"{exc} {NOTHING_WRITTEN}")
        return {"error": str(exc)}
    except Exception:
        _finish(
            job,
            TMDBImport.Status.FAILED,
            error=f"The import failed unexpectedly. {NOTHING_WRITTEN} The error is "
            "recorded with the background tasks.",
        )
        raise
    _finish(
        job,
        TMDBImport.Status.DONE,
        film=result.film,
        created=result.created,
        changed=result.changed,
    )
    return {"film": result.film.pk, "created": result.created, "changed": result.changed}


def _finish(job: TMDBImport, status: str, **values) -> None:
    for name, value in {"status": status, "finished_at": timezone.now(), **values}.items():
        setattr(job, name, value)
    job.save(update_fields=["status", "finished_at", *values])
    if status == TMDBImport.Status.FAILED:
        logger.warning("TMDB import of %s failed: %s", job.tmdb_id, job.error)
