"""sitemap.xml: published reviews, and the films, people and genres pages link to."""

from django.contrib.sitemaps import Sitemap

from films.models import Film, Genre, Person
from reviews.models import Review


class ReviewSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return (
            Review.objects.published().newest_first()
            .only("slug", "updated_at", "published_at")
        )

    def lastmod(self, review):
        return review.updated_at


class FilmSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return Film.objects.order_by("pk").only("slug", "updated_at")

    def lastmod(self, film):
        return film.updated_at


class PersonSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.4

    def items(self):
        return Person.objects.order_by("pk").only("slug", "updated_at")

    def lastmod(self, person):
        return person.updated_at


class GenreSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return Genre.objects.order_by("pk").only("slug")


SITEMAPS = {
    "reviews": ReviewSitemap,
    "films": FilmSitemap,
    "people": PersonSitemap,
    "genres": GenreSitemap,
}
