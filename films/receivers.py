"""What a change to the catalogue retires in the caches (pagecache.tags); connected in
FilmsConfig.ready.

`film:<id>` stands for everything shown about a film, its people, genres and collection
included, so renaming a person retires the films they are credited on: every page showing the
film (its page, review pages' film boxes, cards) goes, and nothing else.
"""

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from films.models import (
    AlternativeTitle,
    CastCredit,
    Collection,
    CrewCredit,
    Film,
    Genre,
    Keyword,
    Person,
)
from images.models import Image
from pagecache.tags import left, retire

LISTS = ("films-list", "sitemap", "search")


def _films(film_ids) -> list[str]:
    return [f"film:{pk}" for pk in set(film_ids)]


def film_changed(sender, instance, **kwargs):
    retire(f"film:{instance.pk}", *LISTS)


def library_image_changed(sender, instance, raw=False, **kwargs):
    """A library image shown as films' poster or backdrop, or people's photo (its file,
    renditions, alt text): their pages."""
    if raw:
        return
    films = Film.objects.filter(Q(poster=instance) | Q(backdrop=instance))
    if films := list(films.values_list("pk", flat=True)):
        retire(*_films(films), *LISTS)
    if people := list(instance.photo_of.values_list("pk", flat=True)):
        retire(*(f"person:{pk}" for pk in people))


def person_changed(sender, instance, **kwargs):
    films = [
        *CastCredit.objects.filter(person=instance).values_list("film_id", flat=True),
        *CrewCredit.objects.filter(person=instance).values_list("film_id", flat=True),
    ]
    retire(f"person:{instance.pk}", *_films(films), "sitemap", "search")


def credit_moving(sender, instance, update_fields=None, **kwargs):
    """A credit moved to another film or person leaves the old ones' pages."""
    if moved := left(instance, "film", "person", update_fields=update_fields):
        retire(*moved)


def credit_changed(sender, instance, **kwargs):
    retire(f"film:{instance.film_id}", f"person:{instance.person_id}")


def other_title_changed(sender, instance, **kwargs):
    # The film's page lists its other titles, and search finds the film by them.
    retire(f"film:{instance.film_id}", "search")


def keyword_changed(sender, instance, **kwargs):
    films = instance.films.values_list("pk", flat=True) if instance.pk else []
    retire(*_films(films), "search")


def film_keywords_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if reverse:  # keyword.films changed
        films = pk_set if action != "pre_clear" else instance.films.values_list("pk", flat=True)
    else:
        films = [instance.pk]
    retire(*_films(films or []), "search")


def genre_changed(sender, instance, **kwargs):
    # pre_delete, not post_delete: deleting a genre unlinks its films without a signal.
    films = instance.films.values_list("pk", flat=True) if instance.pk else []
    retire(f"genre:{instance.pk}", "genres", *_films(films), "sitemap")


def collection_changed(sender, instance, **kwargs):
    films = instance.films.values_list("pk", flat=True) if instance.pk else []
    retire(f"collection:{instance.pk}", *_films(films))


def film_genres_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if reverse:  # genre.films changed
        films = pk_set if action != "pre_clear" else instance.films.values_list("pk", flat=True)
        retire(f"genre:{instance.pk}", *_films(films))
    else:  # film.genres changed
        genres = pk_set if action != "pre_clear" else instance.genres.values_list("pk", flat=True)
        retire(f"film:{instance.pk}", *(f"genre:{pk}" for pk in genres))


def connect() -> None:
    for signal, sender, receiver in [
        (post_save, Film, film_changed),
        (post_delete, Film, film_changed),
        (post_save, Image, library_image_changed),
        (post_save, Person, person_changed),
        (pre_delete, Person, person_changed),
        (pre_save, CastCredit, credit_moving),
        (post_save, CastCredit, credit_changed),
        (post_delete, CastCredit, credit_changed),
        (pre_save, CrewCredit, credit_moving),
        (post_save, CrewCredit, credit_changed),
        (post_delete, CrewCredit, credit_changed),
        (post_save, Genre, genre_changed),
        (pre_delete, Genre, genre_changed),
        (post_save, Collection, collection_changed),
        (pre_delete, Collection, collection_changed),
        (m2m_changed, Film.genres.through, film_genres_changed),
        (post_save, AlternativeTitle, other_title_changed),
        (post_delete, AlternativeTitle, other_title_changed),
        (post_save, Keyword, keyword_changed),
        (pre_delete, Keyword, keyword_changed),
        (m2m_changed, Film.keywords.through, film_keywords_changed),
    ]:
        signal.connect(receiver, sender=sender, dispatch_uid=f"pagecache-{receiver.__name__}")
