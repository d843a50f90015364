from django.core.management.base import BaseCommand, CommandError

from films.tmdb_sync import sync_changes


class Command(BaseCommand):
    help = (
        "Refresh the films TMDB lists as changed since the last successful run (its changes "
        "endpoint), each all or nothing; editors' own edits are kept. Run it daily (cron, or "
        "the films.tasks.sync_tmdb task)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            dest="everything",
            help="Refresh every film with a TMDB id, listed or not.",
        )

    def handle(self, *args, everything: bool, **options):
        run = sync_changes(everything=everything)
        if run.error:
            raise CommandError(f"TMDB sync failed, nothing was refreshed: {run.error}")
        self.stdout.write(
            f"TMDB listed {run.listed} of our films as changed since {run.since:%-d %B %Y}; "
            f"{run.updated} updated, {len(run.failures)} left as they were."
        )
        for tmdb_id, error in run.failures.items():
            self.stderr.write(f"  TMDB film {tmdb_id}: {error}")
