"""What a change in the reviews app retires in the caches (pagecache.tags); connected in
ReviewsConfig.ready.

A review's own tag (`review:<id>`) is on its page and on every card of it; a change to whether it
is public also retires the lists (home, reviews, feeds, sitemap, search) and its film's page.
Tags retire their page (`tag:<id>`) and the articles of their reviews; features, the front
page. Comments retire only their review's thread (`comments:<id>`), and only when a shown comment
changes: pending, rejected and spam comments cost the cache nothing.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from images.models import Image
from pagecache import tags
from reviews.critics import Critic, CriticLink
from reviews.models import Comment, Feature, Review, Section, Tag

LISTS = ("home", "reviews-list", "feed", "sitemap", "search")
# What lists critics by name and address (a deleted critic: `was_named_as` unset).
CRITIC_LISTS = ("critics", "search")
NAME_FIELDS = {"username", "first_name", "last_name"}


def review_saving(sender, instance, raw=False, **kwargs):
    instance.was_public = bool(
        instance.pk and Review.objects.published().filter(pk=instance.pk).exists()
    )


def review_changed(sender, instance, raw=False, **kwargs):
    changed = [f"review:{instance.pk}"]
    if raw or instance.is_public or getattr(instance, "was_public", True):
        changed += [f"film:{instance.film_id}", *LISTS]
    tags.retire(*changed)
    transaction.on_commit(schedule_due)


def schedule_due() -> None:
    """Record when scheduled reviews go public, and when expiring ones leave: cached pages made
    before then stop being good."""
    now = timezone.now()
    due = (
        Review.objects.filter(status=Review.Status.SCHEDULED, published_at__gt=now)
        .order_by("published_at")
        .values_list("published_at", flat=True)[:100]
    )
    leaving = (
        Review.objects.filter(
            status__in=[Review.Status.PUBLISHED, Review.Status.SCHEDULED], unpublish_at__gt=now
        )
        .order_by("unpublish_at")
        .values_list("unpublish_at", flat=True)[:100]
    )
    features = Feature.objects.upcoming(now).values_list("starts_at", flat=True)[:100]
    tags.schedule(moment.timestamp() for moment in [*due, *leaving, *features])


def tag_changed(sender, instance, **kwargs):
    """A tag's name shows on its page, its feed and the articles of its reviews. pre_delete:
    deleting a tag unfiles its reviews without a signal."""
    reviews = instance.reviews.values_list("pk", flat=True) if instance.pk else []
    tags.retire(f"tag:{instance.pk}", *(f"review:{pk}" for pk in reviews), "sitemap")


def review_tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Filing a review under a tag (or taking it off) changes the review's article and the
    tag's page, feed and place in the sitemap."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if reverse:  # tag.reviews changed
        reviews = pk_set if action != "pre_clear" else instance.reviews.values_list("pk", flat=True)
        changed = [f"tag:{instance.pk}", *(f"review:{pk}" for pk in reviews or ())]
    else:
        filed = pk_set if action != "pre_clear" else instance.tags.values_list("pk", flat=True)
        changed = [f"review:{instance.pk}", *(f"tag:{pk}" for pk in filed or ())]
    tags.retire(*changed, "sitemap")


def feature_changed(sender, instance, **kwargs):
    """The featured slot is on the front page; a scheduled feature changes it at its time."""
    tags.retire("home")
    transaction.on_commit(schedule_due)


def section_moving(sender, instance, update_fields=None, **kwargs):
    """A section moved to another review leaves the old review's article."""
    if moved := tags.left(instance, "review", update_fields=update_fields):
        tags.retire(*moved)


def section_changed(sender, instance, **kwargs):
    tags.retire(f"review:{instance.review_id}", "search")


def image_changed(sender, instance, raw=False, **kwargs):
    """A library image's figure is in its sections' saved HTML: render them again. The pages
    of the reviews it is the hero of (their page, cards, link previews) show it too."""
    if not raw:
        Section.show_image_changes(instance)
        if heroes := list(instance.hero_of.values_list("pk", flat=True)):
            tags.retire(*(f"review:{pk}" for pk in heroes))


def comment_saving(sender, instance, raw=False, **kwargs):
    instance.was_shown = bool(
        instance.pk and Comment.objects.approved().filter(pk=instance.pk).exists()
    )


def comment_changed(sender, instance, **kwargs):
    if instance.status == Comment.Status.APPROVED or getattr(instance, "was_shown", False):
        tags.retire(f"comments:{instance.review_id}")


def comments_changing(comments, status: str | None = None) -> None:
    """Before a bulk update of `comments` to `status` (None: a delete), which sends no signals,
    retire the threads where a shown comment appears or goes."""
    if status == Comment.Status.APPROVED:
        changing = comments.exclude(status=Comment.Status.APPROVED)
    else:
        changing = comments.filter(status=Comment.Status.APPROVED)
    reviews = set(changing.values_list("review_id", flat=True))
    if reviews:
        tags.retire(*(f"comments:{pk}" for pk in reviews))


def user_saved(sender, instance, update_fields=None, **kwargs):
    if update_fields is None or NAME_FIELDS & set(update_fields):  # not on every sign-in
        tags.retire(f"user:{instance.pk}")


def critic_saving(sender, instance, raw=False, **kwargs):
    instance.was_named_as = (
        Critic.objects.filter(pk=instance.pk).values_list("display_name", "slug").first()
        if instance.pk
        else None
    )


def critic_changed(sender, instance, **kwargs):
    """A critic's name, page or links show on bylines, their page and feed: retire the user's.
    A new name or address also changes the list of critics, wherever it was not shown yet."""
    user_id = instance.user_id if isinstance(instance, Critic) else instance.critic.user_id
    changed = [f"user:{user_id}"]
    if isinstance(instance, Critic):  # the sitemap dates their page by its last change
        changed.append("sitemap")
    if isinstance(instance, Critic) and getattr(instance, "was_named_as", None) != (
        instance.display_name,
        instance.slug,
    ):
        changed += CRITIC_LISTS
    tags.retire(*changed)


def connect() -> None:
    for signal, sender, receiver in [
        (pre_save, Review, review_saving),
        (post_save, Review, review_changed),
        (post_delete, Review, review_changed),
        (pre_save, Section, section_moving),
        (post_save, Section, section_changed),
        (post_save, Tag, tag_changed),
        (pre_delete, Tag, tag_changed),
        (m2m_changed, Review.tags.through, review_tags_changed),
        (post_save, Feature, feature_changed),
        (post_delete, Feature, feature_changed),
        (post_delete, Section, section_changed),
        (post_save, Image, image_changed),
        (pre_save, Comment, comment_saving),
        (post_save, Comment, comment_changed),
        (post_delete, Comment, comment_changed),
        (post_save, get_user_model(), user_saved),
        (pre_save, Critic, critic_saving),
        (post_save, Critic, critic_changed),
        (post_delete, Critic, critic_changed),
        (post_save, CriticLink, critic_changed),
        (post_delete, CriticLink, critic_changed),
    ]:
        signal.connect(receiver, sender=sender, dispatch_uid=f"pagecache-{receiver.__name__}")
