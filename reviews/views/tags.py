"""A tag's page: the published reviews filed under it, newest first, paginated."""

from django.shortcuts import get_object_or_404

from films.pagination import PagedListView
from pagecache import tags
from reviews.models import Tag
from reviews.views.pages import listed_reviews


class TagDetailView(PagedListView):
    """`/tags/<slug>/`. Only a tag with a published review has a page: drafts file nothing
    in public, so a tag whose reviews are all unpublished is not found."""

    template_name = "reviews/tag_detail.html"
    context_object_name = "reviews"
    paginate_by = 12

    def get_queryset(self):
        self.tag = get_object_or_404(Tag.objects.public(), slug=self.kwargs["slug"])
        return listed_reviews().filter(tags=self.tag).newest_first()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(tag=self.tag, **kwargs)
        tags.shows(
            self.request,
            f"tag:{self.tag.pk}",
            "reviews-list",
            *(f"review:{review.pk}" for review in context["reviews"]),
        )
        return context
