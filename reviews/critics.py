"""Critics: the people behind the bylines.

Every author of a review has a `Critic` profile: the display name readers see on bylines, in
feeds and in the JSON-LD, a slug for their page (`/critics/<slug>/`), a short biography, a
portrait and links. A username is never published: a review cannot go public while its author
has no display name (`require_display_name`, called by `Review.publish` and the importer).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import reverse

from films.models import unique_slug
from films.renditions import Spec
from films.tasks import renditions_after_save
from films.uploads import StrippedImageField
from films.validators import validate_image_file


class CriticQuerySet(models.QuerySet):
    def named(self):
        """Critics readers can see: a display name and a page."""
        return self.exclude(display_name="").exclude(slug="")

    def of_reviews(self, reviews):
        """The critics who wrote any of `reviews` (e.g. `Review.objects.published()`)."""
        return self.filter(user_id__in=reviews.values("author_id"))

    def with_reviews(self, reviews):
        """The critics who wrote any of `reviews`, each with `review_count` (how many) and
        `latest_review_id` (the newest by publication): counted in the database, one query."""
        theirs = reviews.filter(author_id=OuterRef("user_id")).order_by()
        count = theirs.values("author_id").annotate(n=Count("pk")).values("n")
        return (
            self.annotate(review_count=Subquery(count))
            .with_latest(reviews, latest_review_id="pk")
            .filter(review_count__gt=0)
        )

    def with_latest(self, reviews, **fields):
        """Each critic with fields of their newest of `reviews` (by publication, then id),
        named as given: `with_latest(published, latest_review_id="pk")`; None when they wrote
        none of them. One subquery per field."""
        newest = reviews.filter(author_id=OuterRef("user_id")).order_by("-published_at", "-id")
        return self.annotate(
            **{name: Subquery(newest.values(field)[:1]) for name, field in fields.items()}
        )

    def for_user(self, user) -> "Critic":
        """`user`'s profile, made on first need with the account's full name as display name."""
        critic, _ = self.get_or_create(
            user=user, defaults={"display_name": default_display_name(user)}
        )
        return critic


class Critic(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="critic"
    )
    display_name = models.CharField(
        max_length=100,
        blank=True,
        help_text="The name readers see on bylines, in feeds and on the critic’s page. "
        "Required before any of their reviews can be published.",
    )
    slug = models.SlugField(
        max_length=100,
        blank=True,
        # Django's admin writes help text as HTML: "<slug>" would be read as a tag.
        help_text="The last part of the critic page’s address, /critics/…/; made from the "
        "display name when empty.",
    )
    bio = models.TextField(
        "biography", blank=True, help_text="Plain text: a short paragraph or two."
    )
    photo = StrippedImageField(
        "portrait",
        upload_to="critics/%Y/",
        blank=True,
        validators=[validate_image_file],
        width_field="photo_width",
        height_field="photo_height",
    )
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # The portrait's renditions once a task has made them (films/renditions.py).
    photo_renditions = models.JSONField(default=dict, blank=True, editable=False)
    # The admin refuses a save from a page loaded before the last change (config/admin.py).
    updated_at = models.DateTimeField(auto_now=True)

    objects = CriticQuerySet.as_manager()

    RENDITIONS = {"photo": Spec("photo_renditions", widths=(160, 320, 480))}

    class Meta:
        ordering = ["display_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"], condition=~Q(slug=""), name="critic_unique_slug"
            ),
        ]

    def __str__(self):
        return self.display_name or f"(no display name: user #{self.user_id})"

    def save(self, *args, **kwargs):
        self.display_name = self.display_name.strip()
        if self.display_name and not self.slug:
            self.slug = unique_slug(self, self.display_name, max_length=100, fallback="critic")
        super().save(*args, **kwargs)
        renditions_after_save(self, "photo", kwargs.get("update_fields"))

    def get_absolute_url(self) -> str:
        return reverse("reviews:critic", kwargs={"slug": self.slug})

    def clean(self):
        self.display_name = self.display_name.strip()
        if self.slug and Critic.objects.filter(slug=self.slug).exclude(pk=self.pk).exists():
            raise ValidationError({"slug": "Another critic has this address."})

    def get_feed_url(self) -> str:
        return reverse("reviews:critic_feed", kwargs={"slug": self.slug})

    @property
    def is_named(self) -> bool:
        return bool(self.display_name and self.slug)


class CriticLink(models.Model):
    """A link on a critic's page: their own site, a newsletter, a social profile."""

    critic = models.ForeignKey(Critic, on_delete=models.CASCADE, related_name="links")
    label = models.CharField(max_length=60, help_text="e.g. Website, Newsletter, Mastodon.")
    url = models.URLField("URL", max_length=500)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.label


def critic_of(user) -> Critic | None:
    """`user`'s profile if it exists (loaded or joined already, or one query), else None."""
    try:
        return user.critic
    except Critic.DoesNotExist:
        return None


def default_display_name(user) -> str:
    """The display name a profile is made with: the account's full name (maybe empty)."""
    return user.get_full_name().strip()[:100]


def display_name_of(user) -> str:
    """The name `user`'s reviews are published under, without making their profile: its
    display name, or the one `Critic.objects.for_user` would make it with. Empty: publishing
    refuses (`require_display_name`)."""
    critic = critic_of(user)
    return critic.display_name if critic is not None else default_display_name(user)


def require_display_name(user) -> Critic:
    """`user`'s profile with a display name, or a ValidationError that says how to set one."""
    critic = Critic.objects.for_user(user)
    if not critic.display_name:
        raise ValidationError(
            "A review is published under its critic’s display name, and %(user)s has none. "
            "Set one on their critic profile (%(url)s), then publish again.",
            code="no_display_name",
            params={
                "user": user.get_username(),
                "url": reverse("admin:reviews_critic_change", args=[critic.pk]),
            },
        )
    return critic


def byline_name(user) -> str:
    """The name `user` is published under (bylines, staff replies); never the username.

    Their critic display name, else the account's full name, else "Marquee staff".
    """
    critic = critic_of(user)
    if critic is not None and critic.display_name:
        return critic.display_name
    return user.get_full_name().strip() or f"{settings.MARQUEE_SITE_NAME} staff"


def author_data(user, request) -> dict:
    """schema.org `author` of a review by `user`: a Person with their critic page's URL."""
    critic = critic_of(user)
    if critic is None or not critic.is_named:
        return {"@type": "Organization", "name": settings.MARQUEE_SITE_NAME}
    data = {
        "@type": "Person",
        "name": critic.display_name,
        "url": request.build_absolute_uri(critic.get_absolute_url()),
    }
    if critic.photo:
        data["image"] = request.build_absolute_uri(critic.photo.url)
    return data
