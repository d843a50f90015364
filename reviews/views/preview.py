"""Previews of reviews on the public template: for staff, and through share links."""

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache

from reviews import permissions
from reviews.models import Review, article_prefetches
from reviews.pending import PendingChange
from reviews.pending import apply as apply_pending
from reviews.preview import InvalidShareLink, review_for_token
from reviews.seo import description
from reviews.views.review_page import ARTICLE, OG_IMAGE, render_article, render_header

TEMPLATE = "reviews/review_detail.html"


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response


def _page(request: HttpRequest, review: Review, **context) -> HttpResponse:
    """The readers' template for `review` with the preview banner, kept out of every cache."""
    context |= {"review": review, "object": review, "preview": True}
    context["page_header"] = render_header(review, request, preview=True)
    return _private(render(request, TEMPLATE, context))


@staff_member_required
@never_cache
def preview(request: HttpRequest, slug: str) -> HttpResponse:
    """Show any review, in any state, as the public will see it, with a preview banner."""
    found = get_object_or_404(Review.objects.only("pk", "author_id"), slug=slug)
    if not permissions.may_preview(request.user, found):
        raise PermissionDenied("You may preview only your own reviews.")
    with transaction.atomic():
        pending = PendingChange.objects.filter(review_id=found.pk).first()
        if pending is not None:
            # Show the pending version exactly as publishing it would make the page: write it
            # in this transaction, render, and roll back, so no reader ever sees it.
            live = Review.objects.get(pk=found.pk)
            apply_pending(live, pending, request.user)
        review = get_object_or_404(Review.objects.for_article(), pk=found.pk)
        parts = render_article(review, request)
        transaction.set_rollback(True)
    return _page(
        request,
        review,
        preview_by_staff=True,
        preview_pending=pending is not None,
        **parts,
    )


@never_cache
def shared_preview(request: HttpRequest, token: str) -> HttpResponse:
    """Show the review a share link names, read-only; a bad link says why, never a 500."""
    try:
        found = review_for_token(token)
    except InvalidShareLink as error:
        reason = str(error)
        status = 404 if "not valid" in reason else 410
        return _private(
            render(
                request,
                "reviews/preview_invalid.html",
                {
                    "reason": reason,
                    "preview": True,
                },
                status=status,
            )
        )
    review = get_object_or_404(Review.objects.for_article(), pk=found.pk)
    return _page(request, review, **render_article(review, request))


def unsaved(request: HttpRequest, review: Review, sections: list, tags: list) -> HttpResponse:
    """The public page of `review` as an editor's form holds it: in memory, never saved.

    `review`, `sections` and `tags` carry the form's values with their HTML rendered (the
    admin's live preview builds them, reviews/admin/review_preview.py). The page is the
    readers' template with a banner; nothing of it is cached or shown to anyone else.
    """
    unsaved_parts = ("sections", "tags")  # the form's, not the stored ones
    prefetch_related_objects([review], *(p for p in article_prefetches() if p not in unsaved_parts))
    context = {"review": review, "sections": sections, "review_tags": tags}
    return _page(
        request,
        review,
        preview_live=True,
        page_article=render_to_string(ARTICLE, context),
        page_film_title=str(review.film),
        page_og_image=render_to_string(OG_IMAGE, {"review": review}, request),
        page_description=description(review, sections),
        page_json_ld="",
    )
