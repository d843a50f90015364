"""The admin index's newsroom counts: what is waiting for whom."""

from django import template
from django.urls import reverse
from django.utils import timezone

from reviews import workflow
from reviews.models import Comment, Review

register = template.Library()


@register.simple_tag(takes_context=True)
def newsroom_counts(context) -> list[dict]:
    """Counts with links, each only for staff who may open the list behind it."""
    user = context["request"].user
    reviews_url = reverse("admin:reviews_review_changelist")
    counts = []
    if user.has_perm(workflow.PUBLISH_PERMISSION):
        counts.append({
            "label": "Awaiting review",
            "count": Review.objects.filter(status=Review.Status.IN_REVIEW).count(),
            "url": f"{reviews_url}?queue=review",
        })
        counts.append({
            "label": "Scheduled",
            "count": Review.objects.filter(
                status=Review.Status.SCHEDULED, published_at__gt=timezone.now()
            ).count(),
            "url": f"{reviews_url}?queue=scheduled",
        })
    elif user.has_perm("reviews.change_review"):
        counts.append({
            "label": "My drafts",
            "count": Review.objects.by_author(user).filter(status=Review.Status.DRAFT).count(),
            "url": f"{reviews_url}?queue=mine",
        })
    if user.has_perm("reviews.moderate_comment"):
        counts.append({
            "label": "Pending comments",
            "count": Comment.objects.pending().count(),
            "url": reverse("admin:reviews_comment_changelist") + "?status__exact=pending"
            if _has_url("admin:reviews_comment_changelist") else "",
        })
    return counts


def _has_url(name: str) -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True
