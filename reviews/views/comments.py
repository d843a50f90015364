"""Reader comments on the review page: the comments area's context and the form's POST target.

The review page is one copy for every anonymous reader (Marquee's page cache and the nginx front
cache share it), so its comment form carries no tokens of its own: a small script fetches the
CSRF token and the signed form token from `comment_tokens` when the reader starts writing. A form
posted without them (no JavaScript, or a forged cross-site post) saves nothing; the reader gets
the comment back, with tokens, to confirm.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from reviews import comments
from reviews.forms import CommentForm
from reviews.models import Comment, Review
from reviews.views.review_page import review_page

AWAITING_MODERATION = "Thank you. Your comment is awaiting moderation."
PUBLISHED_NOW = "Your comment is published."
CONFIRMED_FIELDS = ("name", "email", "body", "parent")


def _csrf_refused(request: HttpRequest) -> bool:
    """Django's own CSRF check (Origin, Referer, cookie and token), run by the view itself."""
    return CsrfViewMiddleware(lambda request: None).process_view(request, None, (), {}) is not None


@never_cache
@require_GET
def comment_tokens(request: HttpRequest, slug: str) -> JsonResponse:
    """The comment form's CSRF token (setting its cookie) and signed form token, for this reader."""
    review = get_object_or_404(Review.objects.published(), slug=slug)
    if not comments.comments_open(review):
        return JsonResponse({"error": "Comments are closed."}, status=403)
    return JsonResponse({
        "csrfmiddlewaretoken": get_token(request),
        "form_token": comments.sign_form(review),
    })


@require_POST
@csrf_exempt  # checked in the view, so that a refused form gives the reader their text back
def post_comment(request: HttpRequest, slug: str) -> HttpResponse:
    """Take a comment: post/redirect/get on success, the page with errors (400) otherwise.

    Without a valid CSRF token (403) or form token (400) nothing is saved: the page comes back
    with the comment filled in and fresh tokens, asking the reader to confirm it.
    """
    ip = comments.client_ip(request)
    try:
        comments.hit_rate_limit(ip)
    except comments.RateLimited as limited:
        if not comments.may_moderate(request.user):
            minutes = max(1, round(limited.retry_after / 60))
            response = render(request, "reviews/comment_rate_limited.html", {
                "minutes": minutes, "slug": slug,
            }, status=429)
            response["Retry-After"] = str(limited.retry_after)
            return response

    review = get_object_or_404(Review.objects.published().for_page(), slug=slug)
    if not comments.comments_open(review):
        return review_page(request, review, status=403)

    refused = _csrf_refused(request)
    if refused or not request.POST.get("form_token"):
        typed = {name: request.POST.get(name, "") for name in CONFIRMED_FIELDS}
        form = CommentForm(initial=typed, review=review, user=request.user)
        return review_page(request, review, form=form, status=403 if refused else 400,
                           confirm=True)

    form = CommentForm(request.POST, review=review, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            comment = comments.create_comment(
                review,
                body=data["body"],
                name=data.get("name", ""),
                email=data.get("email", ""),
                user=request.user,
                parent=data.get("parent"),
                ip_address=ip,
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
                signals=form.spam_signals,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if comment.status == Comment.Status.APPROVED:
                messages.success(request, PUBLISHED_NOW)
                return redirect(comment.get_absolute_url())
            # Spam is told the same as everyone: nothing to learn from the answer.
            messages.success(request, AWAITING_MODERATION)
            return redirect(review.get_absolute_url() + "#comments")
    return review_page(request, review, form=form, status=400)
