from django.db.models import Prefetch
from django.views.generic import DetailView, ListView

from films.models import CastCredit, CrewCredit
from reviews.models import Review


def public_reviews():
    return Review.objects.published().select_related("film", "author")


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
        return public_reviews().select_related("film__collection").prefetch_related(
            "sections",
            "film__genres",
            Prefetch(
                "film__cast_credits",
                CastCredit.objects.select_related("person").order_by("order", "id"),
            ),
            Prefetch(
                "film__crew_credits",
                CrewCredit.objects.filter(job=CrewCredit.DIRECTOR_JOB).select_related("person"),
                to_attr="director_credits",
            ),
        )
