"""The critics: a list of those with a published review, and each one's page with their
published reviews, newest first."""

from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from films.pagination import PagedListView
from pagecache import tags
from reviews.critics import Critic
from reviews.models import Review
from reviews.views.pages import listed_reviews

# What the list shows of each critic's latest review.
LATEST_FIELDS = ("headline", "slug", "published_at", "film__title", "film__year")


class CriticDetailView(PagedListView):
    """`/critics/<slug>/`: portrait, biography, links, feed and reviews, paginated.

    Only critics with a published review have a page: a name alone tells readers nothing,
    and a writer whose first review is still a draft is not yet public.
    """

    template_name = "reviews/critic_detail.html"
    context_object_name = "reviews"
    paginate_by = 12

    def get_queryset(self):
        critics = Critic.objects.named().of_reviews(Review.objects.published())
        self.critic = get_object_or_404(critics.prefetch_related("links"), slug=self.kwargs["slug"])
        return listed_reviews().by_author(self.critic.user_id).newest_first()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(critic=self.critic, **kwargs)
        tags.shows(
            self.request,
            f"user:{self.critic.user_id}",
            "reviews-list",
            *(f"review:{review.pk}" for review in context["reviews"]),
        )
        return context


class CriticListView(TemplateView):
    """`/critics/`: every critic with a published review, by name, with their portrait, a
    short biography, how many reviews they have published and the latest of them.

    Two queries whatever the number of critics: the critics with their counts and latest
    review's id, then those reviews as cards show them. Drafts, reviews in review and
    scheduled ones not yet due count for nothing, and a critic with only those is not listed.
    """

    template_name = "reviews/critic_list.html"

    def get_context_data(self, **kwargs):
        critics = list(Critic.objects.named().with_reviews(Review.objects.published()))
        latest = (
            Review.objects.published()
            .select_related("film")
            .only(*LATEST_FIELDS)
            .in_bulk([critic.latest_review_id for critic in critics])
        )
        for critic in critics:
            critic.latest_review = latest.get(critic.latest_review_id)
        tags.shows(
            self.request,
            "critics",  # a critic named, renamed or given another address
            "reviews-list",  # a review published or withdrawn
            *(f"user:{critic.user_id}" for critic in critics),
            *(f"review:{pk}" for pk in latest),
        )
        return super().get_context_data(critics=critics, **kwargs)
