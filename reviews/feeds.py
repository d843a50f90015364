"""RSS and Atom feeds of the newest published reviews.

A feed's description (RSS `<description>`, Atom `<summary type="html">`) is HTML to the reader
that shows it; the dek is plain text, so it is HTML-escaped first: a dek of `<img onerror=…>`
shows as those characters, never as markup. Titles and author names go out as plain text, which
is what both formats say they are.
"""

import html

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, strip_tags
from django.utils.text import Truncator

from pagecache import tags
from reviews.models import Review

ITEMS = 20


class LatestReviewsFeed(Feed):
    title = f"{settings.MARQUEE_SITE_NAME}: latest film reviews"
    description = "New film reviews from Marquee."

    def link(self):
        return reverse("reviews:list")

    def get_object(self, request, *args, **kwargs):
        return request

    def items(self, request):
        reviews = list(
            Review.objects.published().newest_first()
            .select_related("film", "author").defer("search_vector", "search_text")[:ITEMS]
        )
        for review in reviews:
            tags.shows(request, f"review:{review.pk}", f"film:{review.film_id}",
                       f"user:{review.author_id}")
        tags.shows(request, "feed")
        return reviews

    def item_title(self, review):
        return f"{review.film.title}: {review.headline}"

    def item_description(self, review):
        """The dek, or the intro's opening words, as plain text escaped for an HTML field."""
        text = review.dek or Truncator(html.unescape(strip_tags(review.intro_html))).chars(300)
        return escape(text)

    def item_author_name(self, review):
        return review.author.get_full_name() or review.author.get_username()

    def item_pubdate(self, review):
        return review.published_at

    def item_updateddate(self, review):
        return max(review.updated_at, review.published_at)

    def item_categories(self, review):
        return [review.film.title]


class LatestReviewsAtomFeed(LatestReviewsFeed):
    feed_type = Atom1Feed
    subtitle = LatestReviewsFeed.description
