"""Send the daily digest of comments waiting for moderation to the moderators who chose it."""

from django.core.management.base import BaseCommand

from reviews.comment_mail import send_daily_digests


class Command(BaseCommand):
    help = (
        "Mail each moderator who chose the daily digest (admin › Comments › Your comment mail) "
        "the comments that came to the queue since their last digest. Run it once a day "
        "(cron or a periodic task); a moderator gets at most one digest in 23 hours."
    )

    def handle(self, *args, **options):
        sent = send_daily_digests()
        self.stdout.write(f"{sent} digest{'s' if sent != 1 else ''} sent.")
