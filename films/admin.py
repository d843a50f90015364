"""The catalogue in the admin: films with their cast and crew, people, genres and collections."""

from functools import wraps

from django.contrib import admin
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.fields.files import ImageFieldFile
from django.db.models.functions import Coalesce
from django.http import HttpResponseNotAllowed, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from config.admin import QueryInitial, StaleCheckedAdmin, own_url, own_urls
from config.errors import admin_refusal
from films.admin_tmdb import TMDBFilmAdminMixin
from films.models import CastCredit, Collection, CrewCredit, Film, Genre, Person, unique_slug
from films.validators import size_cap_attrs, validate_image_file

SLUG_HELP = "Leave empty to make one from the name; it is the page's address."


def credit_counts(fk: str) -> dict:
    """The `cast_count` and `crew_count` annotations: correlated COUNTs of the credits whose
    `fk` is the outer row.

    Subqueries rather than Count() over joins: counting two reverse relations through joins
    multiplies the rows (cast by crew) before counting.
    """
    counts = {}
    for name, model in (("cast_count", CastCredit), ("crew_count", CrewCredit)):
        rows = (
            model.objects.filter(**{fk: OuterRef("pk")})
            .order_by()
            .values(fk)
            .annotate(n=Count("pk"))
            .values("n")
        )
        counts[name] = Coalesce(Subquery(rows, output_field=IntegerField()), 0)
    return counts


def image_tag(
    image: ImageFieldFile, width: int | None, height: int | None, *, box: int, alt: str = ""
):
    """An <img> of an uploaded image scaled to fit a `box`-pixel square, or None."""
    if not image:
        return None
    if width and height:
        scale = min(box / width, box / height, 1)
        width, height = max(round(width * scale), 1), max(round(height * scale), 1)
        return format_html(
            '<img src="{}" alt="{}" width="{}" height="{}" loading="lazy">',
            image.url,
            alt,
            width,
            height,
        )
    return format_html('<img src="{}" alt="{}" width="{}" loading="lazy">', image.url, alt, box)


def library_choice(image, none: str):
    """A library image chosen in a form (a poster, a photo) with its alt text and credit,
    linked to its page in the library where they are edited; `none` without one."""
    if image is None or not image.file:
        return none
    return format_html(
        '<div class="hero-choice">{}<p>{}{}<br><a href="{}">Edit its alt text and credit in '
        "the library</a></p></div>",
        image_tag(image.file, image.width, image.height, box=300, alt=image.alt_text),
        format_html("Alt text: “{}”", image.alt) if not image.decorative else "Decorative",
        format_html(" · Credit: {}", image.credit) if image.credit else "",
        reverse("admin:images_image_change", args=[image.pk]),
    )


def forbidden_page(admin_site, request, error: PermissionDenied):
    """A 403 inside the admin, as an admin page: its header, what was refused, a way back."""
    referer = request.headers.get("Referer", "")
    back = (
        referer
        if url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        else ""
    )
    request.current_app = admin_site.name
    return TemplateResponse(
        request,
        "admin/403.html",
        {
            **admin_site.each_context(request),
            "title": "You may not do this",
            "subtitle": None,
            "reason": str(error)
            or admin_refusal(request)
            or "Your account does not have the right to open this page.",
            "back": back,
        },
        status=403,
    )


class ForbiddenAsAdminPage:
    """Answer a PermissionDenied in any of this admin's views with an admin page (admin/403.html)
    rather than the site's bare 403."""

    def get_urls(self):
        patterns = super().get_urls()
        for pattern in patterns:
            pattern.callback = self._forbidden_as_page(pattern.callback)
        return patterns

    def _forbidden_as_page(self, view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except PermissionDenied as error:
                if not (request.user.is_active and request.user.is_staff):
                    raise
                return forbidden_page(self.admin_site, request, error)

        return wrapper


class CheckedImageMixin:
    """Check an uploaded image on the form field, before it reaches the object.

    A refused upload then never replaces the object's image in the re-shown form: its preview
    and "Currently:" link keep showing the stored image (or "No poster yet"), not a file that
    was never saved.
    """

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(db_field, models.ImageField) and field is not None:
            field.validators.append(validate_image_file)
            # The admin groups a file input under a <legend>, which names the group, not the
            # input: name it too, for screen readers (axe: "label").
            field.widget.attrs.setdefault("aria-label", str(db_field.verbose_name).capitalize())
            field.widget.attrs.update(size_cap_attrs())  # refused before the form is sent
        return field


class LibraryChoiceViews:
    """What the change form shows, before the save, when a library image is chosen for one of
    the `raw_id_fields` (the magnifier's popup, or a typed id): Django's name for it beside the id
    box, and its "as shown" preview drawn by the field's `<field>_preview`, as after the save.

    Django's popup hands back only the id, and leaves the old name beside the box;
    marquee-admin/js/library-choice.js asks this view for both when the id changes.
    """

    def get_urls(self):
        return [
            *own_urls(
                self,
                ("library-choice/<str:field>/", self.library_choice_view, "library_choice"),
            ),
            *super().get_urls(),
        ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in self.raw_id_fields and field is not None:
            field.widget.attrs["data-library-choice"] = own_url(
                self, "library_choice", db_field.name
            )
        return field

    def library_choice_view(self, request, field: str) -> JsonResponse:
        """The chosen image's label, link and preview: POST only, CSRF-checked (admin_view)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if field not in self.raw_id_fields or not (
            self.has_add_permission(request) or self.has_change_permission(request)
        ):
            raise PermissionDenied
        db_field = self.model._meta.get_field(field)
        value = request.POST.get("image", "").strip()
        # The label and link Django's widget shows after the save, made by the same method.
        widget = ForeignKeyRawIdWidget(db_field.remote_field, self.admin_site)
        label, url = widget.label_and_url_for_value(value) if value.isdigit() else ("", "")
        if not label:
            return JsonResponse({"label": ""}, status=404)
        unsaved = self.model(**{db_field.attname: int(value)})  # only the preview reads it
        preview = self.library_choice_preview(request, field, unsaved)
        return JsonResponse({"label": label, "url": url, "preview": str(preview)})

    def library_choice_preview(self, request, field: str, obj):
        """The "as shown" display of `field` on `obj`: its `<field>_preview`."""
        return getattr(self, f"{field}_preview")(obj)


class OptionalSlugMixin:
    """Let an editor leave the slug empty: the model's save() makes a unique one. On a new
    object a slug another row has (the page fills it in from the name or headline as one types)
    becomes the next free one, -2, -3…, as an empty one would, instead of a refusal."""

    slug_help_text = SLUG_HELP

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "slug" and field is not None:
            field.required = False
            field.help_text = self.slug_help_text
        return field

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if change:
            return form

        class NewObjectForm(form):
            def clean_slug(self):
                slug = self.cleaned_data["slug"]
                if slug:
                    length = self.fields["slug"].max_length
                    slug = unique_slug(self.instance, slug, max_length=length)
                return slug

        return NewObjectForm


@admin.register(Genre, Collection)
class FilmGroupAdmin(QueryInitial, OptionalSlugMixin, admin.ModelAdmin):
    """Genres and collections: named groups of films."""

    list_display = ("name", "slug", "film_count", "tmdb_id")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(film_count=Count("films"))

    @admin.display(description="films", ordering="film_count")
    def film_count(self, group):
        return group.film_count


class CastCreditInline(admin.TabularInline):
    model = CastCredit
    fields = ("order", "person", "character")
    autocomplete_fields = ("person",)
    ordering = ("order", "id")
    extra = 0
    verbose_name = "cast credit"
    verbose_name_plural = "cast, in billing order"


class CrewCreditInline(admin.TabularInline):
    model = CrewCredit
    fields = ("department", "job", "person")
    autocomplete_fields = ("person",)
    ordering = ("department", "job", "id")
    extra = 0
    verbose_name = "crew credit"
    verbose_name_plural = "crew, by department and job"


@admin.register(Film)
class FilmAdmin(
    QueryInitial,
    StaleCheckedAdmin,
    ForbiddenAsAdminPage,
    TMDBFilmAdminMixin,
    LibraryChoiceViews,
    CheckedImageMixin,
    OptionalSlugMixin,
    admin.ModelAdmin,
):
    list_display = ("title", "year", "collection", "poster_thumbnail", "cast_count", "crew_count")
    list_select_related = ("collection", "poster")
    list_filter = (
        "year",
        "genres",
        ("collection", admin.RelatedOnlyFieldListFilter),
        "original_language",
    )
    search_fields = ("title", "original_title", "=imdb_id", "tmdb_id__exact")
    search_help_text = "Title, original title, IMDb id (tt…) or TMDB id."
    autocomplete_fields = ("collection", "genres")
    # The library's list opens in a popup (the magnifier), where a poster is chosen or uploaded.
    raw_id_fields = ("poster", "backdrop")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("year", "poster_preview", "backdrop_preview", "created_at", "updated_at")

    class Media:
        # The name beside the id box and "as shown" follow the chosen image (library-choice.js,
        # which posts with csrf.js).
        js = ("marquee-admin/js/csrf.js", "marquee-admin/js/library-choice.js")

    fieldsets = (
        (None, {"fields": ("title", "slug", "original_title", "tagline")}),
        (
            "Release",
            {
                "fields": (
                    "release_date",
                    "year",
                    "runtime",
                    "certification",
                    "original_language",
                )
            },
        ),
        ("Catalogue", {"fields": ("genres", "collection", "synopsis")}),
        (
            "Poster",
            {
                "fields": ("poster", "poster_preview"),
                "description": "From the image library. Its alt text and credit are the "
                "library's: edit them there, once, for every page that shows it.",
            },
        ),
        ("Backdrop", {"fields": ("backdrop", "backdrop_preview"), "classes": ("collapse",)}),
        ("External ids", {"fields": ("tmdb_id", "imdb_id", "wikidata_id")}),
        ("Record", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    inlines = (CastCreditInline, CrewCreditInline)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(**credit_counts("film"))

    @admin.display(description="poster")
    def poster_thumbnail(self, film):
        poster = film.poster
        return poster and image_tag(poster.file, poster.width, poster.height, box=60)

    @admin.display(description="as shown")
    def poster_preview(self, film):
        return library_choice(film and film.poster, "No poster yet.")

    @admin.display(description="as shown")
    def backdrop_preview(self, film):
        return library_choice(film and film.backdrop, "No backdrop yet.")

    @admin.display(description="cast", ordering="cast_count")
    def cast_count(self, film):
        return film.cast_count

    @admin.display(description="crew", ordering="crew_count")
    def crew_count(self, film):
        return film.crew_count


class PersonCastCreditInline(admin.TabularInline):
    model = CastCredit
    fk_name = "person"
    fields = ("film", "character", "order")
    autocomplete_fields = ("film",)
    ordering = ("-film__release_date", "film__title", "order")
    extra = 0
    verbose_name = "cast credit"
    verbose_name_plural = "cast credits"


class PersonCrewCreditInline(admin.TabularInline):
    model = CrewCredit
    fk_name = "person"
    fields = ("film", "department", "job")
    autocomplete_fields = ("film",)
    ordering = ("-film__release_date", "film__title", "department", "job")
    extra = 0
    verbose_name = "crew credit"
    verbose_name_plural = "crew credits"


@admin.register(Person)
class PersonAdmin(
    QueryInitial,
    StaleCheckedAdmin,
    ForbiddenAsAdminPage,
    LibraryChoiceViews,
    CheckedImageMixin,
    OptionalSlugMixin,
    admin.ModelAdmin,
):
    list_display = ("name", "photo_thumbnail", "birth_date", "cast_count", "crew_count")
    list_select_related = ("photo",)
    # The library's list opens in a popup (the magnifier), where a photo is chosen or uploaded.
    raw_id_fields = ("photo",)
    search_fields = ("name", "=imdb_id", "tmdb_id__exact")
    search_help_text = "Name, IMDb id (nm…) or TMDB id."
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("photo_preview", "created_at", "updated_at")

    class Media:
        # The name beside the id box and "as shown" follow the chosen image (library-choice.js,
        # which posts with csrf.js).
        js = ("marquee-admin/js/csrf.js", "marquee-admin/js/library-choice.js")

    fieldsets = (
        (None, {"fields": ("name", "slug", "birth_date", "death_date", "place_of_birth")}),
        ("Biography", {"fields": ("biography",)}),
        ("Photo", {"fields": ("photo", "photo_preview")}),
        ("External ids", {"fields": ("tmdb_id", "imdb_id")}),
        ("Record", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    inlines = (PersonCastCreditInline, PersonCrewCreditInline)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(**credit_counts("person"))

    @admin.display(description="photo")
    def photo_thumbnail(self, person):
        photo = person.photo
        return photo and image_tag(photo.file, photo.width, photo.height, box=60)

    @admin.display(description="as shown")
    def photo_preview(self, person):
        return library_choice(person and person.photo, "No photo yet.")

    @admin.display(description="cast credits", ordering="cast_count")
    def cast_count(self, person):
        return person.cast_count

    @admin.display(description="crew credits", ordering="crew_count")
    def crew_count(self, person):
        return person.crew_count
