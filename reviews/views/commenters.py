"""What a commenter has of their own without an account: their comments awaiting moderation
(through the receipts their browser keeps) and the signed link that stops comment mail."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from reviews import comment_mail
from reviews.commenters import normalise_email
from reviews.models import Comment, Review
from reviews.views.comment_outcomes import comment_for_receipt

MAX_RECEIPTS = 20


@never_cache
@require_GET
def my_comments(request: HttpRequest, slug: str) -> JsonResponse:
    """The comments of this review whose receipts the reader holds and that still wait.

    Answers `comments` (to show, marked as awaiting moderation) and `keep` (the receipts worth
    keeping: those still waiting). A published comment is on the page itself; a rejected or
    deleted one is simply gone.
    """

    review = get_object_or_404(Review.objects.published().only("id"), slug=slug)
    receipts = request.GET.getlist("r")[:MAX_RECEIPTS]
    ids = {pk: receipt for receipt in receipts if (pk := comment_for_receipt(receipt))}
    waiting = (
        Comment.objects.filter(pk__in=ids, review=review)
        .exclude(status__in=[Comment.Status.APPROVED, Comment.Status.REJECTED])
        .only("id", "name", "body_html", "submitted_at", "parent_id")
        .order_by("submitted_at", "id")
    )
    shown = []
    for comment in waiting:
        local = timezone.localtime(comment.submitted_at)
        shown.append(
            {
                "id": comment.pk,
                "name": comment.name,
                "body_html": comment.body_html,
                "parent": comment.parent_id,
                "submitted": local.isoformat(),
                # As the thread shows approved comments' times, the zone named.
                "submitted_display": date_format(local, "j F Y, H:i T"),
            }
        )
    return JsonResponse({"comments": shown, "keep": [ids[c["id"]] for c in shown]})


@csrf_exempt  # the signed token is the credential; mail clients post here in one click
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with one button; POST (that button, or a mail client's RFC 8058 one-click
    request): no more mail about any comment from this address."""
    email = comment_mail.email_for_token(token)
    if email is None:
        return render(request, "reviews/comment_unsubscribe.html", {"invalid": True}, status=400)
    done = False
    if request.method == "POST":
        Comment.objects.filter(email__iexact=normalise_email(email), notify=True).update(
            notify=False
        )
        done = True
    response = render(request, "reviews/comment_unsubscribe.html", {"email": email, "done": done})
    response["Cache-Control"] = "private, no-store"
    return response
