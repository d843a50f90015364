from django.db.models import Prefetch
from django.views.generic import DetailView, ListView

from films.models import CastCredit, CrewCredit
from reviews.models import Review

TOP_BILLED = 5


def public_reviews():
    """Published reviews with what every listing shows (film, author) joined in."""
    return Review.objects.published().select_related("film", "author")


def with_review_page_data(reviews):
    """Add everything the review page shows, in a fixed number of queries.

    One query for the review, its film, collection and author; one each for the sections, the
    genres, the top-billed cast and the directors — however many sections or credits there are.
    """
    return reviews.select_related("film__collection").prefetch_related(
        "sections",
        "film__genres",
        Prefetch(
            "film__cast_credits",
            CastCredit.objects.select_related("person").order_by("order", "id")[:TOP_BILLED],
            to_attr="top_cast",
        ),
        Prefetch(
            "film__crew_credits",
            CrewCredit.objects.filter(job=CrewCredit.DIRECTOR_JOB)
            .select_related("person")
            .order_by("id"),
            to_attr="directors",
        ),
    )


class HomeView(ListView):
    template_name = "reviews/home.html"
    context_object_name = "reviews"
    paginate_by = 12

    def get_queryset(self):
        return public_reviews().newest_first()


class ReviewDetailView(DetailView):
    template_name = "reviews/review_detail.html"
    context_object_name = "review"

    def get_queryset(self):
        return with_review_page_data(public_reviews())
