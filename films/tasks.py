"""Work for the task worker (django.tasks): TMDB's daily sync."""

from django.tasks import task

from films.tmdb_sync import sync_changes


@task
def sync_tmdb() -> dict:
    """Refresh the films TMDB changed since the last run; enqueue it daily (or run
    `manage.py sync_tmdb` from cron)."""
    run = sync_changes()
    return {"listed": run.listed, "updated": run.updated, "failures": run.failures,
            "error": run.error}
