"""Clear the IP addresses and user agents of comments older than N days (privacy; cron-safe)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from reviews.models import Comment


class Command(BaseCommand):
    help = (
        "Clear stored IP addresses and user agents of comments submitted more than --days days "
        "ago. Safe to run repeatedly (from cron): rows already cleared are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            required=True,
            help="Keep IP addresses and user agents of comments newer than this many days.",
        )

    def handle(self, *args, days: int, **options):
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        cutoff = timezone.now() - datetime.timedelta(days=days)
        count = (
            Comment.objects.filter(submitted_at__lt=cutoff)
            .filter(Q(ip_address__isnull=False) | ~Q(user_agent=""))
            .update(ip_address=None, user_agent="")
        )
        self.stdout.write(
            f"Cleared the IP address and user agent of {count} comment{'s' if count != 1 else ''} "
            f"submitted before {cutoff:%Y-%m-%d %H:%M} {cutoff.tzname()}."
        )
