"""factory_boy factories for the whole suite."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import slugify

from films.models import CastCredit, Collection, CrewCredit, Department, Film, Genre, Person
from reviews.models import Feature, Review, Section, Tag


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    is_staff = True


class SuperuserFactory(UserFactory):
    is_staff = True
    is_superuser = True


class GenreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Genre
        django_get_or_create = ("name",)

    name = factory.Iterator(["Action", "Drama", "Thriller", "Comedy", "Crime", "Horror"])


class CollectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collection

    name = factory.Sequence(lambda n: f"Saga {n} Collection")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Faker("name")
    biography = factory.Faker("paragraph")


class FilmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Film
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Film Number {n}")
    original_title = factory.LazyAttribute(lambda f: f.title)
    release_date = factory.Sequence(lambda n: datetime.date(2000, 1, 1) + datetime.timedelta(n))
    runtime = 110
    synopsis = factory.Faker("paragraph")
    original_language = "en"

    @factory.post_generation
    def genres(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.genres.set(extracted)


class CastCreditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CastCredit

    film = factory.SubFactory(FilmFactory)
    person = factory.SubFactory(PersonFactory)
    character = factory.Faker("first_name")
    order = factory.Sequence(lambda n: n)


class CrewCreditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CrewCredit

    film = factory.SubFactory(FilmFactory)
    person = factory.SubFactory(PersonFactory)
    department = Department.DIRECTING
    job = "Director"


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review
        skip_postgeneration_save = True  # the hooks below write their own rows

    film = factory.SubFactory(FilmFactory)
    author = factory.SubFactory(StaffFactory)
    headline = factory.Sequence(lambda n: f"A review worth reading, part {n}")
    dek = "A dek that sums it up"
    intro = "An *intro* paragraph.\n\nAnd a second one."
    rating = 4
    status = Review.Status.DRAFT

    class Params:
        published = factory.Trait(
            status=Review.Status.PUBLISHED,
            published_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1)),
        )

    @factory.post_generation
    def featured(self, create, extracted, **kwargs):
        """`ReviewFactory(featured=True)`: the review becomes the featured slot's current
        feature (as the site's own setup, whatever its state: Feature.objects.feature() is the
        checked way)."""
        if create and extracted:
            Feature.objects.create(review=self)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        """`ReviewFactory(tags=[tag, …])`."""
        if create and extracted:
            self.tags.set(extracted)


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Tag {n}")
    slug = factory.LazyAttribute(lambda tag: slugify(tag.name))


class LibraryImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "images.Image"

    file = factory.LazyFunction(lambda: image_upload("still.png", size=(1000, 600)))
    alt = "Eve in a red coat on an empty stage"
    caption = "The rehearsal, in one long take."
    credit = "© Marquee demo"


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    review = factory.SubFactory(ReviewFactory)
    heading = factory.Sequence(lambda n: f"Section heading {n}")
    body = "A paragraph of **body** text."
    position = factory.Sequence(lambda n: n)


def _recreate_groups():
    """Recreate the editorial groups as the data migrations do.

    A transactional test's flush (live-server browser tests) removes their rows.
    """
    import importlib

    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    groups = importlib.import_module("reviews.migrations.0003_create_editorial_groups").GROUPS
    grants = importlib.import_module("reviews.migrations.0006_grant_comment_permissions").GRANTS
    for name, codes in groups.items():
        group, _ = Group.objects.get_or_create(name=name)
        for code in codes:
            app_label, codename = code.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    critic_grants = importlib.import_module(
        "reviews.migrations.0015_grant_critic_permissions"
    ).GRANTS
    tag_grants = importlib.import_module("reviews.migrations.0021_review_tags").GRANTS
    feature_grants = importlib.import_module(
        "reviews.migrations.0022_featured_slot_replaces_is_featured"
    ).GRANTS
    image_grants = importlib.import_module("images.migrations.0002_grant_image_permissions").GRANTS
    for app_label, granted in (
        ("reviews", grants),
        ("reviews", critic_grants),
        ("reviews", tag_grants),
        ("reviews", feature_grants),
        ("images", image_grants),
    ):
        for name, codenames in granted.items():
            Group.objects.get(name=name).permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )


def user_in_group(group_name: str, **kwargs):
    """A staff user in one of the editorial groups (Writers, Editors, Moderators)."""
    from django.contrib.auth.models import Group

    if not Group.objects.filter(name=group_name).exists():
        _recreate_groups()
    user = StaffFactory(**kwargs)
    user.groups.add(Group.objects.get(name=group_name))
    return type(user).objects.get(pk=user.pk)  # fresh object: no stale permission cache


def image_bytes(
    fmt: str = "PNG", size: tuple[int, int] = (40, 60), mode: str = "RGB", **save_options
) -> bytes:
    """A real image, made by Pillow in memory (e.g. `image_bytes("WEBP")`)."""
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new(mode, size, "#b03060").save(buffer, format=fmt, **save_options)
    return buffer.getvalue()


def image_upload(
    name: str = "poster.png",
    fmt: str = "PNG",
    size: tuple[int, int] = (40, 60),
    content_type: str | None = None,
    **save_options,
):
    """An uploaded image file for a form or the test client."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        name,
        image_bytes(fmt, size, **save_options),
        content_type=content_type or f"image/{fmt.lower()}",
    )


def poster_image(upload=None, **kwargs):
    """A library image to give a film as its poster (`FilmFactory(poster=poster_image())`) or a
    person as their photo."""
    return LibraryImageFactory(
        file=upload or image_upload(), **{"alt": "A poster", "caption": "", "credit": "", **kwargs}
    )
