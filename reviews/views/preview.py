"""Previews of reviews on the public template: for staff, and through share links."""

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from reviews import rendering, workflow
from reviews.models import Review
from reviews.preview import InvalidShareLink, review_for_token
from reviews.views.pages import review_for_page

TEMPLATE = "reviews/review_detail.html"


def may_preview(user, review: Review) -> bool:
    """Editors preview any review; writers their own."""
    if user.has_perm(workflow.PUBLISH_PERMISSION):
        return True
    return review.author_id == user.pk and user.has_perm("reviews.view_review")


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response


@staff_member_required
@never_cache
def preview(request: HttpRequest, slug: str) -> HttpResponse:
    """Show any review, in any state, as the public will see it, with a preview banner."""
    review = review_for_page(Review.objects.select_related("author"), slug=slug)
    if not may_preview(request.user, review):
        raise PermissionDenied("You may preview only your own reviews.")
    return _private(render(request, TEMPLATE, {
        "review": review, "object": review, "preview": True, "preview_by_staff": True,
        **rendering.page_parts(rendering.render_parts(review), request),
    }))


@never_cache
def shared_preview(request: HttpRequest, token: str) -> HttpResponse:
    """Show the review a share link names, read-only; a bad link says why, never a 500."""
    try:
        found = review_for_token(token)
    except InvalidShareLink as error:
        reason = str(error)
        status = 404 if "not valid" in reason else 410
        return _private(render(request, "reviews/preview_invalid.html", {
            "reason": reason, "preview": True,
        }, status=status))
    review = review_for_page(Review.objects.select_related("author"), pk=found.pk)
    return _private(render(request, TEMPLATE, {
        "review": review, "object": review, "preview": True,
        **rendering.page_parts(rendering.render_parts(review), request),
    }))
