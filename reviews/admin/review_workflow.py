"""The workflow box of a review's change page: steps, pending versions, share links, autosave.

Every step calls a model method (`review.publish(by=…)`, `review.publish_changes(by=…)`), which
checks the user's right (reviews/permissions.py) and the review's state. A step pressed in the
change form saves what was typed first, through the form's own validation and edit lock
(changeform_view in reviews/admin/review_saving.py), and is taken only when that save succeeded.
"""

import json

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode

from config.admin import own_urls
from reviews import clock, permissions, prepublish, preview, timezones, workflow
from reviews.admin.review_forms import PublishAtForm
from reviews.models import Review
from reviews.pending import Autosave

# Steps on a live review's pending version: (label, model method).
PENDING_STEPS = {
    "publish_changes": "Publish changes",
    "discard_changes": "Discard changes",
    "submit_changes": "Submit changes for review",
    "send_back_changes": "Send changes back",
    "withdraw_changes": "Withdraw changes",
}
AUTOSAVE_LIMIT = 2_000_000  # characters of posted JSON


def step_label(action: str) -> str:
    """A step's button label ("" for a name that is no step: the step view answers 404)."""
    if action in PENDING_STEPS:
        return PENDING_STEPS[action]
    if action == "schedule":  # Publish with a time
        return "Schedule"
    return workflow.ACTIONS[action].label if action in workflow.ACTIONS else ""


class WorkflowViews:
    """Mixed into ReviewAdmin: the transition, share and autosave views, and the bulk actions."""

    def get_urls(self):
        # Before the object's own patterns, which would read "add" as an object id.
        return [
            *own_urls(
                self,
                ("add/autosave/", self.autosave_new_view, "autosave_new"),
                ("<path:object_id>/transition/<str:action>/", self.transition_view, "transition"),
                ("<path:object_id>/share/", self.share_view, "share"),
                ("<path:object_id>/autosave/", self.autosave_view, "autosave"),
            ),
            *super().get_urls(),
        ]

    # What the box offers ----------------------------------------------------------------------

    def steps_for(self, user, review) -> list[dict]:
        """The steps open to `user` on `review` now, each with where its button posts."""
        steps = [
            {"name": a.name, "label": a.label} for a in workflow.available_actions(user, review)
        ]
        pending = review.pending
        submitted = pending is not None and pending.submitted_at is not None
        if review.is_public:
            if permissions.may_publish_changes(user, review):
                live = ["publish_changes"]
                if pending is not None:
                    live += ["send_back_changes"] if submitted else []
                    live += ["discard_changes"]
            elif permissions.may_submit_changes(user, review):
                live = ["withdraw_changes" if submitted else "submit_changes"]
            else:
                live = []
            steps[:0] = [{"name": name, "label": PENDING_STEPS[name]} for name in live]
        for step in steps:
            step["url"] = self._url("transition", review.pk, step["name"])
        return steps

    def workflow_context(self, request, review) -> dict:
        user = request.user
        may_edit = permissions.may_edit(user, review)
        # Offered on opening the form; a form posted back (refused) holds what was typed.
        offer = may_edit and request.method == "GET"
        autosave = Autosave.objects.filter(user=user, review=review).first() if offer else None
        requested = None
        pending = review.pending
        if pending is not None and pending.sent_back_id is not None:
            requested = pending.sent_back
        elif review.status == Review.Status.DRAFT:
            latest = review.transitions.select_related("actor").first()
            if (
                latest is not None
                and latest.to_status == Review.Status.DRAFT
                and latest.note
                and latest.from_status == Review.Status.IN_REVIEW
            ):
                requested = latest
        share = preview.current_share_link(review) if permissions.may_share(user) else None
        steps = self.steps_for(user, review)
        publishing = {"publish", "publish_changes"} & {step["name"] for step in steps}
        return {
            "workflow_actions": steps,
            # What the pre-publish checks find in the version the form shows (the pending one
            # of a live review), shown before Publish and Schedule.
            "prepublish": prepublish.check(review, getattr(review, "pending_sections", None))
            if publishing
            else None,
            "form_saves_steps": may_edit,
            "transitions": review.audit_trail(),
            "time_zone": clock.zone_name(),
            "zone_note": timezones.zone_note(),
            "now_local": timezone.localtime(),
            # Said only beside a Publish now button: not to a writer, nor of a live review.
            "publish_dated": self.publish_dated(review)
            if any(step["name"] == "publish" for step in steps)
            else None,
            "preview_url": preview.preview_path(review),
            "may_share": permissions.may_share(user),
            "share_url": self._url("share", review.pk),
            "share": share,
            "share_days": settings.MARQUEE_PREVIEW_LINK_DAYS,
            "effective_status": Review.Status(review.effective_status).label,
            "pending": review.pending,
            "changes_requested": requested,
            "autosave": autosave,
            "autosave_url": self._url("autosave", review.pk) if may_edit else "",
            "autosave_data": json.dumps(autosave.data) if autosave else "",
            # A note sent with a form that did not validate is shown again, not lost.
            "note_typed": request.POST.get("note", "") if request.method == "POST" else "",
            # A publication time Schedule refused (in the past, say) is shown again to mend.
            "at_typed": request.GET.get("at", "")[:16],
        }

    @staticmethod
    def publish_dated(review):
        """The day Publish now dates the review by when it is not today (an intended publication
        date in the past): named on the button, as the review will sort by it and the writer's
        mail will repeat it."""
        dated = review.publish_now_date()
        if dated is None:
            return None
        day = timezone.localdate(dated, timezone=timezone.get_default_timezone())
        today = timezone.localdate(timezone=timezone.get_default_timezone())
        return day if day != today else None

    # Taking a step ----------------------------------------------------------------------------

    def transition_view(self, request, object_id, action):
        if request.method != "POST":
            return HttpResponseRedirect(self._url("change", object_id))
        return self.take_step(request, object_id, action)

    def take_step(self, request, object_id, action):
        # "schedule" is Publish with a time; a transition URL's publish with `at` is the same.
        schedule = action == "schedule" or (
            action == "publish" and request.POST.get("at") and not request.POST.get("_workflow")
        )
        action = "publish" if action == "schedule" else action
        if action not in workflow.ACTIONS and action not in PENDING_STEPS:
            raise Http404("No such workflow step.")
        review = self._get_visible(request, object_id)
        label = step_label(action)
        again = ""  # what the change page shows again to mend
        try:
            if action in ("request_changes", "send_back_changes"):
                getattr(review, action)(by=request.user, note=request.POST.get("note", ""))
            elif schedule:
                form = PublishAtForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(form.errors["at"])
                review.publish(by=request.user, at=form.cleaned_data["at"])
            elif action == "discard_changes":
                # The version this page showed: one saved again since is not thrown away.
                review.discard_changes(by=request.user, seen=request.POST.get("seen"))
            else:
                getattr(review, action)(by=request.user)
        except PermissionDenied as error:
            messages.error(request, str(error) or f"You may not {label.lower()} this review.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            if schedule and request.POST.get("at"):
                again = "?" + urlencode({"at": request.POST["at"]})  # a time refused
        else:
            Autosave.objects.filter(user=request.user, review=review).delete()
            messages.success(request, self._done_message(review, action))
        if self.has_view_or_change_permission(request, review):
            return HttpResponseRedirect(self._url("change", review.pk) + again)
        return HttpResponseRedirect(self._url("changelist"))

    def _done_message(self, review, action) -> str:
        if action in PENDING_STEPS:
            return {
                "publish_changes": f"Published the changes: readers now see the new “{review}”.",
                "discard_changes": f"Discarded the pending changes to “{review}”; the live "
                "version is unchanged.",
                "submit_changes": f"Submitted your changes to “{review}”: an editor will "
                "publish them.",
                "send_back_changes": f"Sent the changes to “{review}” back to the writer with "
                "your note; the live version is unchanged.",
                "withdraw_changes": f"Withdrew your changes to “{review}”: edit them and submit "
                "them again.",
            }[action]
        status = review.get_status_display().lower()
        if review.status == Review.Status.SCHEDULED:
            return f"“{review}” is scheduled for {clock.local(review.published_at)}."
        return f"{workflow.ACTIONS[action].label}: “{review}” is now {status}."

    # Bulk actions: confirmed first, then the same model methods, one review at a time ---------

    def _bulk(self, request, queryset, action, verb):
        reviews = list(queryset.select_related("film"))
        if request.POST.get("post") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": f"{verb} {len(reviews)} review(s)?",
                "subtitle": None,
                "opts": self.model._meta,
                "reviews": reviews,
                "verb": verb,
                "action": request.POST.get("action"),
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "now": timezone.now(),
                "time_zone": clock.zone_name(),
            }
            request.current_app = self.admin_site.name
            return TemplateResponse(request, "admin/reviews/review/bulk_confirmation.html", context)
        done, refused, left = [], [], []
        for review in reviews:
            if action == "publish" and review.effective_status == Review.Status.SCHEDULED:
                left.append(
                    f"“{review}” is scheduled for {clock.local(review.published_at)}; "
                    "it was left on its schedule. Open it to publish it now."
                )
                continue
            try:
                getattr(review, action)(by=request.user)
            except (PermissionDenied, ValidationError) as error:
                text = " ".join(getattr(error, "messages", [str(error)]))
                refused.append(f"“{review}”: {text}")
            else:
                done.append(review)
        if done:
            messages.success(request, f"{workflow.ACTIONS[action].label}: {len(done)} review(s).")
        for text in left:  # as asked for: not an error
            messages.warning(request, text)
        for text in refused:
            messages.error(request, text)
        return None

    @admin.action(description="Publish the selected reviews now", permissions=["publish"])
    def publish_selected(self, request, queryset):
        return self._bulk(request, queryset, "publish", "Publish")

    @admin.action(description="Archive the selected reviews", permissions=["publish"])
    def archive_selected(self, request, queryset):
        return self._bulk(request, queryset, "archive", "Archive")

    def has_publish_permission(self, request):
        return permissions.is_editor(request.user)

    # Share links ------------------------------------------------------------------------------

    def share_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseRedirect(self._url("change", object_id))
        review = self._get_visible(request, object_id)
        try:
            link = preview.create_share_link(
                review, request.user, regenerate=bool(request.POST.get("regenerate"))
            )
        except PermissionDenied as error:
            messages.error(request, str(error))
        else:
            days = settings.MARQUEE_PREVIEW_LINK_DAYS
            messages.success(
                request,
                format_html(
                    'New share link (valid for {} days): <a href="{}">{}</a>. '
                    "Every earlier link is revoked.",
                    days,
                    link.path,
                    request.build_absolute_uri(link.path),
                ),
            )
        return HttpResponseRedirect(self._url("change", review.pk))

    # Autosave ---------------------------------------------------------------------------------

    def autosave_view(self, request, object_id):
        """Keep (POST JSON {data, base_version}) or drop (POST discard=1) the user's draft."""
        if request.method != "POST":
            return JsonResponse({"error": "POST only."}, status=405)
        try:
            review = self._get_visible(request, object_id)
        except (PermissionDenied, Http404):
            return JsonResponse({"error": "You may not edit this review."}, status=403)
        if not permissions.may_edit(request.user, review):
            return JsonResponse({"error": "You may not edit this review."}, status=403)
        return self._keep_draft(request, review)

    def autosave_new_view(self, request):
        """The same for the add page: the user's one rolling draft of a new review."""
        if request.method != "POST":
            return JsonResponse({"error": "POST only."}, status=405)
        if not self.has_add_permission(request):
            return JsonResponse({"error": "You may not write reviews."}, status=403)
        return self._keep_draft(request, None)

    def new_review_autosave_context(self, request) -> dict:
        """What the add page needs to keep typing and offer a kept draft back."""
        autosave = Autosave.objects.filter(user=request.user, review=None).first()
        return {
            "autosave": autosave,
            "autosave_url": self._url("autosave_new"),
            "time_zone": clock.zone_name(),
        }

    def _keep_draft(self, request, review):
        if request.POST.get("discard"):
            Autosave.objects.filter(user=request.user, review=review).delete()
            return JsonResponse({"discarded": True})
        if len(request.body) > AUTOSAVE_LIMIT:
            return JsonResponse({"error": "Too much to autosave; save the form."}, status=413)
        try:
            payload = json.loads(request.body)
            data = payload["data"]
            base_version = int(payload["base_version"])
            if not isinstance(data, dict) or not all(
                isinstance(k, str) and isinstance(v, str | list) for k, v in data.items()
            ):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            return JsonResponse({"error": "Not an autosave."}, status=400)
        saved, _ = Autosave.objects.update_or_create(
            user=request.user,
            review=review,
            defaults={"data": data, "base_version": base_version, "saved_at": timezone.now()},
        )
        when = timezone.localtime(saved.saved_at)
        return JsonResponse(
            {"saved_at": saved.saved_at.isoformat(), "label": f"Draft kept at {when:%H:%M:%S}"}
        )
