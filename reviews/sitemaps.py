"""The sitemap: an index at /sitemap.xml, and one paged section per kind of public page.

/sitemap.xml lists /sitemap-<section>.xml and its ?p=N pages (see config/urls.py), so no document
goes near the protocol's 50,000-URL limit and none takes long to render. Every section page runs
the same two queries (a count and one page of rows, ordered by primary key) whatever the size of
the archive: `items()` loads only the fields `location()` and `lastmod()` read, and the index
asks the database for each section's latest change instead of walking every row.

Opened in a browser, the index and the sections are styled by an XSLT stylesheet from the site
(templates/reviews/sitemaps/sitemap.xsl), a plain list of links, as the feeds are: the site's
CSP leaves a browser's own XML viewer unstyled. Crawlers read the same standard XML.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.db.models.functions import Greatest
from django.http import HttpResponse
from django.template.loader import render_to_string

from films.models import Film, Genre, Person
from reviews.models import Critic, Review, Tag


class PagedSitemap(Sitemap):
    # 250 URLs a page keeps a cold page inside the benchmark's budget for a public page, with
    # room for the garbage collector's pauses (bench/NOTES.md has the measurements); the index
    # stays far below the protocol's 50,000 pages. Primary-key order keeps pages stable as rows
    # are added: new objects land on the last page instead of shifting every other page.
    limit = 250


class ReviewSitemap(PagedSitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Review.objects.published().order_by("pk").only("slug", "updated_at", "published_at")

    def lastmod(self, review):
        # A scheduled review goes public when it falls due, after its last save.
        return max(review.updated_at, review.published_at)

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max(Greatest("updated_at", "published_at")))["latest"]


class FilmSitemap(PagedSitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return Film.objects.order_by("pk").only("slug", "updated_at")

    def lastmod(self, film):
        return film.updated_at

    def get_latest_lastmod(self):
        return Film.objects.aggregate(latest=Max("updated_at"))["latest"]


class PersonSitemap(PagedSitemap):
    changefreq = "monthly"
    priority = 0.4

    def items(self):
        return Person.objects.order_by("pk").only("slug", "updated_at")

    def lastmod(self, person):
        return person.updated_at

    def get_latest_lastmod(self):
        return Person.objects.aggregate(latest=Max("updated_at"))["latest"]


class GenreSitemap(PagedSitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return Genre.objects.order_by("pk").only("slug")


class TagSitemap(PagedSitemap):
    """Tags with a published review: the others have no page."""

    changefreq = "weekly"
    priority = 0.4

    def items(self):
        return Tag.objects.public().order_by("pk").only("slug")


class CriticSitemap(PagedSitemap):
    """Critics with a published review: the others have no page. A page changes with the
    critic's profile and with each review they publish (`changed`)."""

    changefreq = "weekly"
    priority = 0.5

    def items(self):
        published = Review.objects.published()
        return (
            Critic.objects.named()
            .of_reviews(published)
            .with_latest(published, last_published="published_at")
            .annotate(changed=Greatest("updated_at", "last_published"))
            .order_by("pk")
            .only("slug", "updated_at")
        )

    def lastmod(self, critic):
        return critic.changed

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max("changed"))["latest"]


SITEMAPS = {
    "reviews": ReviewSitemap,
    "films": FilmSitemap,
    "people": PersonSitemap,
    "genres": GenreSitemap,
    "tags": TagSitemap,
    "critics": CriticSitemap,
}


INDEX_TEMPLATE = "reviews/sitemaps/index.xml"
SECTION_TEMPLATE = "reviews/sitemaps/section.xml"


def sitemap_stylesheet(request):
    """The XSLT stylesheet the sitemap names: opened in a browser, it reads as a page of links."""
    response = HttpResponse(
        render_to_string("reviews/sitemaps/sitemap.xsl"), content_type="text/xsl; charset=utf-8"
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response
