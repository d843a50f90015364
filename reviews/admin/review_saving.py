"""Saving a review from its admin form: the pending version is what the form edits and what a
save of a live review writes, and no one's edits are lost.

Saving a live review keeps the edit as its pending version (reviews/pending.py): the rows the
public pages read are left alone until an editor presses *Publish changes*; only its comments
switch is applied at once (Review.set_comments_enabled). Every save checks the version the form
was loaded at (StaleEditError), and a workflow button on the form saves first, then takes its
step.
"""

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponseRedirect

from reviews import clock
from reviews import pending as pending_versions
from reviews.admin.review_forms import SectionInline, new_pending_sections, posted_sections
from reviews.admin.review_workflow import step_label
from reviews.admin.taxonomy import take_tags
from reviews.models import StaleEditError
from reviews.search import index as search_index


class PendingVersionSaving:
    """ReviewAdmin's form loading and save hooks (a mixin, first among its bases)."""

    def save_form(self, request, form, change):
        take_tags(form, request.user)
        obj = super().save_form(request, form, change)
        if "comments_enabled" in form.cleaned_data and not form.comments_switched():
            # The box left as the page showed it: the switch stays as it is now (a colleague
            # may have flipped it since), also where the review is saved in place.
            obj.comments_enabled = form.initial.get("comments_enabled", obj.comments_enabled)
        obj.typed_expiry = (
            form.cleaned_data.get("unpublish_at") if ("unpublish_at" in form.changed_data) else None
        )
        obj.expiry_changed = "unpublish_at" in form.changed_data
        return obj

    def _save_expiry(self, request, review) -> None:
        """The unpublish time typed in the form, written at once (Review.set_expiry)."""
        if getattr(review, "expiry_changed", False):
            review.set_expiry(review.typed_expiry, by=request.user)

    def _switch_comments(self, request, review) -> None:
        """A live review's comments opened or closed in the form, applied to it at once
        (Review.set_comments_enabled): a moderation switch, not content for the pending
        version."""
        review.set_comments_enabled(review.comments_enabled, by=request.user)
        messages.success(
            request,
            "Comments are open: readers can comment on this review again."
            if review.comments_enabled
            else "Comments are closed: readers can no longer comment on this review.",
        )

    # The pending version is what the form edits ----------------------------------------------

    def get_object(self, request, object_id, from_field=None):
        review = super().get_object(request, object_id, from_field)
        if review is not None and (pending := review.pending) is not None:
            pending.apply_fields(review)
            review.pending_sections = pending.section_objects(review)
        return review

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if request.method == "GET" and obj is not None and isinstance(inline, SectionInline):
            # A pending version's new sections, not yet rows: extra forms filled in. Only on
            # GET: a posted form compared with these would count as unchanged and be dropped.
            kwargs["initial"] = [
                {name: getattr(section, name) for name in pending_versions.SECTION_FIELDS}
                for section in new_pending_sections(obj)
            ]
        return kwargs

    # Saving without losing anyone's edits -----------------------------------------------------

    def save_model(self, request, obj, form, change):
        if change:
            # The model's atomic version check compares against what this form was loaded at.
            obj.version = form.cleaned_data["base_version"]
            # Gone live or expired by its times, unrecorded: recorded first, so the save acts on
            # the review as readers see it (an expired one is a draft, saved in place; a due
            # one is live, its edit kept pending) and the trail reads in time order.
            clock.catch_up(obj)
            return  # saved with its sections in save_related(): in place, or as pending
        obj.last_edited_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        review = form.instance
        self._save_expiry(request, review)
        if not change:
            # The new review is saved: the add page's kept draft is spent.
            pending_versions.Autosave.objects.filter(user=request.user, review=None).delete()
            return super().save_related(request, form, formsets, change)
        # Saved (in place or as pending): the autosaved draft of this form is spent.
        pending_versions.Autosave.objects.filter(user=request.user, review=review).delete()
        # The unpublish time is saved on its own (above), and so is a live review's comments
        # switch (below): alone, they make no pending version.
        switched = form.comments_switched()
        changed = (
            bool(set(form.changed_data) - {"unpublish_at", "comments_enabled"})
            or (switched and not review.is_public)
            or any(formset.has_changed() for formset in formsets)
        )
        if review.is_public:
            for formset in formsets:
                formset.save(commit=False)  # nothing written; the change message reads them
            if changed:
                upload = form.cleaned_data.get("social_image")
                if isinstance(upload, UploadedFile):
                    review.social_image.save(upload.name, upload, save=False)
                pending_versions.save_pending(
                    review, posted_sections(formsets), request.user, review.version
                )
                if not request.POST.get("_workflow"):  # a step says what became of them
                    other = "other " if switched else ""
                    messages.info(
                        request,
                        f"This review is live: your {other}changes are kept as its pending "
                        "version. Readers see the live version until an editor publishes the "
                        "changes.",
                    )
            if switched:  # after save_pending(), which may refuse a stale form
                self._switch_comments(request, review)
            return None
        if not changed and request.POST.get("_workflow") and review.pending is None:
            for formset in formsets:
                formset.save(commit=False)
            return None  # a workflow button with nothing to save: no empty revision
        # Saved even unchanged when a pending version is left from when the review was live
        # (unpublished, expired): the form showed it, and the step must take what it showed.
        review.last_edited_by = request.user
        review.save()
        # The form showed the pending version (the review has since left the live states):
        # this save took it in.
        pending_versions.PendingChange.objects.filter(review=review).delete()
        return super().save_related(request, form, formsets, change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            # One search index rebuild for the review and all its sections, not one each.
            with search_index.batch():
                response = super().changeform_view(request, object_id, form_url, extra_context)
        except StaleEditError:
            # Someone saved between our form's check and our save; the transaction rolled back.
            # Showing the form again runs the check again, which now reports who and when,
            # and keeps everything that was typed.
            return super().changeform_view(request, object_id, form_url, extra_context)
        action = request.POST.get("_workflow") if request.method == "POST" else None
        if action and object_id and isinstance(response, HttpResponseRedirect):
            # The form was valid and saved (or unchanged): now take the step it was sent with.
            return self.take_step(request, object_id, action)
        if label := action and step_label(action):
            # The form is shown again with its errors: say that the button did nothing yet.
            messages.warning(
                request,
                f"“{label}” was not done, and nothing was saved: correct what is marked below "
                "and press it again. What you typed is still here.",
            )
        return response

    def response_change(self, request, obj):
        if request.POST.get("_workflow"):
            return HttpResponseRedirect(self._url("change", obj.pk))
        return super().response_change(request, obj)
