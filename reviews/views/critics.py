"""A critic's page: who they are, and their published reviews, newest first."""

from django.shortcuts import get_object_or_404

from films.pagination import PagedListView
from pagecache import tags
from reviews.critics import Critic
from reviews.models import Review
from reviews.views.pages import listed_reviews


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
