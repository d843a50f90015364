"""RSS and Atom feeds of published reviews: the whole site's, a critic's, a genre's and a tag's.

Each item is titled with the headline alone and carries the review's rating (Media RSS
`media:starRating`), its hero image (the film's poster when it has none) as an enclosure and a
`media:content`, and the intro as its description: the whole review with
`MARQUEE_FEED_FULL_TEXT`. Opened in a browser, a feed is styled by an XSLT stylesheet from the
site (templates/reviews/feeds/feed.xsl), so it reads as a page, not raw XML.
"""

import copy
import mimetypes

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed, Stylesheet
from django.utils.xmlutils import SimplerXMLGenerator

from films.models import Genre
from films.renditions import best_file, source
from pagecache import tags
from reviews.critics import Critic, byline_name, critic_of
from reviews.models import Review, Tag

ITEMS = 20
MEDIA_NS = "http://search.yahoo.com/mrss/"
# Browsers download application/rss+xml; as XML they apply the stylesheet. Feed readers take
# either.
CONTENT_TYPE = "application/xml; charset=utf-8"


class MediaItems:
    """Media RSS on each item, in both feed formats: the image and the star rating."""

    content_type = CONTENT_TYPE

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if image := item.get("image"):
            handler.addQuickElement(
                "media:content",
                "",
                {
                    "url": image["url"],
                    "medium": "image",
                    "type": image["type"],
                    **(
                        {"width": str(image["width"]), "height": str(image["height"])}
                        if image["width"]
                        else {}
                    ),
                },
            )
        if item.get("rating") is not None:
            handler.startElement("media:community", {})
            handler.addQuickElement(
                "media:starRating",
                "",
                {
                    "average": f"{float(item['rating']):g}",
                    "min": "0",
                    "max": "5",
                },
            )
            handler.endElement("media:community")


class ReviewRss(MediaItems, Rss201rev2Feed):
    def rss_attributes(self):
        return super().rss_attributes() | {"xmlns:media": MEDIA_NS}


class ReviewAtom(MediaItems, Atom1Feed):
    def root_attributes(self):
        return super().root_attributes() | {"xmlns:media": MEDIA_NS}

    def write(self, outfile, encoding):
        """As Atom1Feed writes it, with the stylesheet instruction before the root element that
        Django writes into RSS alone: opened in a browser, the Atom feed reads as a page too."""
        handler = SimplerXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        Rss201rev2Feed.add_stylesheets(self, handler)
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")


class LatestReviewsFeed(Feed):
    """The site's feed: the newest published reviews."""

    feed_type = ReviewRss
    description_template = "reviews/feed_item.html"
    description = "New film reviews from Marquee."

    def __call__(self, request, *args, **kwargs):
        # Feed instances live in the URLconf and serve every thread: a copy per request holds
        # the request, for absolute URLs in items.
        feed = copy.copy(self)
        feed.request = request
        return Feed.__call__(feed, request, *args, **kwargs)

    def title(self, obj):
        return f"{settings.MARQUEE_SITE_NAME}: latest film reviews"

    def link(self, obj):
        """The page the feed follows: the object's (critic, genre, tag), else the review list."""
        return obj.get_absolute_url() if obj is not None else reverse("reviews:list")

    def stylesheets(self, obj):
        return [Stylesheet(reverse("reviews:feed_style"), mimetype="text/xsl")]

    def reviews(self, obj):
        return Review.objects.published()

    def items(self, obj):
        reviews = (
            self.reviews(obj)
            .newest_first()
            .select_related("film__poster", "author__critic", "hero")
            .prefetch_related("film__genres")
            .defer("search_vector", "search_text")
        )
        if settings.MARQUEE_FEED_FULL_TEXT:
            reviews = reviews.prefetch_related("sections")
        reviews = list(reviews[:ITEMS])
        for review in reviews:
            review.feed_image = self._image(review)  # for its enclosure and its media:content
            tags.shows(
                self.request,
                f"review:{review.pk}",
                f"film:{review.film_id}",
                f"user:{review.author_id}",
            )
        tags.shows(self.request, "feed")
        return reviews

    def get_context_data(self, **kwargs):
        return {
            "review": kwargs["item"],
            "request": self.request,
            "full_text": settings.MARQUEE_FEED_FULL_TEXT,
        }

    def item_title(self, review):
        return review.headline

    def item_author_name(self, review):
        return byline_name(review.author)

    def item_author_link(self, review):
        critic = critic_of(review.author)
        if critic is None or not critic.is_named:
            return None
        return self.request.build_absolute_uri(critic.get_absolute_url())

    def item_pubdate(self, review):
        return review.published_at

    def item_updateddate(self, review):
        return max(review.updated_at, review.published_at)

    def item_categories(self, review):
        return [genre.name for genre in review.film.genres.all()]

    def _image(self, review) -> dict | None:
        """The hero image (the film's poster when there is none) as a JPEG rendition up to
        1200 px wide, the original only while its renditions are being made."""
        if review.hero_id:
            item, field_name = review.hero, "wide"
        elif review.film.poster_id:
            item, field_name = review.film.poster, "file"
        else:
            return None
        found = best_file(item, field_name)
        return {
            "url": self.request.build_absolute_uri(found.url),
            "type": mimetypes.guess_type(found.name)[0] or "image/jpeg",
            "file": found,
            "storage": source(item, field_name).storage,
            "width": found.width,
            "height": found.height,
        }

    def item_enclosures(self, review):
        image = review.feed_image
        if image is None:
            return []
        try:
            length = image["file"].size(image["storage"])
        except OSError:  # the file is missing from storage: no enclosure rather than an error
            return []
        return [Enclosure(image["url"], str(length), image["type"])]

    def item_extra_kwargs(self, review):
        image = review.feed_image
        return {
            "image": image and {key: image[key] for key in ("url", "type", "width", "height")},
            "rating": review.rating,
        }


class LatestReviewsAtomFeed(LatestReviewsFeed):
    feed_type = ReviewAtom

    def subtitle(self, obj):
        return self.description


class CriticFeed(LatestReviewsFeed):
    """One critic's reviews."""

    def get_object(self, request, slug):
        critics = Critic.objects.named().of_reviews(Review.objects.published())
        return get_object_or_404(critics, slug=slug)

    def title(self, critic):
        return f"{settings.MARQUEE_SITE_NAME}: reviews by {critic.display_name}"

    def description(self, critic):
        return f"Film reviews by {critic.display_name} on {settings.MARQUEE_SITE_NAME}."

    def reviews(self, critic):
        return Review.objects.published().by_author(critic.user_id)


class GenreFeed(LatestReviewsFeed):
    """Reviews of one genre's films."""

    def get_object(self, request, slug):
        return get_object_or_404(Genre, slug=slug)

    def title(self, genre):
        return f"{settings.MARQUEE_SITE_NAME}: {genre.name} reviews"

    def description(self, genre):
        return f"Reviews of {genre.name} films on {settings.MARQUEE_SITE_NAME}."

    def reviews(self, genre):
        return Review.objects.published().filter(film__genres=genre)


class TagFeed(LatestReviewsFeed):
    """The published reviews filed under one tag; a tag with none has no feed."""

    def get_object(self, request, slug):
        tag = get_object_or_404(Tag.objects.public(), slug=slug)
        tags.shows(request, f"tag:{tag.pk}")
        return tag

    def title(self, tag):
        return f"{settings.MARQUEE_SITE_NAME}: reviews tagged {tag.name}"

    def description(self, tag):
        return f"Film reviews tagged “{tag.name}” on {settings.MARQUEE_SITE_NAME}."

    def reviews(self, tag):
        return Review.objects.published().filter(tags=tag)


class TagAtomFeed(TagFeed):
    feed_type = ReviewAtom

    def subtitle(self, tag):
        return self.description(tag)


def feed_stylesheet(request):
    """The XSLT stylesheet the feeds name: a feed opened in a browser reads as a page."""
    response = HttpResponse(
        render_to_string("reviews/feeds/feed.xsl"), content_type="text/xsl; charset=utf-8"
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response
