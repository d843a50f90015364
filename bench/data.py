"""Generate a newsroom-sized archive for benchmarks: `python -m bench.data --scale 1`.

Scale 1 is about 10,000 films, 40,000 people, 300,000 credits, 5,000 reviews of six sections
and 100,000 comments in every status; `--scale 10` is ten times that, `--scale 0.01` a quick
sample for tests. Rows are written with bulk inserts in batches, Markdown is rendered once per
distinct text, and the same `--seed` always produces the same data.
"""

import datetime
import os
import random
import sys
from decimal import Decimal

import django

if __name__ == "__main__":  # `python -m bench.data`: Django is set up before the models load
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()

# isort: split

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from films.models import CastCredit, Collection, CrewCredit, Department, Film, Genre, Person
from reviews.critics import Critic
from reviews.markdown import render, render_plain
from reviews.models import Comment, Review, Section

PREFIX = "bench-"
UNUSABLE_PASSWORD = make_password(None)
PER_SCALE = {
    "films": 10_000,
    "people": 40_000,
    "cast": 20,  # credits per film: 20 cast + 10 crew = 300,000 at scale 1
    "crew": 10,
    "reviews": 5_000,
    "sections": 6,
    "comments": 100_000,
}
GENRES = [
    "Action",
    "Adventure",
    "Animation",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Family",
    "Fantasy",
    "History",
    "Horror",
    "Music",
    "Mystery",
    "Romance",
    "Science Fiction",
    "Thriller",
    "War",
    "Western",
]
WORDS = [
    "light",
    "shadow",
    "city",
    "river",
    "night",
    "dance",
    "revenge",
    "memory",
    "train",
    "winter",
    "harbour",
    "garden",
    "echo",
    "signal",
    "mirror",
    "storm",
    "letter",
    "stranger",
    "island",
    "fever",
    "orchard",
    "glass",
    "wolf",
    "crown",
    "violin",
    "desert",
    "empire",
    "ghost",
    "summer",
    "lantern",
]
FIRST = [
    "Ana",
    "Ben",
    "Chloe",
    "Dev",
    "Elif",
    "Farid",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Kaito",
    "Lena",
    "Marco",
    "Nadia",
    "Omar",
    "Pia",
    "Quentin",
    "Rosa",
    "Sami",
    "Tara",
    "Ugo",
    "Vera",
    "Wen",
    "Xavier",
    "Yara",
    "Zeno",
]
LAST = [
    "Abara",
    "Borg",
    "Castillo",
    "Dumont",
    "Eriksen",
    "Fontaine",
    "Garcia",
    "Haddad",
    "Ito",
    "Jansen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rossi",
    "Sato",
    "Tanaka",
    "Ueda",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zhou",
]
PARAGRAPHS = [
    "The film opens on {w1} and {w2}, and for a long while it is content to watch. "
    "*{title}* trusts its audience, which is rarer than it should be.",
    "Where the script falters, the performances carry it: every glance about the {w1} "
    "lands, and the {w2} sequence is staged with real [craft](https://example.com/craft).",
    "It is too long by twenty minutes, and the score underlines what the images already "
    "say. Still, the final movement — all {w1}, no {w2} — earns its silence.",
    "The cinematography favours **available light**, so the {w1} scenes feel found rather "
    "than built; the editing keeps the {w2} thread taut without hurrying it.",
]


class Command(BaseCommand):
    help = "Generate benchmark data (films, people, credits, reviews, comments) in bulk."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="1 = 10k films, 5k reviews, 100k comments (default 1).",
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--replace", action="store_true", help="Delete earlier benchmark data first."
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, scale, seed, batch_size, replace, no_progress, **options):
        if scale <= 0:
            raise CommandError("--scale must be positive (e.g. 0.01, 1, 10).")
        self.rng = random.Random(seed)
        self.batch_size = batch_size
        self.quiet = no_progress or options["verbosity"] == 0
        counts = {
            k: max(1, round(v * scale)) if k not in ("cast", "crew", "sections") else v
            for k, v in PER_SCALE.items()
        }
        if Film.objects.filter(slug__startswith=PREFIX).exists():
            if not replace:
                raise CommandError(
                    "Benchmark data is already here; pass --replace to make it anew."
                )
            self.delete_existing()
        with transaction.atomic():
            self.generate(counts)
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Generated {counts['films']} films, {counts['people']} people, "
                    f"{counts['films'] * (counts['cast'] + counts['crew'])} credits, "
                    f"{counts['reviews']} reviews of {counts['sections']} sections, "
                    f"{counts['comments']} comments (seed {seed}, scale {scale:g})."
                )
            )

    # -- helpers ------------------------------------------------------------------------------

    def progress(self, iterable, total, desc):
        from tqdm import tqdm  # the bench extra; tests pass no_progress and never need it

        return tqdm(
            iterable,
            total=total,
            desc=desc,
            unit="row",
            disable=self.quiet,
            file=sys.stderr,
            mininterval=0.5,
        )

    def bulk(self, model, rows, total, desc):
        """Insert `rows` (a generator) in batches, with a progress bar."""
        batch = []
        for obj in self.progress(rows, total, desc):
            batch.append(obj)
            if len(batch) >= self.batch_size:
                model.objects.bulk_create(batch)
                batch = []
        if batch:
            model.objects.bulk_create(batch)

    def delete_existing(self):
        with transaction.atomic():
            films = Film.objects.filter(slug__startswith=PREFIX)
            Comment.objects.filter(review__film__in=films).delete()
            Review.objects.filter(film__in=films).delete()
            CastCredit.objects.filter(film__in=films).delete()
            CrewCredit.objects.filter(film__in=films).delete()
            films.delete()
            Person.objects.filter(slug__startswith=PREFIX).delete()
            Collection.objects.filter(slug__startswith=PREFIX).delete()
            get_user_model().objects.filter(username__startswith=PREFIX).delete()

    def ids(self, model, **filters):
        return list(model.objects.filter(**filters).order_by("pk").values_list("pk", flat=True))

    # -- generation ---------------------------------------------------------------------------

    def generate(self, counts):
        rng = self.rng
        genres = [
            Genre.objects.get_or_create(
                slug=f"{PREFIX}{n.lower().replace(' ', '-')}", defaults={"name": n}
            )[0]
            for n in GENRES
        ]
        collections = Collection.objects.bulk_create(
            Collection(name=f"The {w.title()} Collection", slug=f"{PREFIX}{w}-collection")
            for w in WORDS
        )
        User = get_user_model()
        authors = User.objects.bulk_create(
            User(
                username=f"{PREFIX}critic{n}",
                first_name=rng.choice(FIRST),
                last_name=rng.choice(LAST),
                is_staff=True,
                password=UNUSABLE_PASSWORD,
            )
            for n in range(max(3, counts["reviews"] // 200))
        )
        Critic.objects.bulk_create(  # bylines name critics, as every author has a profile
            Critic(
                user=author,
                display_name=f"{author.first_name} {author.last_name}",
                slug=f"{PREFIX}{author.username}",
            )
            for author in authors
        )

        def people():
            for n in range(counts["people"]):
                name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                yield Person(
                    name=name, slug=f"{PREFIX}person-{n}", biography=f"{name} works in film."
                )

        self.bulk(Person, people(), counts["people"], "people")
        person_ids = self.ids(Person, slug__startswith=PREFIX)

        start = datetime.date(1950, 1, 1)

        def films():
            for n in range(counts["films"]):
                title = f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {n}"
                release = start + datetime.timedelta(days=rng.randrange(27_000))
                yield Film(
                    title=title,
                    slug=f"{PREFIX}film-{n}",
                    original_title=title,
                    release_date=release,
                    year=release.year,
                    runtime=rng.randrange(75, 200),
                    original_language="en",
                    synopsis=f"A story of {rng.choice(WORDS)} and {rng.choice(WORDS)}.",
                    collection=rng.choice(collections) if rng.random() < 0.1 else None,
                )

        self.bulk(Film, films(), counts["films"], "films")
        film_ids = self.ids(Film, slug__startswith=PREFIX)

        Through = Film.genres.through
        self.bulk(
            Through,
            (
                Through(film_id=f, genre_id=g.pk)
                for f in film_ids
                for g in rng.sample(genres, rng.randrange(1, 4))
            ),
            None,
            "film genres",
        )

        def cast():
            for f in film_ids:
                for order, p in enumerate(rng.sample(person_ids, counts["cast"])):
                    yield CastCredit(
                        film_id=f,
                        person_id=p,
                        order=order,
                        character=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    )

        self.bulk(CastCredit, cast(), len(film_ids) * counts["cast"], "cast credits")

        jobs = [
            (Department.DIRECTING, "Director"),
            (Department.WRITING, "Screenplay"),
            (Department.PRODUCTION, "Producer"),
            (Department.CAMERA, "Director of Photography"),
            (Department.EDITING, "Editor"),
            (Department.SOUND, "Original Music Composer"),
            (Department.ART, "Production Design"),
            (Department.COSTUME_MAKE_UP, "Costume Design"),
            (Department.VISUAL_EFFECTS, "Visual Effects Supervisor"),
            (Department.LIGHTING, "Gaffer"),
        ]

        def crew():
            for f in film_ids:
                for (department, job), p in zip(
                    jobs, rng.sample(person_ids, counts["crew"]), strict=False
                ):
                    yield CrewCredit(film_id=f, person_id=p, department=department, job=job)

        self.bulk(CrewCredit, crew(), len(film_ids) * counts["crew"], "crew credits")

        # Reviews: most published, the rest spread over the other states.
        now = timezone.now()
        statuses = (
            [Review.Status.PUBLISHED] * 80
            + [Review.Status.DRAFT] * 8
            + [Review.Status.IN_REVIEW] * 5
            + [Review.Status.SCHEDULED] * 4
            + [Review.Status.ARCHIVED] * 3
        )
        rendered: dict[str, str] = {}

        def html(text):
            if text not in rendered:
                rendered[text] = render(text)
            return rendered[text]

        def paragraph(title):
            return rng.choice(PARAGRAPHS).format(
                w1=rng.choice(WORDS), w2=rng.choice(WORDS), title=title
            )

        reviewed = rng.sample(film_ids, min(counts["reviews"], len(film_ids)))
        reviewed += [rng.choice(film_ids) for _ in range(counts["reviews"] - len(reviewed))]
        titles = dict(Film.objects.filter(pk__in=reviewed).values_list("pk", "title"))

        def reviews():
            for n, film_id in enumerate(reviewed):
                status = rng.choice(statuses)
                when = None
                if status in (Review.Status.PUBLISHED, Review.Status.ARCHIVED):
                    when = now - datetime.timedelta(minutes=rng.randrange(1, 60 * 24 * 3650))
                elif status == Review.Status.SCHEDULED:
                    when = now + datetime.timedelta(minutes=rng.randrange(60, 60 * 24 * 60))
                intro = paragraph(titles[film_id])
                yield Review(
                    film_id=film_id,
                    author=rng.choice(authors),
                    slug=f"{PREFIX}review-{n}",
                    headline=f"{titles[film_id]}: a review of {rng.choice(WORDS)}",
                    dek=f"On {rng.choice(WORDS)}, {rng.choice(WORDS)} and the rest",
                    intro=intro,
                    intro_html=html(intro),
                    status=status,
                    published_at=when,
                    rating=Decimal(rng.randrange(1, 11)) / 2 if rng.random() < 0.9 else None,
                    verdict=f"A {rng.choice(WORDS)} of a film.",
                )

        self.bulk(Review, reviews(), len(reviewed), "reviews")
        review_rows = list(
            Review.objects.filter(slug__startswith=PREFIX)
            .order_by("pk")
            .values_list("pk", "film__title", "status")
        )

        def sections():
            for pk, title, _status in review_rows:
                for position in range(counts["sections"]):
                    body = "\n\n".join(paragraph(title) for _ in range(3))
                    heading = f"{rng.choice(WORDS).title()} and {rng.choice(WORDS).title()}"
                    yield Section(
                        review_id=pk,
                        heading=heading,
                        anchor=f"{position + 1}-{heading.lower().replace(' ', '-')}",
                        body=body,
                        body_html=html(body),
                        position=position,
                        is_spoiler=rng.random() < 0.05,
                    )

        self.bulk(Section, sections(), len(review_rows) * counts["sections"], "sections")

        public = [pk for pk, _t, s in review_rows if s == Review.Status.PUBLISHED]
        comment_statuses = (
            [Comment.Status.APPROVED] * 70
            + [Comment.Status.PENDING] * 15
            + [Comment.Status.REJECTED] * 5
            + [Comment.Status.SPAM] * 10
        )

        def comments():
            for n in range(counts["comments"]):
                name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                body = (
                    f"I thought the {rng.choice(WORDS)} scenes were "
                    f"{rng.choice(['superb', 'too long', 'moving', 'uneven'])}."
                )
                yield Comment(
                    review_id=rng.choice(public or [pk for pk, _t, _s in review_rows]),
                    name=name,
                    email=f"reader{n}@example.com",
                    body=body,
                    body_html=render_plain(body),  # bulk_create skips Comment.save()
                    status=rng.choice(comment_statuses),
                    submitted_at=now - datetime.timedelta(minutes=rng.randrange(1, 525_600)),
                    ip_address=f"10.{rng.randrange(256)}.{rng.randrange(256)}."
                    f"{rng.randrange(1, 255)}",
                    user_agent="Mozilla/5.0 (bench)",
                )

        self.bulk(Comment, comments(), counts["comments"], "comments")

        Review.objects.refresh_search_index()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh planner statistics for the benchmarks


def generate(**options) -> None:
    """Run the generator from Python (tests): `generate(scale=0.01, no_progress=True)`."""
    from django.core.management import call_command

    call_command(Command(), **options)


if __name__ == "__main__":
    Command().run_from_argv(["manage.py", "bench.data", *sys.argv[1:]])
