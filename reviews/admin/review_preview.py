"""The live preview beside a review's change form: the whole page as readers will see it.

The change page's script (static/marquee-admin/js/live-preview.js) posts the form as it stands
to `live_preview_view` as the editor types. The view reads the post through the admin's own
form and section formset (so it sees exactly the fields this user may edit, a live review's
pending version included), fills an in-memory copy of the review with what is valid, renders
the Markdown, and answers the public review template (reviews/views/preview.py: unsaved).
Nothing is saved, cached or public. Who may preview is reviews/permissions.py's answer.
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render as render_page
from django.utils import timezone
from django.utils.text import slugify

from config.admin import own_urls
from reviews import permissions
from reviews.markdown import render
from reviews.models import Section, Tag
from reviews.views.preview import unsaved


class LivePreviewViews:
    """Mixed into ReviewAdmin: the endpoint the change page's live preview posts to."""

    def get_urls(self):
        return [
            *own_urls(
                self,
                ("add/live-preview/", self.live_preview_view, "live_preview_new"),
                ("<path:object_id>/live-preview/", self.live_preview_view, "live_preview"),
            ),
            *super().get_urls(),
        ]

    def live_preview_view(self, request, object_id=None) -> HttpResponse:
        """The review page for the posted (unsaved) form: POST only, CSRF-checked (admin_view)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if object_id is None:
            if not (permissions.may_write(request.user) and self.has_add_permission(request)):
                raise PermissionDenied("You may not write reviews.")
            obj = None
        else:
            obj = self.get_object(request, unquote(object_id))
            if obj is None:
                raise Http404("No such review.")
            if not permissions.may_preview(request.user, obj):
                raise PermissionDenied("You may preview only your own reviews.")
        review = self._posted_review(request, obj)
        if review.film_id is None:
            reason = "Choose the film this review is about to see the preview."
            return render_page(
                request, "reviews/preview_invalid.html", {"reason": reason, "preview": True}
            )
        return unsaved(request, review, self._posted_sections(request, review), review.posted_tags)

    def _posted_review(self, request, obj):
        """The review with every valid posted field set, in memory (the form's instance)."""
        instance = obj if obj is not None else self.model(author=request.user)
        form_class = self.get_form(request, obj, change=obj is not None)
        form = form_class(request.POST, instance=instance)
        form.is_valid()  # sets each valid field on the instance; an invalid one keeps its value
        review = form.instance
        review.posted_tags = self._posted_tags(form)
        review.intro_html = render(review.intro)
        review.slug = review.slug or slugify(review.headline) or "new-review"
        if review.published_at is None:
            review.published_at = timezone.now()  # the date it would carry if published now
        return review

    @staticmethod
    def _posted_tags(form) -> list:
        """The tags chosen in the form, and those typed under New tags (unsaved), by name."""
        cleaned = getattr(form, "cleaned_data", {})
        chosen = list(cleaned.get("tags") or [])
        known = {tag.slug for tag in chosen}
        for typed in (cleaned.get("new_tags") or "").split(","):
            name, slug = Tag.cleaned_name(typed)
            if slug and slug not in known:
                known.add(slug)
                chosen.append(Tag(name=name, slug=slug))
        return sorted(chosen, key=lambda tag: tag.name.casefold())

    def _posted_sections(self, request, review) -> list:
        """The sections of the posted formset, in order, deleted and empty new ones left out."""
        sections = []
        for formset_class, inline in self.get_formsets_with_inlines(request, review):
            if formset_class.model is not Section:
                continue
            prefix = formset_class.get_default_prefix()
            formset = formset_class(**self.get_formset_kwargs(request, review, inline, prefix))
            formset.is_valid()  # as for the review: valid values set on each form's instance
            for form in formset.forms:
                cleaned = getattr(form, "cleaned_data", {})
                if cleaned.get("DELETE") or (form.instance.pk is None and not form.has_changed()):
                    continue
                sections.append(form.instance)
        sections.sort(key=lambda section: section.position or 0)
        taken = set()
        for section in sections:
            section.body_html = render(section.body)
            anchor = section.anchor or slugify(section.heading)[:90] or "section"
            base, n = anchor, 1
            while anchor in taken:
                n += 1
                anchor = f"{base}-{n}"
            section.anchor = anchor
            taken.add(anchor)
        return sections
