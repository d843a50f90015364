"""The front page's featured slot: one current feature, its history and what is scheduled next.

A `Feature` says “from `starts_at`, this review leads the front page”. The current feature is the
one that started last; it ends when the next one starts. A feature that starts in the future is
scheduled, and takes over by itself at its time, with nothing run and nothing saved: every read
asks `Feature.objects.current()` with the time of the read (as `public_condition()` does for
scheduled reviews), and the page cache is told the moment in advance (reviews/receivers.py:
schedule_due).

The front page shows the current feature only while its review is public; otherwise the newest
published review leads (reviews/views/pages.py: HomeView).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F, Window
from django.db.models.functions import Lead
from django.utils import timezone

from reviews import clock, permissions
from reviews.models.review import Review
from reviews.status import Status

FEATURABLE = (Status.PUBLISHED, Status.SCHEDULED)


class FeatureQuerySet(models.QuerySet):
    def started(self, now=None):
        """Features whose time has come, the latest first: the first is the current one."""
        return self.filter(starts_at__lte=now or timezone.now()).order_by("-starts_at", "-id")

    def upcoming(self, now=None):
        """Scheduled features, the soonest first."""
        return self.filter(starts_at__gt=now or timezone.now()).order_by("starts_at", "id")

    def current(self, now=None):
        """The feature leading the front page now, or None."""
        return self.started(now).select_related("review").first()

    def current_review_id(self):
        """The current feature's review id, as a subquery (one query with what uses it)."""
        return models.Subquery(self.started().values("review_id")[:1])

    def with_ends(self):
        """Annotate `ends_at`: when the next feature took (or takes) over; None for the last."""
        return self.annotate(
            ends_at=Window(Lead("starts_at"), order_by=[F("starts_at").asc(), F("id").asc()])
        )

    def feature(self, review, by, at=None) -> "Feature":
        """Put `review` in the featured slot now, or from `at` (a future time schedules it).

        Only editors may (PermissionDenied); only a published or scheduled review can be
        featured, and a scheduled feature cannot start before its review is published
        (ValidationError).
        """
        if not permissions.may_feature(by):
            raise PermissionDenied("Only editors may choose the front page's featured review.")
        now = timezone.now()
        if at is not None and timezone.is_naive(at):
            at = timezone.make_aware(at)
        starts_at = now if at is None or at <= now else at
        with transaction.atomic():
            review = Review.objects.select_for_update().get(pk=review.pk)
            check_featurable(review, starts_at)
            return self.create(review=review, starts_at=starts_at, featured_by=by)

    def cancel(self, feature, by) -> None:
        """Take a scheduled feature off the schedule; history (started ones) is kept."""
        if not permissions.may_feature(by):
            raise PermissionDenied("Only editors may change the featured slot's schedule.")
        if not feature.is_scheduled:
            raise ValidationError(
                "This feature has started: it is part of the front page's history now.",
                code="feature_started",
            )
        feature.delete()


def check_featurable(review, starts_at=None) -> None:
    """Refuse (ValidationError) to feature `review` from `starts_at` (None: now) unless it is
    published or scheduled, and published by then."""
    starts_at = starts_at or timezone.now()
    if review.effective_status not in FEATURABLE:
        raise ValidationError(
            "Only a published or scheduled review can be featured; “%(headline)s” is %(status)s.",
            code="not_featurable",
            params={
                "headline": review.headline,
                "status": Status(review.effective_status).label.lower(),
            },
        )
    if review.published_at and starts_at < review.published_at:
        raise ValidationError(
            "“%(headline)s” is not published until %(published)s: schedule its feature for "
            "then or later.",
            code="feature_before_publication",
            params={"headline": review.headline, "published": clock.local(review.published_at)},
        )


class Feature(models.Model):
    """From `starts_at`, `review` leads the front page (until the next feature starts)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="features")
    starts_at = models.DateTimeField("starts at", default=timezone.now)
    featured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="featured by",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FeatureQuerySet.as_manager()

    class Meta:
        verbose_name = "front-page feature"
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["-starts_at", "-id"], name="feature_latest_idx")]

    def __str__(self):
        return f"{self.review} from {clock.local(self.starts_at)}"

    @property
    def is_scheduled(self) -> bool:
        return self.starts_at > timezone.now()
