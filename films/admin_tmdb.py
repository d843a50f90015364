"""The film admin's TMDB side: *Add from TMDB*, the record of editors' own edits, and TMDB's
proposed changes to accept field by field. Mixed into FilmAdmin (films/admin.py).
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from config.admin import ReadOnlyAdmin, own_urls
from config.times import stamp
from films.models import CastCredit, CrewCredit, Film, TMDBImport, TMDBSyncRun
from films.tmdb import (
    HOW_TO_CONFIGURE,
    SearchResult,
    TMDBClient,
    TMDBError,
    TMDBNotFound,
    parse_tmdb_id,
)
from films.tmdb_sync import accept, mark_edited
from films.tmdb_tasks import queue_import
from films.tmdb_write import (
    CREDIT_FIELDS,
    HELD_FIELDS,
    credit_lines,
    credits_now,
)

TMDB_MOVIE = "https://www.themoviedb.org/movie/{}"
REFRESH_SECONDS = 2  # how often the waiting page of an import looks again
STALLED_AFTER = 30  # seconds an import may wait for the worker before the page says so
SLOW_AFTER = 300  # seconds an import may run before the page suggests it may have failed


class TMDBFilmAdminMixin:
    change_list_template = "admin/films/film/change_list.html"

    def get_urls(self):
        return [
            *own_urls(
                self,
                ("add-from-tmdb/", self.add_from_tmdb_view, "add_from_tmdb"),
                ("add-from-tmdb/<uuid:job_id>/", self.tmdb_import_view, "tmdb_import"),
                ("<path:object_id>/tmdb-changes/", self.tmdb_changes_view, "tmdb_changes"),
            ),
            *super().get_urls(),
        ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and obj.tmdb_id:
            fieldsets.append(("TMDB", {"fields": ("tmdb_status",)}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "tmdb_status")

    def save_model(self, request, obj, form, change):
        if change:
            mark_edited(obj, form.changed_data)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        """An editor's change to the cast or crew inlines holds that list against TMDB."""
        if change:
            kinds = dict(zip((CastCredit, CrewCredit), CREDIT_FIELDS, strict=True))
            edited = [
                kinds[formset.model]
                for formset in formsets
                if formset.model in kinds and formset.has_changed()
            ]
            if mark_edited(form.instance, edited):
                form.instance.save(update_fields=["edited_fields"])
        super().save_related(request, form, formsets, change)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_add_from_tmdb": self.has_add_permission(request),
        }
        return super().changelist_view(request, extra_context)

    @staticmethod
    def _label(name: str) -> str:
        if name in CREDIT_FIELDS:
            return name.capitalize()
        return str(Film._meta.get_field(name).verbose_name).capitalize()

    @admin.display(description="TMDB")
    def tmdb_status(self, film):
        fetched = film.tmdb_fetched_at
        parts = [
            format_html(
                '<p>TMDB id <a href="{}" rel="noopener">{}</a>; {}.</p>',
                TMDB_MOVIE.format(film.tmdb_id),
                film.tmdb_id,
                f"last fetched {stamp(fetched)}" if fetched else "not fetched live yet",
            )
        ]
        if film.edited_fields:
            parts.append(
                format_html(
                    "<p>Edited here (TMDB leaves these alone): {}.</p>",
                    ", ".join(self._label(name) for name in film.edited_fields),
                )
            )
        url = reverse("admin:films_film_tmdb_changes", args=[film.pk])
        if film.tmdb_proposed:
            parts.append(
                format_html(
                    '<p><a class="button" href="{}">Review {} change{} proposed by TMDB</a></p>',
                    url,
                    len(film.tmdb_proposed),
                    "" if len(film.tmdb_proposed) == 1 else "s",
                )
            )
        elif film.edited_fields:
            parts.append(format_html('<p><a href="{}">Hand fields back to TMDB…</a></p>', url))
        return format_html_join("", "{}", ((part,) for part in parts))

    # Add from TMDB ------------------------------------------------------------------------

    def add_from_tmdb_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        client = TMDBClient()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Add a film from TMDB",
            "configured": client.configured,
            "how_to_configure": HOW_TO_CONFIGURE,
            "query": request.GET.get("q", "").strip()[:200],
            "year": request.GET.get("year", "").strip()[:4],
        }
        if request.method == "POST" and client.configured:
            tmdb_id = parse_tmdb_id(request.POST.get("tmdb_id", ""))
            if tmdb_id is None:
                context["error"] = "That is not a TMDB id or a themoviedb.org film address."
            else:
                job = queue_import(
                    tmdb_id, title=request.POST.get("title", "").strip(), by=request.user
                )
                return HttpResponseRedirect(reverse("admin:films_film_tmdb_import", args=[job.pk]))
        elif context["query"] and client.configured:
            try:
                context["results"] = self._find_on_tmdb(client, context["query"], context["year"])
            except TMDBError as exc:
                context["error"] = str(exc)
            known = dict(
                Film.objects.filter(
                    tmdb_id__in=[r.tmdb_id for r in context.get("results", [])]
                ).values_list("tmdb_id", "pk")
            )
            for result in context.get("results", []):
                result.film_pk = known.get(result.tmdb_id)
                result.tmdb_url = TMDB_MOVIE.format(result.tmdb_id)
        return TemplateResponse(request, "admin/films/film/add_from_tmdb.html", context)

    def tmdb_import_view(self, request, job_id):
        """How an import from TMDB goes: a page that refreshes itself while the worker is at
        it, the film's change page once it is done, or why it failed (nothing written)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        job = get_object_or_404(TMDBImport.objects.select_related("film"), pk=job_id)
        if job.status == TMDBImport.Status.DONE and job.film:
            film = job.film
            verb = "Added" if job.created else "Updated" if job.changed else "Already up to date:"
            self.message_user(
                request,
                format_html(
                    "{} “{}” from TMDB, with {} cast and {} crew.",
                    verb,
                    film,
                    film.cast_credits.count(),
                    film.crew_credits.count(),
                ),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:films_film_change", args=[film.pk]))
        waited = (timezone.now() - job.requested_at).total_seconds()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "job": job,
            "title": (
                f"Importing {job.title or f'TMDB film {job.tmdb_id}'} from TMDB"
                if not job.finished
                else "The import from TMDB failed"
            ),
            "refresh_seconds": REFRESH_SECONDS if not job.finished else None,
            "stalled": job.status == TMDBImport.Status.QUEUED and waited > STALLED_AFTER,
            "slow": job.status == TMDBImport.Status.RUNNING and waited > SLOW_AFTER,
            "tmdb_url": TMDB_MOVIE.format(job.tmdb_id),
        }
        if job.status == TMDBImport.Status.DONE:  # the film was deleted since
            context["job_error"] = "The film this import added has been deleted since."
        else:
            context["job_error"] = job.error
        return TemplateResponse(request, "admin/films/film/tmdb_import.html", context)

    @staticmethod
    def _find_on_tmdb(client: TMDBClient, query: str, year: str) -> list:
        """A pasted address or id: that film. A number may be a title too ("1917"), so a bare
        number is also searched for; words are searched for by title (and year)."""
        tmdb_id = parse_tmdb_id(query)
        results = []
        if tmdb_id is not None:
            try:
                results.append(_result_from_movie(client.movie(tmdb_id)))
            except TMDBNotFound:
                if not query.strip().isdigit():
                    raise
        if tmdb_id is None or query.strip().isdigit():
            found = client.search(query, year=int(year) if year.isdigit() else None)
            results += [r for r in found if r.tmdb_id != tmdb_id]
        return results

    # TMDB's proposed changes ----------------------------------------------------------------

    def tmdb_changes_view(self, request, object_id):
        film = self.get_object(request, unquote(object_id))  # None for an id that is no id
        if film is None:
            raise Http404("No such film.")
        if not self.has_change_permission(request, film):
            raise PermissionDenied
        if request.method == "POST":
            chosen = [name for name in request.POST.getlist("accept") if name in HELD_FIELDS]
            if not chosen:
                self.message_user(request, "Tick the fields to take from TMDB.", messages.WARNING)
            else:
                try:
                    waiting = accept(film, chosen, by=request.user)
                except ValidationError as exc:
                    self.message_user(
                        request,
                        "TMDB's value cannot be taken: " + " ".join(exc.messages),
                        messages.ERROR,
                    )
                    return HttpResponseRedirect(request.path)
                names = ", ".join(self._label(name) for name in chosen)
                self.message_user(request, f"TMDB manages these again: {names}.", messages.SUCCESS)
                if waiting:
                    self.message_user(
                        request,
                        "TMDB could not be reached for "
                        + ", ".join(self._label(name) for name in waiting)
                        + "; the next sync brings them.",
                        messages.WARNING,
                    )
                return HttpResponseRedirect(reverse("admin:films_film_change", args=[film.pk]))
        rows = [self._change_row(film, name) for name in film.edited_fields]
        # An uploaded image TMDB has another of is proposed without being an edit.
        rows += [
            self._change_row(film, name)
            for name in film.tmdb_proposed
            if name not in film.edited_fields
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": film,
            "title": f"TMDB's changes to {film}",
            "rows": rows,
        }
        return TemplateResponse(request, "admin/films/film/tmdb_changes.html", context)

    def _change_row(self, film: Film, name: str) -> dict:
        """One field of the proposed changes page: its value here and TMDB's, as text (or, for
        cast and crew, as lines: who plays whom, who did which job)."""
        row = {"name": name, "label": self._label(name), "has_proposal": name in film.tmdb_proposed}
        proposed = film.tmdb_proposed.get(name)
        if name in CREDIT_FIELDS:
            here, tmdb = (
                credit_lines(name, credits_now(film, name)),
                credit_lines(name, proposed or []),
            )
            if name == "crew":
                here, tmdb = sorted(here), sorted(tmdb)
            row["lines"] = True
            row["current"] = [{"text": line, "changed": line not in tmdb} for line in here]
            row["proposed"] = [{"text": line, "changed": line not in here} for line in tmdb]
            return row
        current = getattr(film, name, "")
        if name == "genres":
            current = ", ".join(film.genres.values_list("name", flat=True))
        elif name in ("poster", "backdrop"):  # library images
            current = current.file.name if current else ""
        if isinstance(proposed, list):
            proposed = ", ".join(map(str, proposed))
        row.update(current=current, proposed=proposed)
        return row


def _result_from_movie(data: dict) -> SearchResult:
    date = data.get("release_date") or ""
    return SearchResult(
        tmdb_id=data["id"] if isinstance(data.get("id"), int) else 0,
        title=str(data.get("title") or ""),
        original_title=str(data.get("original_title") or ""),
        year=int(date[:4]) if date[:4].isdigit() else None,
        overview=str(data.get("overview") or ""),
        poster_url="",
    )


@admin.register(TMDBSyncRun)
class TMDBSyncRunAdmin(ReadOnlyAdmin):
    """What each sync asked TMDB and did: read only (runs are made by `sync_tmdb`)."""

    list_display = ("started_at", "since", "until", "listed", "updated", "failed", "error")

    @admin.display(description="failed")
    def failed(self, run):
        return len(run.failures)

    def has_view_permission(self, request, obj=None):
        # Whoever may edit films may see how their sync went (no permission of its own).
        return request.user.has_perm("films.change_film")

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False
