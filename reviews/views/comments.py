"""Reader comments on the review page: the comments area's context and the form's POST target."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from reviews import comments
from reviews.forms import CommentForm
from reviews.models import Comment, Review

AWAITING_MODERATION = "Thank you. Your comment is awaiting moderation."
PUBLISHED_NOW = "Your comment is published."


def approved_comments(review: Review) -> list[Comment]:
    """Every approved comment of `review`, oldest first, in one query (no private fields)."""
    return list(
        Comment.objects.approved()
        .filter(review=review)
        .only("id", "review_id", "parent_id", "name", "body", "is_staff_reply", "submitted_at")
        .order_by("submitted_at", "id")
    )


def comment_context(request: HttpRequest, review: Review, form: CommentForm | None = None):
    """What templates/reviews/includes/comments.html needs, in one query."""
    flat = approved_comments(review)
    roots = comments.build_tree(flat)
    replies_to = {c.pk: c for c in flat
                  if c.depth is not None and c.depth < comments.MAX_DEPTH}
    is_open = comments.comments_open(review)
    if form is None and is_open:
        initial = {}
        try:
            reply_id = int(request.GET.get("reply_to", ""))
        except ValueError:
            reply_id = None
        if reply_id in replies_to:
            initial["parent"] = reply_id
        form = CommentForm(review=review, user=request.user, replies_to=replies_to,
                           initial=initial)
    reply_to = None
    if form is not None:
        parent_id = form["parent"].value()
        try:
            reply_to = replies_to.get(int(parent_id)) if parent_id else None
        except (TypeError, ValueError):
            reply_to = None
    return {
        "comments": roots,
        "comment_count": comments.shown_count(roots),
        "comments_open": is_open,
        "comments_close_at": comments.closes_at(review),
        "comment_form": form,
        "comment_token": comments.sign_form(review) if is_open else "",
        "comment_reply_to": reply_to,
        "comment_max_depth": comments.MAX_DEPTH,
    }


def _review_page(request: HttpRequest, review: Review, form: CommentForm | None,
                 status: int) -> HttpResponse:
    """The review page as ReviewDetailView renders it, with this form and status."""
    from reviews.views.pages import ReviewDetailView

    view = ReviewDetailView()
    view.setup(request, slug=review.slug)
    view.object = review
    context = view.get_context_data(object=review, comment_form=form)
    return view.render_to_response(context, status=status)


@require_POST
@csrf_protect
def post_comment(request: HttpRequest, slug: str) -> HttpResponse:
    """Take a comment: post/redirect/get on success, the page with errors (400) otherwise."""
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

    from reviews.views.pages import public_reviews, with_review_page_data

    review = get_object_or_404(with_review_page_data(public_reviews()), slug=slug)
    if not comments.comments_open(review):
        return _review_page(request, review, None, status=403)

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
    return _review_page(request, review, form, status=400)
