from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from films.importers import TMDBImportError, import_tmdb_film, load_tmdb_file


class Command(BaseCommand):
    help = (
        "Import a film, its genres, collection, cast and crew from TMDB's movie JSON "
        "(append_to_response=credits). Re-importing updates the film in place. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The TMDB movie as a JSON file.")

    def handle(self, *args, file: Path, **options):
        try:
            result = import_tmdb_film(load_tmdb_file(file))
        except TMDBImportError as exc:
            raise CommandError(f"{file}: {exc}") from exc
        film = result.film
        if not result.changed:
            self.stdout.write(f'Film "{film}" is already up to date.')
            return
        self.stdout.write(self.style.SUCCESS(
            f'{"Created" if result.created else "Updated"} film "{film}" '
            f"({film.cast_credits.count()} cast, {film.crew_credits.count()} crew) "
            f"→ {film.get_absolute_url()}"
        ))
