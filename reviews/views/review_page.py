"""The review page: one function (`review_page`) assembles it for the GET view, the comment
POST's answers and previews.

Four parts of it are cached as fragments (`pagecache.tags.fragment`), each good until a tag it
shows is retired, so a change re-renders only the part that shows it:

- the article (hero, film box, contents, scorecard, sections, footer), the page's title, image,
  description and JSON-LD: keyed by the review's `render_token` (new on every save), the release
  and the host; shows the review, its film and its author;
- the header (film, headline, byline, comment count, share): keyed as the article and by the
  number of comments shown;
- the related reviews: shows this review and its film, and each card's review, film and author;
- the thread of approved comments: shows the review's comments (`comments:<id>`).

What is read on each view: the review's own row (`Review.objects.for_page()`) and the comment
form. Its film, author and images are loaded (`for_article()`) only when a part is made.
"""

import functools
from collections.abc import Callable

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.timezone import get_current_timezone_name

from films.renditions import best_file
from films.templatetags.marquee import json_ld_script, movie_data
from pagecache import pages, tags
from reviews import comments
from reviews.critics import author_data
from reviews.forms import CommentForm
from reviews.models import Review, article_prefetches
from reviews.seo import description, image_source
from reviews.templatetags.comment_tags import thread_html
from reviews.views.comment_outcomes import CONFIRM, NO_COOKIE

TEMPLATE = "reviews/review_detail.html"
ARTICLE = "reviews/includes/review_article.html"
HEADER = "reviews/includes/review_header.html"
OG_IMAGE = "reviews/review_detail.html#og-image"
RELATED = "reviews/includes/related_reviews.html"
FIELDS = "reviews/includes/comments.html#comment-fields"
RELATED_SHOWN = 4
# What the thread shows of a comment: never the email address, IP address or browser.
THREAD_FIELDS = ("review", "parent", "name", "body_html", "is_staff_reply", "submitted_at")


def json_ld(review: Review, request: HttpRequest) -> str:
    """schema.org Review of the film (a Movie): a <script> for the review page's head."""
    film, author = review.film, review.author
    data = {
        "@context": "https://schema.org",
        "@type": "Review",
        "name": review.headline,
        "headline": review.headline,
        "url": request.build_absolute_uri(review.get_absolute_url()),
        "itemReviewed": movie_data(
            film, request=request, directors=film.directors, cast=film.top_cast
        ),
        "author": author_data(author, request),
        "datePublished": review.published_at,
        "dateModified": review.updated_at,
        "publisher": {
            "@type": "Organization",
            "name": settings.MARQUEE_SITE_NAME,
            "url": request.build_absolute_uri("/"),
        },
        "description": description(review),
        "inLanguage": "en",
    }
    if review.rating is not None:
        data["reviewRating"] = {
            "@type": "Rating",
            "ratingValue": float(review.rating),
            "bestRating": 5,
            "worstRating": 0.5,
        }
    if review.dek:
        data["alternativeHeadline"] = review.dek
    field, item = image_source(review)
    if field in ("social_image", "wide"):
        data["image"] = request.build_absolute_uri(best_file(item, field).url)
    return json_ld_script(data)


def render_article(review: Review, request: HttpRequest) -> dict[str, str]:
    """The article, title, image, description and JSON-LD of `review` (from `for_article()`),
    loading what they show."""
    prefetch_related_objects([review], *article_prefetches())
    return {
        "page_article": render_to_string(
            ARTICLE,
            {"review": review, "sections": review.sections.all(), "review_tags": review.tags.all()},
        ),
        "page_film_title": str(review.film),
        "page_og_image": render_to_string(OG_IMAGE, {"review": review}, request),
        "page_description": description(review),
        "page_json_ld": json_ld(review, request),
    }


def render_header(
    review: Review, request: HttpRequest, comment_count: int | None = None, *, preview: bool = False
) -> str:
    """The header of `review` (from `for_article()`), sharing its public address (an unsaved
    preview's own)."""
    url = request.build_absolute_uri(review.get_absolute_url() if review.slug else request.path)
    context = {"review": review, "url": url, "comment_count": comment_count, "preview": preview}
    return render_to_string(HEADER, context)


def part_key(name: str, review: Review, request: HttpRequest, *more) -> str:
    """The cache key of one part of `review`'s page: the release, the review, what else the
    part depends on, and the host its links name."""
    host = f"{request.scheme}://{request.get_host()}"
    return ":".join(map(str, (name, settings.MARQUEE_RELEASE, review.pk, *more, host)))


def own_part[T](
    name: str, review: Review, request: HttpRequest, render: Callable[[], T], *more
) -> T:
    """A part showing the review, its film and its author and nothing else (the article, the
    header): made by `render()`, kept under the review's `render_token` while good."""
    key = part_key(name, review, request, review.render_token, *more)
    shown = (f"review:{review.pk}", f"film:{review.film_id}", f"user:{review.author_id}")
    return tags.fragment(key, lambda: (render(), shown), settings.MARQUEE_ARTICLE_CACHE_SECONDS)


def related(review: Review, loaded: Callable[[], Review], request: HttpRequest) -> str:
    """The related reviews box, from the fragment cache while no review, film or author it
    shows has changed (nor this review or its film: what makes a review related), and until
    the next scheduled review goes public or leaves."""

    def render():
        cards = Review.objects.cards().related_to(loaded(), RELATED_SHOWN)
        shown = [f"review:{review.pk}", f"film:{loaded().film_id}"]
        for card in cards:
            shown += [f"review:{card.pk}", f"film:{card.film_id}", f"user:{card.author_id}"]
        return render_to_string(RELATED, {"related_reviews": cards}, request), shown

    key = part_key("related", review, request)
    timeout = settings.MARQUEE_ARTICLE_CACHE_SECONDS
    return tags.fragment(key, render, timeout, scheduled=True, request=request)


def thread(review: Review, request: HttpRequest, is_open: bool) -> tuple[list, str]:
    """The approved comments (flat, for the form's replies) and the thread's HTML, from the
    fragment cache until a shown comment changes. Dates are in the reader's time zone."""

    def render():
        flat = list(review.comments.approved().only(*THREAD_FIELDS))
        html = thread_html(
            comments.build_tree(flat), can_reply=is_open, max_depth=comments.MAX_DEPTH
        )
        return (flat, html), (f"comments:{review.pk}",)

    key = part_key("thread", review, request, get_current_timezone_name(), int(is_open))
    return tags.fragment(key, render, settings.MARQUEE_ARTICLE_CACHE_SECONDS)


# An anonymous reader's empty comment form, by release and the rules its help states.
_empty_fields: dict[tuple[str, str], str] = {}


def comment_fields(form: CommentForm) -> str:
    """The comment form's fields as HTML. An anonymous reader's empty form is the same on every
    review page: each process renders it once (per release and rules) and keeps it, so a cold
    view does not render it again (~2 ms of its ~33: bench/NOTES.md)."""
    if form.is_bound or form.user is not None or form.initial:
        return render_to_string(FIELDS, {"comment_form": form})
    key = (settings.MARQUEE_RELEASE, form["body"].help_text)
    if key not in _empty_fields:
        _empty_fields[key] = render_to_string(FIELDS, {"comment_form": form})
    return _empty_fields[key]


def comment_context(
    request: HttpRequest,
    review: Review,
    form: CommentForm | None = None,
    *,
    confirm: bool = False,
    notice: str = "",
    token: str = "",
) -> dict:
    """What templates/reviews/includes/comments.html needs, in one query.

    The tokens are written into the form only where the page is this reader's alone (signed in,
    or the answer to their POST: `token`, else a fresh one); the shared copy gets them from
    `comment_tokens`, and carries the stamp of when it was made instead (the too-fast clock
    starts there). `notice` says why a posted comment is back in the form (`confirm`: it was
    not posted yet).
    """
    is_open = review.comments_open
    flat, html = thread(review, request, is_open)
    roots = comments.build_tree(flat)
    replies_to = {c.pk: c for c in flat if c.depth is not None and c.depth < comments.MAX_DEPTH}
    if form is None and is_open:
        reply_id = request.GET.get("reply_to", "")
        initial = (
            {"parent": int(reply_id)} if reply_id.isdigit() and int(reply_id) in replies_to else {}
        )
        if reply_id and str(initial.get("parent")) != reply_id:
            pages.not_kept(request)  # names no comment one may reply to
        form = CommentForm(review=review, user=request.user, replies_to=replies_to, initial=initial)
    inline = request.method == "POST" or request.user.is_authenticated
    parent_id = str(form["parent"].value() or "") if form is not None else ""
    return {
        "comments": roots,
        "comment_thread": html,
        "comment_count": comments.shown_count(roots),
        "comments_open": is_open,
        "comments_close_at": review.comments_close_at,
        "comment_form": form,
        "comment_fields": comment_fields(form) if form is not None else "",
        "comment_tokens_inline": inline,
        "comment_token": (token or comments.sign_form(review)) if is_open and inline else "",
        "comment_shown": comments.sign_shown(review) if is_open and not inline else "",
        "comment_confirm": confirm,
        "comment_notice": notice or (CONFIRM if confirm else ""),
        # A step, told as a notice: the comment waits for the reader's press, nothing failed
        # (the missing cookie is a failure the reader has to fix, told as an error).
        "comment_asks": confirm and notice != NO_COOKIE,
        "comment_reply_to": replies_to.get(int(parent_id)) if parent_id.isdigit() else None,
        "comment_max_depth": comments.MAX_DEPTH,
    }


def review_page(
    request: HttpRequest,
    review: Review,
    *,
    form: CommentForm | None = None,
    confirm: bool = False,
    notice: str = "",
    token: str = "",
    status: int = 200,
) -> HttpResponse:
    """The public review page for `review` (loaded with `Review.objects.for_page()`); `form`,
    `confirm`, `notice` and `token` are a posted comment's answer (see `comment_context`)."""
    tags.shows(
        request,
        f"review:{review.pk}",
        f"comments:{review.pk}",
        f"film:{review.film_id}",
        f"user:{review.author_id}",
    )
    # With what the parts show, for a part not in the cache; at most once per view.
    # Still public: an editor may have unpublished it since the first read.
    loaded = functools.cache(
        lambda: get_object_or_404(Review.objects.published().for_article(), pk=review.pk)
    )
    context = comment_context(request, review, form, confirm=confirm, notice=notice, token=token)
    count = context["comment_count"]  # the header is kept for as long as it is the same
    return render(
        request,
        TEMPLATE,
        {
            "review": review,
            **own_part("article", review, request, lambda: render_article(loaded(), request)),
            "page_header": own_part(
                "header", review, request, lambda: render_header(loaded(), request, count), count
            ),
            "page_related": related(review, loaded, request),
            **context,
        },
        status=status,
    )


def review_detail(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_object_or_404(Review.objects.published().for_page(), slug=slug)
    return review_page(request, review)
