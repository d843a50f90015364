from django.db import models
from django.utils import timezone


class PendingRetirement(models.Model):
    """Tags a change retired while the cache could not be written (Redis down, hung or full).

    While any is left the page cache serves nothing it holds (pagecache.tags.trusted): a cache
    fault costs speed, never a page that was taken down. The next process that reaches the
    cache writes them and deletes the row.
    """

    tags = models.TextField(help_text="Space-separated cache tags, e.g. “review:12 home”.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.tags
