"""Flip the stored status of scheduled reviews whose time has come.

Scheduled reviews become public at their time without this command (see
`ReviewQuerySet.published`); it only keeps the stored status and the audit trail tidy, so it is
safe to run from cron as often as you like.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from reviews.models import Review, ReviewTransition


class Command(BaseCommand):
    help = "Mark scheduled reviews whose publication time has passed as published."

    def handle(self, *args, **options):
        with transaction.atomic():
            due = list(Review.objects.due().select_for_update())
            for review in due:
                review.status = Review.Status.PUBLISHED
                review.save(update_fields=["status", "updated_at"])
                ReviewTransition.objects.create(
                    review=review,
                    actor=None,
                    from_status=Review.Status.SCHEDULED,
                    to_status=Review.Status.PUBLISHED,
                    note="Scheduled time reached.",
                )
        self.stdout.write(f"{len(due)} scheduled review(s) marked published.")
