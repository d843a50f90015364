"""Rebuild the search index: every review's entry, films, people and the vocabulary.

Saving through the models keeps the index current; run this after writes that skip save()
(bulk inserts, `loaddata`, SQL), or to drop words no longer used from the vocabulary.
"""

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, transaction

from reviews.search import index


class Command(BaseCommand):
    help = "Rebuild the search index (reviews, films, people, the spelling vocabulary)."

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, database, **options):
        with transaction.atomic(using=database):
            counts = index.rebuild(using=database)
        self.stdout.write(
            f"Indexed {counts['reviews']} reviews, {counts['films']} films and "
            f"{counts['people']} people."
        )
