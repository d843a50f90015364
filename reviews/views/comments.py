"""Reader comments on the review page: the comments area's context and the form's POST target.

The review page is one copy for every anonymous reader (Marquee's page cache and the nginx front
cache share it), so its comment form carries no tokens of its own: a small script fetches the
CSRF token and the signed form token from `comment_tokens` when the reader starts writing. A form
posted without them (no JavaScript, or a forged cross-site post) saves nothing; the reader gets
the comment back, with tokens, to confirm. The page does carry a signed stamp of when it was
made (`form_shown`), so the too-fast clock runs from then, across the confirmation.

Whatever is refused comes back on the review page with the reader's text in the form and a
notice saying what to do; see reviews/comments.py for the rules.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from reviews import comments
from reviews.forms import CommentForm
from reviews.models import Review
from reviews.views.comment_outcomes import (
    NO_COOKIE,
    REPLAYED,
    blocked_notice,
    outcome_message,
    rate_limited_notice,
    receipt_for,
)
from reviews.views.review_page import review_page

CONFIRMED_FIELDS = ("name", "email", "body", "parent", "notify")


def _csrf_refused(request: HttpRequest) -> bool:
    """Django's own CSRF check (Origin, Referer, cookie and token), run by the view itself."""
    return CsrfViewMiddleware(lambda request: None).process_view(request, None, (), {}) is not None


@never_cache
@require_GET
def comment_tokens(request: HttpRequest, slug: str) -> JsonResponse:
    """The comment form's CSRF token (setting its cookie) and signed form token, for this reader.

    `shown` (the page's stamp) starts the form token's clock when the page was made.
    """
    review = get_object_or_404(Review.objects.published(), slug=slug)
    if not review.comments_open:
        return JsonResponse({"error": "Comments are closed."}, status=403)
    return JsonResponse(
        {
            "csrfmiddlewaretoken": get_token(request),
            "form_token": comments.sign_form(
                review, started=comments.shown_at(request.GET.get("shown", ""), review)
            ),
        }
    )


def _typed_form(request: HttpRequest, review: Review) -> CommentForm:
    """An unbound form holding what the reader typed (for confirming it)."""
    typed = {name: request.POST.get(name, "") for name in CONFIRMED_FIELDS}
    typed["notify"] = bool(typed["notify"])
    return CommentForm(initial=typed, review=review, user=request.user)


def _started(request: HttpRequest, review: Review, form: CommentForm | None = None) -> float:
    """When this reader first got the form, as best the post shows it."""
    if form is not None and form.token is not None:
        return form.token.started
    shown = comments.shown_at(request.POST.get("form_shown", ""), review)
    return shown if shown is not None else time.time()


def _not_posted(request: HttpRequest, reason: str, status: int, review_url: str = ""):
    """The reader's text back when the review stopped taking comments while they wrote."""
    context = {"reason": reason, "body": request.POST.get("body", ""), "review_url": review_url}
    return render(request, "reviews/comment_not_posted.html", context, status=status)


@require_http_methods(["GET", "POST"])
@csrf_exempt  # checked in the view, so that a refused form gives the reader their text back
def post_comment(request: HttpRequest, slug: str) -> HttpResponse:
    """Take a comment: post/redirect/get when stored, else the page with the form and a notice.

    Without a valid CSRF token (403) or form token (400) nothing is saved: the page comes back
    with the comment filled in and fresh tokens, asking the reader to confirm it. A GET (this
    address reopened from the history after a refusal) goes to the review's comment form.
    """
    if request.method == "GET":
        return redirect(reverse("reviews:detail", kwargs={"slug": slug}) + "#comment-form")
    review = Review.objects.published().for_page().filter(slug=slug).first()
    if review is None:
        return _not_posted(
            request, "This review is no longer published, so it takes no comments.", 404
        )
    if not review.comments_open:
        return _not_posted(
            request, "Comments are closed on this review.", 403, review.get_absolute_url()
        )

    refused = _csrf_refused(request)
    if refused or not request.POST.get("form_token"):
        token = comments.sign_form(review, started=_started(request, review))
        # Posted with the tokens a confirmation (or the page's script) gave, and still no
        # cookie: asking to confirm again would go round for ever; say what is missing.
        cookieless = (
            refused
            and request.POST.get("csrfmiddlewaretoken")
            and settings.CSRF_COOKIE_NAME not in request.COOKIES
        )
        typed = CommentForm(request.POST, review=review, user=request.user)
        if not cookieless and not typed.is_valid():
            # The reader's own mistakes (too long, too many links, no name) are said now, with
            # the tokens to post the mended comment at once: not after a confirmation.
            return review_page(request, review, form=typed, status=400, token=token)
        return review_page(
            request,
            review,
            form=_typed_form(request, review),
            status=403 if refused else 400,
            confirm=True,
            notice=NO_COOKIE if cookieless else "",
            token=token,
        )

    form = CommentForm(request.POST, review=review, user=request.user)

    def again(status: int, **notice) -> HttpResponse:
        """The page with the reader's form again, and a token to post it with."""
        token = _fresh_token(form, review)
        return review_page(request, review, form=form, status=status, token=token, **notice)

    if not form.is_valid():
        return again(400)
    data = form.cleaned_data
    ip = comments.client_ip(request)
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
            nonce=form.token.nonce if form.token else None,
            notify=data.get("notify", False),
        )
    except comments.ReplayedForm:
        token = comments.sign_form(review, started=_started(request, review, form))
        return review_page(
            request,
            review,
            form=_typed_form(request, review),
            status=400,
            confirm=True,
            notice=REPLAYED,
            token=token,
        )
    except comments.Blocked:
        return again(403, notice=blocked_notice())
    except comments.RateLimited as limited:
        response = again(429, notice=rate_limited_notice(limited))
        response["Retry-After"] = str(limited.retry_after)
        return response
    except ValidationError as error:
        form.add_error(None, error)
        return again(400)
    messages.success(
        request,
        outcome_message(comment),
        extra_tags=receipt_for(comment) if not comment.is_shown else "",
    )
    if comment.is_shown:
        return redirect(comment.get_absolute_url())
    return redirect(review.get_absolute_url() + "#comments")


def _fresh_token(form: CommentForm, review: Review) -> str:
    """The token to post the form with again: its own while valid (unused), else a new one
    whose clock starts when the reader got the form (an expired one: long enough ago)."""
    if form.token is not None:
        return form.data.get("form_token", "")
    started = time.time() - settings.MARQUEE_COMMENTS_MIN_SECONDS
    return comments.sign_form(review, started=started)
