from functools import partial
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from films.importers import import_film_from_tmdb, import_tmdb_film
from films.tmdb import TMDBClient, TMDBError, parse_tmdb_id
from films.tmdb_json import TMDBImportError, load_tmdb_file


class Command(BaseCommand):
    help = (
        "Import a film, its genres, collection, cast and crew, videos, releases, watch "
        "providers, alternative titles and keywords from TMDB: live with --tmdb-id (images "
        "too), or from a saved movie JSON file. Re-importing updates the film in place. "
        "All or nothing."
    )

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument(
            "file",
            type=Path,
            nargs="*",
            default=[],
            help="The TMDB movie as a JSON file (several files: each imported in turn).",
        )
        source.add_argument(
            "--tmdb-id",
            metavar="ID",
            help="Fetch the film from TMDB's API (needs TMDB_API_TOKEN); a TMDB URL works too.",
        )
        parser.add_argument(
            "--images",
            action="store_true",
            help="With a file: download its poster, backdrop and photos from TMDB_IMAGE_URL.",
        )

    def handle(self, *args, file: list[Path], tmdb_id: str | None, images: bool, **options):
        if tmdb_id is not None:
            number = parse_tmdb_id(tmdb_id)
            if number is None:
                raise CommandError(
                    f"{tmdb_id!r} is not a TMDB id (a number, or a themoviedb.org/movie/ URL)."
                )
            self._import(f"TMDB film {tmdb_id}", lambda: import_film_from_tmdb(number))
            return
        failed = []
        client = TMDBClient(token="") if images else None
        for path in file:
            try:
                self._import(str(path), partial(self._from_file, path, client))
            except CommandError as exc:
                if len(file) == 1:
                    raise
                failed.append(path)
                self.stderr.write(str(exc))
        if failed:
            raise CommandError(
                f"{len(failed)} of {len(file)} files were not imported: "
                f"{', '.join(map(str, failed))}; the others were."
            )

    @staticmethod
    def _from_file(path: Path, client):
        return import_tmdb_film(load_tmdb_file(path), client=client)

    def _import(self, source: str, run) -> None:
        """One film, all or nothing; what was done said on stdout."""
        try:
            result = run()
        except (TMDBImportError, TMDBError) as exc:
            said = str(exc).rstrip()
            ending = "" if said.endswith((".", "!", "?")) else "."
            raise CommandError(f"{source}: {said}{ending} Nothing was imported.") from exc
        film = result.film
        if not result.changed:
            self.stdout.write(f'Film "{film}" is already up to date.')
            return
        self.stdout.write(
            self.style.SUCCESS(
                f'{"Created" if result.created else "Updated"} film "{film}" '
                f"({film.cast_credits.count()} cast, {film.crew_credits.count()} crew) "
                f"→ {film.get_absolute_url()}"
            )
        )
