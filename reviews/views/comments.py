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

AWAITING_MODERATION = "Thank you. Your comment is awaiting moderation."
PUBLISHED_NOW = "Your comment is published."
CONFIRM = ("Your comment has not been posted yet. Please check it and press "
           "“Post comment” to send it.")
CONFIRMED_FIELDS = ("name", "email", "body", "parent")


def _quoted(name: str) -> str:
    return f'"{Comment._meta.get_field(name).column}"'


# Every approved comment of a review, oldest first, with what the thread shows of each: never
# the email address, IP address or browser.
APPROVED_SQL = (  # noqa: S608 (names from the model's _meta; values are parameters)
    "SELECT {columns} FROM \"{table}\" WHERE {review} = %s AND {status} = %s ORDER BY {order}"
).format(
    columns=", ".join(_quoted(name) for name in (
        "id", "review", "parent", "name", "body_html", "is_staff_reply", "submitted_at")),
    table=Comment._meta.db_table, review=_quoted("review"), status=_quoted("status"),
    order=f"{_quoted('submitted_at')}, {_quoted('id')}",
)


def approved_comments(review: Review) -> list[Comment]:
    """Every approved comment of `review`, oldest first, in one query (`APPROVED_SQL`).

    Written out rather than built through the ORM on every view of the review page, where
    building the query took as long as running it.
    """
    return list(Comment.objects.raw(APPROVED_SQL, [review.pk, Comment.Status.APPROVED.value]))


def comment_context(request: HttpRequest, review: Review, form: CommentForm | None = None,
                    *, confirm: bool = False):
    """What templates/reviews/includes/comments.html needs, in one query.

    The tokens are written into the form only where the page is this reader's alone (signed in,
    or the answer to their POST); the shared copy gets them from `comment_tokens`.
    """
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
    inline = request.method == "POST" or request.user.is_authenticated
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
        "comment_tokens_inline": inline,
        "comment_token": comments.sign_form(review) if is_open and inline else "",
        "comment_confirm": CONFIRM if confirm else "",
        "comment_reply_to": reply_to,
        "comment_max_depth": comments.MAX_DEPTH,
    }


def _review_page(request: HttpRequest, review: Review, form: CommentForm | None,
                 status: int, *, confirm: bool = False) -> HttpResponse:
    """The review page as ReviewDetailView renders it, with this form and status."""
    from reviews.views.pages import ReviewDetailView

    view = ReviewDetailView()
    view.setup(request, slug=review.slug)
    view.object = review
    context = view.get_context_data(object=review, comment_form=form, comment_confirm=confirm)
    return view.render_to_response(context, status=status)


def _csrf_refused(request: HttpRequest) -> bool:
    """Django's own CSRF check (Origin, Referer, cookie and token), run by the view itself."""
    return CsrfViewMiddleware(lambda request: None).process_view(request, None, (), {}) is not None


@never_cache
@require_GET
def comment_tokens(request: HttpRequest, slug: str) -> JsonResponse:
    """The comment form's CSRF token (setting its cookie) and signed form token, for this reader."""
    from reviews.views.pages import public_reviews

    review = get_object_or_404(public_reviews(), slug=slug)
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

    from reviews.views.pages import public_reviews, review_for_page

    review = review_for_page(public_reviews(), slug=slug)
    if not comments.comments_open(review):
        return _review_page(request, review, None, status=403)

    refused = _csrf_refused(request)
    if refused or not request.POST.get("form_token"):
        typed = {name: request.POST.get(name, "") for name in CONFIRMED_FIELDS}
        form = CommentForm(initial=typed, review=review, user=request.user)
        return _review_page(request, review, form, status=403 if refused else 400, confirm=True)

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
