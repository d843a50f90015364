from django.core.management.base import BaseCommand

from films.uploads import announce_stripped, strip_stored, stripped_fields


class Command(BaseCommand):
    help = (
        "Rewrite the images stored before uploads were stripped (library images, posters, "
        "social images, critics' portraits, providers' logos) without the metadata a new upload "
        "loses: a phone's GPS position and camera, XMP, IPTC, comments. Each file keeps its "
        "address; a file already clean is left byte for byte. Run it once after upgrading."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List the files that hold metadata, change none."
        )

    def handle(self, *args, dry_run: bool, **options):
        checked = found = 0
        rewritten = []
        for model, field in stripped_fields():
            for instance in model._default_manager.exclude(**{field.name: ""}).iterator():
                file = getattr(instance, field.attname)
                checked += 1
                if strip_stored(file, dry_run=dry_run):
                    found += 1
                    self.stdout.write(f"  {file.name}")
                    if not dry_run:
                        rewritten.append((instance, field))
        # The pages showing them say the old size until retired, as after any other change.
        announce_stripped(rewritten)
        verb = "hold" if dry_run else "rewritten without"
        self.stdout.write(f"{found} of {checked} stored images {verb} metadata.")
        if found and not dry_run:
            self.stdout.write(
                "A front cache or CDN that keeps /media/ still has the old copies: purge those "
                "addresses."
            )
