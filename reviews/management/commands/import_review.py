import re
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from films.models import Film
from reviews.critics import Critic
from reviews.importers import (
    ParsedReview,
    ReviewFormatError,
    import_review,
    parse_review,
    read_review_file,
)


class Command(BaseCommand):
    help = (
        "Import a plain-text review (date, headline, bold dek, paragraphs and bold section "
        "headings) as a draft, or published at its date with --publish. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The review's text file (UTF-8).")
        parser.add_argument(
            "--film",
            metavar="SLUG",
            help="The film reviewed; by default, the film whose title is in the headline.",
        )
        parser.add_argument(
            "--author",
            metavar="USERNAME",
            help="The review's author; by default, the first active superuser.",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the review at the file's date instead of importing a draft.",
        )
        parser.add_argument(
            "--display-name",
            metavar="NAME",
            help="Set the author's display name, the name readers see on the byline (a review "
            "cannot be published by an author without one).",
        )

    def handle(
        self,
        *args,
        file: Path,
        film: str | None,
        author: str | None,
        publish: bool,
        display_name: str | None = None,
        **options,
    ):
        try:
            parsed = parse_review(read_review_file(file))
        except ReviewFormatError as exc:
            raise CommandError(f"{file}: {exc}") from exc
        film = self.film_by_slug(film) if film else self.film_in_headline(parsed)
        author = self.user_by_username(author) if author else self.first_superuser()
        if display_name is not None and not display_name.strip():
            raise CommandError("--display-name is empty: give the name readers should see")
        # Every author has a profile; made before the import's transaction, the one a refusal
        # points to ("set a display name on their critic profile") is still there after it.
        Critic.objects.for_user(author)
        try:
            with transaction.atomic():
                renamed = display_name is not None and self.set_display_name(
                    author, display_name.strip()
                )
                review = import_review(parsed, film=film, author=author, publish=publish)
        except ReviewFormatError as exc:
            raise CommandError(f"{file}: {exc}") from exc
        except ValidationError as exc:
            raise CommandError(
                f"{file}: {' '.join(exc.messages)} Or give it here, for example: "
                '--display-name "Jane Doe".'
            ) from exc
        if renamed:  # said once it is written: a refused import renames no one
            critic = Critic.objects.for_user(author)
            self.stdout.write(f"{author.get_username()} now publishes as “{critic.display_name}”.")
        count = len(parsed.sections)
        self.stdout.write(
            self.style.SUCCESS(
                f'Imported "{review.headline}" ({review.status}, {count} '
                f"section{'' if count == 1 else 's'}) → {review.get_absolute_url()}"
            )
        )

    def set_display_name(self, user, name: str) -> bool:
        """Give `user` the display name `name`; say whether it changed."""
        critic = Critic.objects.for_user(user)
        if critic.display_name == name:
            return False
        critic.display_name = name
        critic.full_clean(exclude=["user", "photo"])
        critic.save()
        return True

    def film_by_slug(self, slug: str) -> Film:
        try:
            return Film.objects.get(slug=slug)
        except Film.DoesNotExist:
            raise CommandError(
                f"no film with slug {slug!r} (import it first with import_film)"
            ) from None

    def film_in_headline(self, parsed: ParsedReview) -> Film:
        """Find the film named in the headline: the longest title, then the closest year.

        Titles match whole words only, so "Up" does not pick up a review of "Upgrade".
        """
        headline = parsed.headline.casefold()
        named = [
            film
            for film in Film.objects.only("slug", "title", "release_date")
            if re.search(rf"(?<!\w){re.escape(film.title.casefold())}(?!\w)", headline)
        ]
        if not named:
            raise CommandError(
                f'no film\'s title appears in the headline "{parsed.headline}"; pass '
                "--film SLUG, or import the film first with import_film"
            )
        longest = max(len(film.title) for film in named)
        named = [film for film in named if len(film.title) == longest]

        def distance(film: Film) -> float:
            if film.release_date is None:
                return float("inf")
            return abs(film.release_date.year - parsed.date.year)

        closest = min(map(distance, named))
        named = [film for film in named if distance(film) == closest]
        if len(named) > 1:
            choices = ", ".join(f"{film.slug} ({film})" for film in named)
            raise CommandError(
                f'the headline "{parsed.headline}" could be about several films: {choices}; '
                "pass --film SLUG to choose one"
            )
        return named[0]

    def user_by_username(self, username: str):
        User = get_user_model()
        try:
            return User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(f"no user with username {username!r}") from None

    def first_superuser(self):
        user = (
            get_user_model()
            ._default_manager.filter(is_superuser=True, is_active=True)
            .order_by("pk")
            .first()
        )
        if user is None:
            raise CommandError(
                "no author: pass --author USERNAME, or create a superuser first "
                "(manage.py createsuperuser)"
            )
        return user
