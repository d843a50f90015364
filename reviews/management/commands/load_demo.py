"""Load the demo content shipped in reviews/demo/ so a fresh `make run` shows a living site.

Films go through the TMDB importer and reviews through the plain-text importer, exactly as an
editor's files would; the manifest then sets what the text format cannot carry (status,
rating, verdict, featured, spoiler sections). Pictures drawn for the demo
(reviews/demo/artwork.py) go where nothing is yet: a poster on each film, a portrait on its
top-billed cast and directors, a still as each new review's hero image, and the stills the
manifest names as figures in its sections (`figures`), all in the image library. Running it again
changes nothing: films are matched on TMDB ids and left alone when unchanged, users and
reviews that exist are skipped, and a picture is only added where there is none.
"""

import datetime
import json
import secrets
from collections import Counter
from decimal import Decimal
from pathlib import Path

import reversion
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from films.importers import import_tmdb_film
from films.models import Collection, CrewCredit, Film, Genre, Person
from films.tmdb_json import TMDBImportError, load_tmdb_file
from images.figures import reference
from images.models import Image
from reviews.critics import Critic, CriticLink
from reviews.demo import artwork
from reviews.importers import (
    ReviewFormatError,
    import_review,
    parse_review,
    publication_time,
    read_review_file,
)
from reviews.models import Comment, Feature, Review
from reviews.search import index as search_index

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
SUPERUSER = "admin"
PORTRAITS_PER_FILM = 4  # the top-billed cast who get a drawn portrait
DEMO_NOTE = "Demo content: placed in its state by load_demo."


def drawn_image(name: str, data: bytes, **fields) -> Image:
    """A picture drawn for the demo, saved in the image library."""
    image = Image(credit="Illustration: Marquee demo", **fields)
    image.file.save(name, ContentFile(data), save=False)
    image.save()
    return image


def drawn_still(name: str, subject: str, **fields) -> Image:
    """A drawn still of `subject`, its figure the focal point."""
    still, (focus_x, focus_y), description = artwork.still_jpeg(subject)
    alt = f"{description} (an illustration drawn for the demo)"
    return drawn_image(name, still, alt=alt, focus_x=focus_x, focus_y=focus_y, **fields)


class Command(BaseCommand):
    help = (
        "Load demo films, people, reviews and staff accounts, and create a local superuser "
        "'admin'. Development only (DEBUG on); running it again changes nothing."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "load_demo only runs with DEBUG on (DEBUG=1): it creates a superuser and staff "
                "accounts with printed passwords, which have no place in a production database."
            )
        manifest = self.read_manifest()
        with transaction.atomic(), search_index.batch():
            admin_password = self.ensure_superuser()
            new_users = self.ensure_users(manifest["users"])
            self.ensure_critics(manifest["users"])
            films = self.import_films()
            self.draw_film_pictures(films["films"].values())
            reviews = self.import_reviews(manifest["reviews"], films)
        self.report(films, reviews, new_users, admin_password)

    def read_manifest(self) -> dict:
        path = DEMO_DIR / "manifest.json"
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"{path}: {exc}") from exc
        statuses = set(Review.Status.values)
        for entry in manifest["reviews"]:
            if entry["status"] not in statuses:
                raise CommandError(
                    f"{path}: {entry['file']}: unknown status {entry['status']!r} "
                    f"(expected one of: {', '.join(sorted(statuses))})"
                )
        return manifest

    # Accounts ----------------------------------------------------------------------------------

    def ensure_superuser(self) -> str | None:
        """Create the local superuser; return its new password, or None when it exists."""
        User = get_user_model()
        if User.objects.filter(**{User.USERNAME_FIELD: SUPERUSER}).exists():
            return None
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(SUPERUSER, email="admin@localhost", password=password)
        return password

    def ensure_users(self, entries: list[dict]) -> dict[str, tuple[str, str]]:
        """Create the missing demo staff accounts; return {username: (password, role)}."""
        User = get_user_model()
        created = {}
        for entry in entries:
            username = entry["username"]
            if User.objects.filter(**{User.USERNAME_FIELD: username}).exists():
                continue
            password = secrets.token_urlsafe(9)
            user = User.objects.create_user(
                username,
                email=entry.get("email", ""),
                password=password,
                first_name=entry.get("first_name", ""),
                last_name=entry.get("last_name", ""),
                is_staff=True,
            )
            # The groups come from a data migration; without them the account is plain staff.
            group = Group.objects.filter(name=entry.get("group", "")).first()
            if group is not None:
                user.groups.add(group)
            created[username] = (password, group.name if group else "staff, no group")
        return created

    def ensure_critics(self, entries: list[dict]) -> None:
        """Give each demo account its critic profile: name, biography, portrait and links.

        Only what is missing is filled in, so an editor's changes survive a second run.
        """
        User = get_user_model()
        for entry in entries:
            user = User.objects.get(**{User.USERNAME_FIELD: entry["username"]})
            critic, profile = Critic.objects.for_user(user), entry["critic"]
            changed = False
            for field in ("display_name", "bio"):
                if not getattr(critic, field):
                    setattr(critic, field, profile[field])
                    changed = True
            if not critic.photo:
                portrait = DEMO_DIR / "critics" / f"{entry['username']}.png"
                # Published under the critic's name: a username is a sign-in name.
                name = f"{slugify(critic.display_name) or 'critic'}{portrait.suffix}"
                critic.photo.save(name, File(portrait.open("rb")), save=False)
                changed = True
            if changed:
                critic.save()
            if not critic.links.exists():
                CriticLink.objects.bulk_create(
                    CriticLink(critic=critic, position=n, **link)
                    for n, link in enumerate(profile.get("links", []))
                )

    # Content -----------------------------------------------------------------------------------

    def import_films(self) -> dict:
        """Import every demo film; return {"films": {tmdb_id: Film}, "created": n, ...}."""
        films, created, changed = {}, 0, 0
        for path in sorted((DEMO_DIR / "films").glob("*.tmdb.json")):
            try:
                result = import_tmdb_film(load_tmdb_file(path))
            except TMDBImportError as exc:
                raise CommandError(f"{path.name}: {exc}") from exc
            films[result.film.tmdb_id] = result.film
            created += result.created
            changed += result.changed and not result.created
        return {"films": films, "created": created, "changed": changed}

    def import_reviews(self, entries: list[dict], films: dict) -> dict:
        User = get_user_model()
        created, skipped = [], []
        for entry in entries:
            path = DEMO_DIR / "reviews" / entry["file"]
            try:
                parsed = parse_review(read_review_file(path))
            except ReviewFormatError as exc:
                raise CommandError(f"{path.name}: {exc}") from exc
            # import_review refuses a taken slug; a demo review already there is left as the
            # editors have it now.
            slug = slugify(parsed.headline)[:200].strip("-")
            if Review.objects.filter(slug=slug).exists():
                skipped.append(slug)
                continue
            film = films["films"].get(entry["film"])
            if film is None:
                raise CommandError(
                    f"manifest.json: {entry['file']}: no demo film has TMDB id {entry['film']}"
                )
            try:
                author = User.objects.get(**{User.USERNAME_FIELD: entry["author"]})
            except User.DoesNotExist:
                raise CommandError(
                    f"manifest.json: {entry['file']}: no user {entry['author']!r}"
                ) from None
            review = import_review(parsed, film=film, author=author)  # a draft, until the manifest
            self.attach_still(review)
            self.add_figures(review, entry)
            self.apply_manifest(review, entry)
            self.add_comments(review, entry)
            created.append(review)
        return {"created": created, "skipped": skipped}

    def draw_film_pictures(self, films) -> None:
        """A drawn poster for each film without one; a drawn portrait for its top-billed cast
        and its directors without a photo."""
        for film in films:
            directors = [
                c.person
                for c in film.crew_credits.filter(job=CrewCredit.DIRECTOR_JOB).select_related(
                    "person"
                )
            ]
            if not film.poster_id:
                drawn = artwork.poster_png(
                    film.title, film.year, directors[0].name if directors else "", film.tagline
                )
                film.poster = drawn_image(
                    f"{film.slug}.png",
                    drawn,
                    alt=f"{film.poster_alt}, an illustration drawn for the demo",
                )
                film.save(update_fields=["poster"])
            cast = [
                c.person
                for c in film.cast_credits.select_related("person").order_by("order", "id")[
                    :PORTRAITS_PER_FILM
                ]
            ]
            for person in [*cast, *directors]:
                if not person.photo_id:
                    person.photo = drawn_image(
                        f"{person.slug}.png",
                        artwork.person_png(person.name),
                        alt=f"{person.name}, a portrait drawn for the demo",
                    )
                    person.save(update_fields=["photo"])

    def attach_still(self, review: Review) -> None:
        """A drawn still, put in the image library, as the hero image of a new demo review, its
        figure the focal point."""
        if review.hero_id:
            return
        review.hero = drawn_still(f"{review.slug}.jpg", review.film.title)

    def add_figures(self, review: Review, entry: dict) -> None:
        """The manifest's `figures`: each a drawn still put in the library with alt text,
        caption and credit, and shown in its section after the first paragraph, as an editor's
        Image button would put it (`![[image:N]]`, a paragraph of its own)."""
        for figure in entry.get("figures", []):
            section = review.sections.filter(heading=figure["section"]).first()
            if section is None:
                raise CommandError(
                    f"manifest.json: {entry['file']}: no section headed {figure['section']!r} "
                    "for a figure"
                )
            image = drawn_still(
                f"{review.slug}-{section.anchor}.jpg",
                f"{review.film.title}: {section.heading}",
                caption=figure["caption"],
            )
            first, _, rest = section.body.partition("\n\n")
            section.body = "\n\n".join(part for part in (first, reference(image.pk), rest) if part)
            section.save(update_fields=["body"])

    def apply_manifest(self, review: Review, entry: dict) -> None:
        """Set what the text format cannot say: the workflow state, rating, verdict, spoilers.

        The demo places each imported draft straight into its state rather than walking it
        through the workflow: no notification mail, and one line in the audit trail, by no one,
        from draft to that state.
        """
        now = timezone.now()
        status = Review.Status(entry["status"])
        if status == Review.Status.SCHEDULED:
            due = now + datetime.timedelta(days=entry.get("publish_in_days", 3))
            review.published_at = due.replace(minute=0, second=0, microsecond=0)
        elif status in (Review.Status.PUBLISHED, Review.Status.ARCHIVED):
            review.published_at = min(publication_time(review.intended_date), now)
        else:
            review.published_at = None
        rating = entry.get("rating")
        review.rating = None if rating is None else Decimal(str(rating))
        review.verdict = entry.get("verdict", "")

        spoilers = set(entry.get("spoiler_sections", []))
        sections = list(review.sections.filter(heading__in=spoilers))
        missing = spoilers - {section.heading for section in sections}
        if missing:
            raise CommandError(
                f"manifest.json: {entry['file']}: no section headed "
                f"{', '.join(repr(h) for h in sorted(missing))}"
            )
        with reversion.create_revision():
            reversion.set_user(review.author)
            reversion.set_comment("Demo content: state, rating and verdict from the manifest.")
            if status == review.status:
                review.save()
            else:
                review.move_to(status, by=None, note=DEMO_NOTE)
            for section in sections:
                section.is_spoiler = True
                section.save(update_fields=["is_spoiler"])
        if entry.get("featured") and review.is_public:
            # The site's own setup, as move_to(by=None): the slot's first feature.
            Feature.objects.create(review=review)

    def add_comments(self, review: Review, entry: dict) -> None:
        """Readers' comments, so the demo's pages and its moderation queue are not empty: some
        published (a reply among them), one awaiting moderation, one kept as spam. Placed in
        their state as the manifest says, like the reviews: no mail is sent."""
        made = []
        for comment in entry.get("comments", []):
            submitted = timezone.now() - datetime.timedelta(days=comment["days_ago"])
            status = Comment.Status(comment["status"])
            made.append(
                Comment.objects.create(
                    review=review,
                    parent=made[comment["reply_to"]] if "reply_to" in comment else None,
                    name=comment["name"],
                    email=comment["email"],
                    body=comment["body"],
                    status=status,
                    submitted_at=submitted,
                    first_published_at=submitted if status == Comment.Status.APPROVED else None,
                    # Only a moderator's decision has a time: held spam awaits one.
                    moderated_at=submitted if status == Comment.Status.APPROVED else None,
                )
            )

    # Output ------------------------------------------------------------------------------------

    def report(self, films: dict, reviews: dict, new_users: dict, admin_password: str | None):
        out, style = self.stdout, self.style
        out.write(
            f"Films: {Film.objects.count()} ({films['created']} new, {films['changed']} updated"
            f"); people: {Person.objects.count()}; genres: {Genre.objects.count()}; "
            f"collections: {Collection.objects.count()}."
        )
        by_status = Counter(Review.objects.values_list("status", flat=True))
        states = ", ".join(
            f"{label.lower()} {by_status[value]}"
            for value, label in Review.Status.choices
            if by_status[value]
        )
        out.write(
            f"Reviews: {len(reviews['created'])} new, {len(reviews['skipped'])} already there; "
            f"{sum(by_status.values())} in all ({states or 'none'})."
        )
        comments = Counter(Comment.objects.values_list("status", flat=True))
        out.write(
            f"Comments: {comments[Comment.Status.APPROVED]} published, "
            f"{comments[Comment.Status.PENDING]} awaiting moderation, "
            f"{comments[Comment.Status.SPAM]} held as spam."
        )
        admin_url = settings.MARQUEE_SITE_URL.rstrip("/") + reverse("admin:index")
        for username, (password, role) in new_users.items():
            out.write(f"Demo staff account created: {username} / {password} ({role})")
        if admin_password:
            out.write(
                style.SUCCESS(
                    f"Superuser created: {SUPERUSER} / {admin_password} (may do everything)\n"
                    f"Sign in at {admin_url} (the password is shown only this once)."
                )
            )
        else:
            out.write(
                f"The superuser {SUPERUSER!r} already exists; sign in at {admin_url}. "
                f"Forgot the password? Run: make manage CMD='changepassword {SUPERUSER}'"
            )
