"""Tidy scheduled and expiring reviews whose time has come, and tell their authors.

Scheduled reviews become public at their time, and expiring ones leave, without this command
(see `public_condition()`); with a task worker, the same tidying runs by itself at each moment
(reviews/clock.py). This command only does it now for a site without a worker, so it is safe to
run from cron as often as you like.
"""

from django.core.management.base import BaseCommand

from reviews import clock


class Command(BaseCommand):
    help = "Mark due scheduled reviews published and expired ones unpublished; mail the authors."

    def handle(self, *args, **options):
        live, gone = clock.tidy()
        self.stdout.write(
            f"{live} scheduled review(s) marked published; {gone} expired review(s) unpublished."
        )
