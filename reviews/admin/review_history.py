"""A review's history in the admin: every version, its pending version, compare and restore."""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from reversion.models import Version

from config.admin import own_url, own_urls
from reviews import clock, permissions, revisions
from reviews.models import Review

PENDING = "pending"  # stands for the pending version where a version id would go


class RevisionViews:
    """History, version, compare and restore views, mixed into ReviewAdmin."""

    def get_urls(self):
        opts = self.model._meta
        info = f"{opts.app_label}_{opts.model_name}"
        ours = own_urls(
            self,
            ("<path:object_id>/history/compare/", self.compare_view, "compare"),
            ("<path:object_id>/history/pending/", self.pending_view, "pending"),
            ("<path:object_id>/history/<int:version_id>/", self.version_view, "version"),
            ("<path:object_id>/history/<int:version_id>/restore/", self.restore_view, "restore"),
        )
        # reversion's own revert and recover views save the stored `version` back (and so
        # fail the edit lock) and bypass the editors-only rule: restores go through ours.
        theirs = [
            u
            for u in super().get_urls()
            if getattr(u, "name", None)
            not in {f"{info}_revision", f"{info}_recover", f"{info}_recoverlist"}
        ]
        return ours + theirs

    def _url(self, name, *args):
        return own_url(self, name, *args)

    def _get_visible(self, request, object_id) -> Review:
        """The review, if the user may see it in the admin at all (403/404 otherwise)."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied("You may not see reviews.")
        try:
            pk = int(unquote(object_id))
        except ValueError:
            pk = None
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def history_view(self, request, object_id, extra_context=None):
        review = self._get_visible(request, object_id)
        context = self._revision_context(
            request,
            review,
            f"History: {review}",
            object=review,
            versions=revisions.versions_for(review),
            pending=review.pending,
            pending_url=self._url("pending", review.pk),
            compare_url=self._url("compare", review.pk),
        )
        context.update(extra_context or {})
        return TemplateResponse(request, self.object_history_template, context)

    def _version(self, review, version_id) -> Version:
        return get_object_or_404(
            Version.objects.get_for_object(review).select_related("revision__user"),
            pk=version_id,
        )

    def _snapshot(self, review, version_id) -> revisions.Snapshot:
        if version_id == PENDING:
            pending = review.pending
            if pending is None:
                raise ValidationError("This review has no pending changes any more.")
            return revisions.pending_snapshot(pending)
        return revisions.snapshot(self._version(review, int(version_id)))

    def _revision_context(self, request, review, title, **extra):
        request.current_app = self.admin_site.name
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": None,
            "opts": self.model._meta,
            "original": review,
            "history_url": self._url("history", review.pk),
            "time_zone": clock.zone_name(),
            "may_restore": permissions.may_restore(request.user),
            **extra,
        }

    def version_view(self, request, object_id, version_id):
        review = self._get_visible(request, object_id)
        version = self._version(review, version_id)
        context = self._revision_context(
            request,
            review,
            f"Version of {review}",
            version=version,
            snapshot=revisions.snapshot(version),
            restore_url=self._url("restore", review.pk, version.pk),
        )
        return TemplateResponse(request, "admin/reviews/review/version.html", context)

    def pending_view(self, request, object_id):
        review = self._get_visible(request, object_id)
        if review.pending is None:
            messages.info(request, "This review has no pending changes.")
            return HttpResponseRedirect(self._url("history", review.pk))
        context = self._revision_context(
            request,
            review,
            f"Pending changes to {review}",
            snapshot=revisions.pending_snapshot(review.pending),
            pending=review.pending,
        )
        return TemplateResponse(request, "admin/reviews/review/version.html", context)

    def compare_view(self, request, object_id):
        review = self._get_visible(request, object_id)
        old_id, new_id = request.GET.get("old", ""), request.GET.get("new", "")
        if not all(v == PENDING or v.isdigit() for v in (old_id, new_id)):
            messages.error(request, "Pick two versions to compare.")
            return HttpResponseRedirect(self._url("history", review.pk))
        try:
            old, new = self._snapshot(review, old_id), self._snapshot(review, new_id)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(self._url("history", review.pk))
        if old.when > new.when:
            old, new = new, old
        context = self._revision_context(
            request,
            review,
            f"Compare versions of {review}",
            old=old,
            new=new,
            comparison=revisions.compare(old, new),
        )
        return TemplateResponse(request, "admin/reviews/review/compare.html", context)

    def restore_view(self, request, object_id, version_id):
        review = self._get_visible(request, object_id)
        if request.method != "POST":
            return HttpResponseRedirect(self._url("version", review.pk, version_id))
        version = self._version(review, version_id)
        try:
            restored_as_pending = revisions.restore(review, version, by=request.user)
        except (PermissionDenied, ValidationError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return HttpResponseRedirect(self._url("version", review.pk, version.pk))
        when = clock.local(version.revision.date_created)
        if restored_as_pending:
            messages.success(
                request,
                f"Restored the version of {when} as this "
                "live review's pending version: readers see it once the changes are published.",
            )
        else:
            messages.success(
                request,
                f"Restored the version of {when} as a new revision.",
            )
        return HttpResponseRedirect(self._url("change", review.pk))
