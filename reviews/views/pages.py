import re
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connections, router
from django.db.models import Exists, F, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView, ListView, TemplateView

from films.cache import cache_public_page
from films.models import CastCredit, CrewCredit, Film, Genre, Person
from reviews import rendering
from reviews.models import RATING_CHOICES, Review, ReviewRendering

TOP_BILLED = 5
SLUG = re.compile(r"[-\w]{1,200}")
RELATED_SHOWN = 4


def public_reviews():
    """Published reviews with what every listing shows (film, author) joined in."""
    return Review.objects.published().select_related("film", "author")


# What the review page itself never shows (the search text is the whole review again).
NOT_ON_THE_PAGE = ("search_text", "search_vector")
# What a review card (review_card in reviews/templatetags/review_tags.py) shows, and nothing
# else: a listing of twelve reviews no longer loads twelve films' and authors' every column.
ON_CARDS = (
    "headline", "dek", "slug", "rating", "published_at", "is_featured",
    "film__title", "film__slug", "film__year", "film__poster", "film__poster_width",
    "film__poster_height", "author__username", "author__first_name", "author__last_name",
)


# What the review page needs of the review and its film beside its stored parts
# (reviews/rendering.py): the head's title, Open Graph image and date, the comments' state,
# and what related_reviews() starts from.
PAGE_REVIEW_FIELDS = ("id", "film", "headline", "slug", "status", "published_at",
                      "comments_enabled", "render_token")
PAGE_FILM_FIELDS = ("title", "slug", "year", "poster", "poster_width", "poster_height",
                    "collection")
PAGE_PARTS = ("article", "description", "json_ld")


def listed_reviews():
    """Published reviews as cards show them: film and author joined, the rest left behind."""
    return public_reviews().only(*ON_CARDS)


def _columns(model, names, alias: str, prefix: str = "") -> str:
    """`model`'s fields `names` as quoted columns of `alias`, for a SELECT read by raw().

    With a `prefix` each is named `<prefix><name>`: a joined model's, rebuilt by `_joined`.
    """
    def column(name: str) -> str:
        quoted = f'{alias}."{model._meta.get_field(name).column}"'
        return f"{quoted} AS {prefix}{name}" if prefix else quoted

    return ", ".join(column(name) for name in names)


def _joined(row, model, names, prefix: str, pk):
    """The `model` instance whose fields `names` a raw() row carries as `<prefix><name>`."""
    return model.from_db(
        row._state.db, ["id", *(model._meta.get_field(name).attname for name in names)],
        [pk, *(getattr(row, f"{prefix}{name}") for name in names)],
    )


def _tables(db: str) -> dict[str, str]:
    """The quoted table names the hand-written statements below name in braces."""
    quote = connections[db].ops.quote_name
    models = {"review": Review, "film": Film, "genre": Genre, "person": Person,
              "cast": CastCredit, "crew": CrewCredit, "film_genres": Film.genres.through,
              "user": get_user_model(), "rendering": ReviewRendering}
    return {name: quote(model._meta.db_table) for name, model in models.items()}


# The film box: the film's genres, its top-billed cast and its directors, in one statement.
FILM_BOX_SQL = """
SELECT 0, ROW_NUMBER() OVER (ORDER BY g.name, g.id), g.id, g.name, g.slug, 0
FROM {genre} g JOIN {film_genres} fg ON fg.genre_id = g.id WHERE fg.film_id = %s
UNION ALL
SELECT * FROM (
  SELECT 1, ROW_NUMBER() OVER (ORDER BY c."order", c.id) AS n, p.id, p.name, p.slug, c.id
  FROM {cast} c JOIN {person} p ON p.id = c.person_id WHERE c.film_id = %s
  ORDER BY n LIMIT %s
) top_cast
UNION ALL
SELECT 2, ROW_NUMBER() OVER (ORDER BY c.id), p.id, p.name, p.slug, c.id
FROM {crew} c JOIN {person} p ON p.id = c.person_id WHERE c.film_id = %s AND c.job = %s
"""


def review_for_page(reviews, **lookup) -> Review:
    """The review `lookup` finds in `reviews`, with everything its page shows; else Http404.

    Three queries however many sections or credits there are: the review with its film,
    collection and author; its sections; and the film box (`FILM_BOX_SQL`: genres, top-billed
    cast, directors). The film box was three prefetches, one of them sliced (a window function);
    each query costs about a millisecond in the ORM and the database, more than the SQL itself.
    The film gets `top_cast` and `directors` (credits with their person), and `film.genres.all()`
    answers from memory.
    """
    review = get_object_or_404(
        reviews.select_related("film__collection").defer(*NOT_ON_THE_PAGE)
        .prefetch_related("sections"),
        **lookup,
    )
    film, db = review.film, review._state.db  # the database the review came from (a replica?)
    sql = FILM_BOX_SQL.format(**_tables(db))
    with connections[db].cursor() as cursor:
        cursor.execute(sql, [film.pk, film.pk, TOP_BILLED, film.pk, CrewCredit.DIRECTOR_JOB])
        rows = sorted(cursor.fetchall(), key=lambda row: (row[0], row[1]))
    genres, film.top_cast, film.directors = [], [], []
    for kind, _, pk, name, slug, credit_id in rows:
        if kind == 0:
            genres.append(Genre.from_db(db, ["id", "name", "slug"], (pk, name, slug)))
            continue
        model = CastCredit if kind == 1 else CrewCredit
        credit = model.from_db(db, ["id", "film_id", "person_id"], (credit_id, film.pk, pk))
        credit.person = Person.from_db(db, ["id", "name", "slug"], (pk, name, slug))
        (film.top_cast if kind == 1 else film.directors).append(credit)
    # As prefetch_related("film__genres") leaves it, so film.genres.all() needs no query.
    prefetched = film.genres.all()
    prefetched._result_cache, prefetched._prefetch_done = genres, True
    film._prefetched_objects_cache = {"genres": prefetched}
    return review


def related_reviews(review: Review, limit: int = RELATED_SHOWN) -> list[Review]:
    """Published reviews close to this one, as cards, in one query whatever the archive's size.

    Close: the same film, then its collection, then a film sharing a director or top-billed
    actor (newest first within each). The rest is filled with the newest reviews of films
    sharing a genre, found by walking the newest-first index until enough match, so a genre
    with thousands of reviews costs no more than a rare one.

    One hand-written statement (`RELATED_SQL` inside `RELATED_CARDS_SQL`) finds them and loads
    what a card shows (`ON_CARDS`). Built through the ORM, the `UNION`, `CASE` and `EXISTS`
    took ~4 ms a page to compile against 0.3 ms to run, and the cards were a second query.
    """
    film = review.film
    db = router.db_for_read(Review)
    # The numbers are written in, and a film in no collection gets a statement without one: a
    # kept plan is costed without knowing the values, and if it looks dearer than planning
    # afresh (LIMIT $n is costed as a tenth of the table), PostgreSQL plans on every view.
    in_collection = film.collection_id is not None
    tables = _tables(db)
    related = RELATED_SQL.format(
        **tables, public=PUBLIC_SQL, top=int(TOP_BILLED), limit=int(limit),
        enough=2 * int(limit) + 1,  # enough to skip this review and the close ones
        same_collection="WHEN f.collection_id = %(collection)s THEN 1" if in_collection else "",
        or_in_collection="OR collection_id = %(collection)s" if in_collection else "",
    )
    sql = RELATED_CARDS_SQL.format(related=related, **tables)
    params = {
        "film": film.pk, "review": review.pk, "director": CrewCredit.DIRECTOR_JOB,
        "now": timezone.now(),
    }
    if in_collection:
        params["collection"] = film.collection_id
    cards, seen = [], {review.pk}
    for card in Review.objects.using(db).raw(sql, params):
        # A close match may come again among the same-genre ones. is_public restates the
        # statement's own test: a card that is not public is never shown, whatever the SQL.
        if card.pk in seen or not card.is_public:
            continue
        seen.add(card.pk)
        card.film = _joined(card, Film, FILM_ON_CARDS, "film_", card.film_id)
        card.author = _joined(card, get_user_model(), AUTHOR_ON_CARDS, "author_", card.author_id)
        cards.append(card)
        if len(cards) == limit:
            break
    return cards


# The cards of RELATED_SQL's reviews, in its order: the columns of ON_CARDS, those of the film
# and author named film_<field> and author_<field> (Review.objects.raw() reads the review's).
FILM_ON_CARDS = [name.removeprefix("film__") for name in ON_CARDS if name.startswith("film__")]
AUTHOR_ON_CARDS = [name.removeprefix("author__") for name in ON_CARDS
                   if name.startswith("author__")]
RELATED_CARDS_SQL = """
SELECT {review_columns}, {film_columns}, {author_columns}
FROM ({{related}}) related
JOIN {{review}} r ON r.id = related.id
JOIN {{film}} f ON f.id = r.film_id
JOIN {{user}} u ON u.id = r.author_id
ORDER BY related.part, related.n
""".format(
    review_columns=_columns(
        Review, ["id", "status", "film", "author", *(n for n in ON_CARDS if "__" not in n)], "r"),
    film_columns=_columns(Film, FILM_ON_CARDS, "f", "film_"),
    author_columns=_columns(get_user_model(), AUTHOR_ON_CARDS, "u", "author_"),
)


# Close matches (same film, then collection, then shared people: the film's top-billed cast and
# directors), then the newest reviews of films sharing a genre: the latter walk
# review_public_newest_idx and stop at the LIMIT. Its shape never changes, so PostgreSQL can
# keep its plan (DB_PREPARE_THRESHOLD in config/settings.py).
RELATED_SQL = """
SELECT * FROM (
  SELECT id, 0 AS part, ROW_NUMBER() OVER (ORDER BY closeness, published_at DESC, id DESC) AS n
  FROM (
    SELECT r.id, r.published_at,
           CASE WHEN r.film_id = %(film)s THEN 0 {same_collection} ELSE 2 END AS closeness
    FROM {review} r JOIN {film} f ON f.id = r.film_id
    WHERE {public} AND r.id <> %(review)s AND r.film_id IN (
      SELECT id FROM {film} WHERE id = %(film)s {or_in_collection}
      UNION SELECT film_id FROM {cast} WHERE "order" < {top} AND person_id IN (
        SELECT person_id FROM (
          SELECT person_id FROM {cast} WHERE film_id = %(film)s ORDER BY "order", id
          LIMIT {top}
        ) top_cast
        UNION SELECT person_id FROM {crew} WHERE film_id = %(film)s AND job = %(director)s
      )
      UNION SELECT film_id FROM {crew} WHERE job = %(director)s AND person_id IN (
        SELECT person_id FROM (
          SELECT person_id FROM {cast} WHERE film_id = %(film)s ORDER BY "order", id
          LIMIT {top}
        ) top_cast
        UNION SELECT person_id FROM {crew} WHERE film_id = %(film)s AND job = %(director)s
      )
    )
  ) close_matches
  ORDER BY n LIMIT {limit}
) part0
UNION ALL
SELECT * FROM (
  SELECT id, 1 AS part, ROW_NUMBER() OVER (ORDER BY published_at DESC, id DESC) AS n
  FROM {review} r
  WHERE {public} AND EXISTS (
    SELECT 1 FROM {film_genres} g WHERE g.film_id = r.film_id AND g.genre_id IN (
      SELECT genre_id FROM {film_genres} WHERE film_id = %(film)s
    )
  )
  ORDER BY published_at DESC, id DESC LIMIT {enough}
) part1
"""
# ReviewQuerySet.published() in SQL: keep the two alike. related_reviews() checks each card's
# is_public as well, so a drift could shorten the list, never leak a review. The statuses are
# written in (code constants, not input) so that a kept plan can still use the partial index
# review_public_newest_idx.
PUBLIC_SQL = (
    f"(r.status = '{Review.Status.PUBLISHED.value}' OR "
    f"(r.status = '{Review.Status.SCHEDULED.value}' AND r.published_at <= %(now)s))"
)


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _rating_or_none(value):
    """A rating the scale has ("3", "3.0", "4.5"), else None."""
    try:
        rating = Decimal(value)
        return rating if rating in {choice for choice, _ in RATING_CHOICES} else None
    except (TypeError, ValueError, ArithmeticError):
        return None


class HomeView(TemplateView):
    """The front page: the featured review(s), the latest reviews and recently released films."""

    template_name = "reviews/home.html"
    featured_shown = 1
    latest_shown = 9
    films_shown = 8

    def get_context_data(self, **kwargs):
        featured = list(
            listed_reviews().filter(is_featured=True).newest_first()[: self.featured_shown]
        )
        latest = list(
            listed_reviews().exclude(pk__in=[r.pk for r in featured])
            .newest_first()[: self.latest_shown]
        )
        if not featured and latest:
            featured, latest = latest[:1], latest[1:]
        films = Film.objects.order_by(F("release_date").desc(nulls_last=True), "title", "id")
        return super().get_context_data(
            featured=featured, reviews=latest, films=films[: self.films_shown], **kwargs
        )


class ReviewListView(ListView):
    """All published reviews, newest first, filtered by genre, film year, rating and author.

    A filter value that names nothing (an unknown genre, say) gives an empty list; a malformed
    one (a year that is not a number) is ignored.
    """

    template_name = "reviews/review_list.html"
    context_object_name = "reviews"
    paginate_by = 12

    def get_queryset(self):
        params = self.request.GET
        reviews = listed_reviews().newest_first()
        self.filters = {}
        if genre := params.get("genre", "").strip():
            self.filters["genre"] = genre
            if SLUG.fullmatch(genre):
                reviews = reviews.filter(film__genres__slug=genre)
            else:
                reviews = reviews.none()
        if (year := _int_or_none(params.get("year"))) is not None and 1800 <= year <= 2999:
            self.filters["year"] = year
            reviews = reviews.filter(film__year=year)
        if (rating := _rating_or_none(params.get("rating"))) is not None:
            self.filters["rating"] = rating
            reviews = reviews.filter(rating__gte=rating)
        if author := params.get("author", "").strip():
            self.filters["author"] = author
            # Usernames never hold control characters (PostgreSQL refuses NUL in a query).
            if author.isprintable() and len(author) <= 150:
                reviews = reviews.filter(author__username=author)
            else:
                reviews = reviews.none()
        return reviews

    def paginate_queryset(self, queryset, page_size):
        """Find the page's ids first, then join film and author for those rows alone.

        A deep page (page 200 is offset 2,388) would otherwise join and sort every public review
        to throw all but twelve away; the ids come off the newest-first index.
        """
        paginator, page, ids, is_paginated = super().paginate_queryset(
            queryset.values_list("pk", flat=True), page_size
        )
        ids = list(ids)
        rows = queryset.order_by().in_bulk(ids)
        page.object_list = [rows[pk] for pk in ids if pk in rows]
        return paginator, page, page.object_list, is_paginated

    def get_context_data(self, **kwargs):
        public = Review.objects.published()
        authors = get_user_model().objects.filter(
            pk__in=public.values("author_id")
        ).order_by("first_name", "last_name", "username")
        years = (
            Film.objects.filter(pk__in=public.values("film_id"), year__isnull=False)
            .order_by("-year").values_list("year", flat=True).distinct()
        )
        # EXISTS per genre (a handful) rather than DISTINCT over genres x films x reviews.
        genres = Genre.objects.filter(Exists(Film.genres.through.objects.filter(
            genre_id=OuterRef("pk"), film_id__in=public.values("film_id"),
        ))).order_by("name")
        return super().get_context_data(
            filters=self.filters,
            filter_genres=genres,
            filter_years=list(years),
            filter_authors=authors,
            filter_ratings=[value for value, _ in RATING_CHOICES if value == int(value)],
            **kwargs,
        )


# The public review page's own statement: the review if it is public, the film's fields the
# page shows around the article, and the stored parts if they are current (made for the
# review's render_token, with today's templates and code: rendering.render_key()).
PAGE_SQL = """
SELECT {review_columns}, {film_columns}, {part_columns}
FROM {{review}} r
JOIN {{film}} f ON f.id = r.film_id
LEFT JOIN {{rendering}} rr
  ON rr.review_id = r.id AND rr.token = r.render_token AND rr."key" = %(key)s
WHERE r.slug = %(slug)s AND {{public}}
""".format(
    review_columns=_columns(Review, PAGE_REVIEW_FIELDS, "r"),
    film_columns=_columns(Film, PAGE_FILM_FIELDS, "f", "film_"),
    part_columns=_columns(ReviewRendering, PAGE_PARTS, "rr", "part_"),
)


def page_review(slug: str) -> Review:
    """The public review `slug` with its film and its stored parts (`page_parts`, None when
    there are none current), in one statement; else Http404.

    Through the ORM (`published()`, `select_related`, `only`) the statement took ~0.7 ms to
    build for ~0.25 ms of SQL.
    """
    db = router.db_for_read(Review)
    sql = PAGE_SQL.format(**_tables(db), public=PUBLIC_SQL)
    found = list(Review.objects.using(db).raw(
        sql, {"slug": slug, "now": timezone.now(), "key": rendering.render_key()}))
    if not found or not found[0].is_public:  # is_public restates PUBLIC_SQL, to be sure
        raise Http404("No review here.")
    review = found[0]
    review.film = _joined(review, Film, PAGE_FILM_FIELDS, "film_", review.film_id)
    parts = {name: getattr(review, f"part_{name}") for name in PAGE_PARTS}
    review.page_parts = parts if parts["article"] is not None else None
    return review


class ReviewDetailView(DetailView):
    """The review page. The article comes stored (reviews/rendering.py) when it is current.

    Then the page is three queries: the review with its film and stored parts (`PAGE_SQL`),
    the related reviews with their cards, and the comments. Otherwise the review is loaded
    again with everything its article shows (`review_for_page`), rendered, and the parts
    stored.
    """

    template_name = "reviews/review_detail.html"
    context_object_name = "review"

    def get_object(self, queryset=None):
        review = page_review(self.kwargs["slug"])
        if review.page_parts is None:
            review = review_for_page(public_reviews(), pk=review.pk)
            review.page_parts = rendering.render_parts(review)
            rendering.store(review, review.page_parts)
        return review

    def get_context_data(self, **kwargs):
        from reviews.views.comments import comment_context

        context = super().get_context_data(**kwargs)
        parts = getattr(self.object, "page_parts", None) or rendering.render_parts(self.object)
        context.update(rendering.page_parts(parts, self.request))
        context["related_reviews"] = related_reviews(self.object)
        context.update(comment_context(self.request, self.object, kwargs.get("comment_form"),
                                       confirm=kwargs.get("comment_confirm", False)))
        return context


home = cache_public_page(HomeView.as_view())
review_list = cache_public_page(ReviewListView.as_view())
review_detail = cache_public_page(ReviewDetailView.as_view())


ROBOTS = """User-agent: *
Allow: /
Disallow: /admin/
Disallow: /markdownx/
Disallow: /preview/
Disallow: /reviews/*/preview/
Disallow: /reviews/*/comments/

Sitemap: {sitemap}
"""


def robots_txt(request):
    """Crawlers may read everything public; never the back office or preview links."""
    response = HttpResponse(
        ROBOTS.format(sitemap=request.build_absolute_uri(reverse("sitemap"))),
        content_type="text/plain; charset=utf-8",
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response
