"""Tags: the subjects reviews are filed under (“revenge”, “Keanu Reeves”, “Cannes 2026”).

A tag is public only through its published reviews: a tag none of whose reviews is public has
no page, no feed, no place in the sitemap and no count (`TagQuerySet.public()`).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.text import slugify

from reviews.models.review import Review

ADD_PERMISSION = "reviews.add_tag"


class TagQuerySet(models.QuerySet):
    def public(self):
        """Tags with at least one published review."""
        return self.filter(
            Exists(
                Review.tags.through.objects.filter(
                    tag_id=OuterRef("pk"),
                    review__in=Review.objects.published().values("pk"),
                )
            )
        )

    def named(self, names, by) -> list["Tag"]:
        """The tags with these names (matched by slug, so “Revenge” is “revenge”), making the
        ones that do not exist yet; `by` needs the permission to add tags for those."""
        wanted = {}
        for typed in names:
            name, slug = Tag.cleaned_name(typed)
            if not slug:
                raise ValidationError(
                    "“%(name)s” cannot be a tag: use letters or digits.",
                    code="tag_without_letters",
                    params={"name": name},
                )
            wanted.setdefault(slug, name)
        found = {tag.slug: tag for tag in self.filter(slug__in=wanted)}
        missing = [slug for slug in wanted if slug not in found]
        if missing and not (by is not None and by.is_active and by.has_perm(ADD_PERMISSION)):
            raise PermissionDenied("You may not add new tags.")
        for slug in missing:
            found[slug], _ = self.get_or_create(slug=slug, defaults={"name": wanted[slug]})
        return [found[slug] for slug in wanted]


class Tag(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    objects = TagQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:100]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("reviews:tag", kwargs={"slug": self.slug})

    def get_feed_url(self):
        return reverse("reviews:tag_feed", kwargs={"slug": self.slug})

    @classmethod
    def cleaned_name(cls, typed) -> tuple[str, str]:
        """A typed tag name, its spaces tidied and cut to fit, and its slug ("" when it has no
        letters or digits): “ Keanu  Reeves” is “Keanu Reeves”, keanu-reeves."""
        name = " ".join(str(typed).split())[: cls._meta.get_field("name").max_length]
        return name, slugify(name)[: cls._meta.get_field("slug").max_length]
