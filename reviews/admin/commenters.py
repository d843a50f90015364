"""Blocked senders, trusted commenters and each moderator's comment mail, in the admin.

Open to whoever may moderate comments (`reviews.moderate_comment`: moderators and editors);
changes go through `reviews.moderation`, which checks that permission again.
"""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from reviews import moderation
from reviews.commenters import CommentBlock, ModeratorMailPreference, TrustedCommenter
from reviews.permissions import may_moderate


class ModeratorsOnly(admin.ModelAdmin):
    """Visible and editable by moderators only; no change page (add and delete)."""

    def has_module_permission(self, request):
        return False  # reached from the comment queue, not listed on the admin's home

    def has_view_permission(self, request, obj=None):
        return may_moderate(request.user)

    def has_add_permission(self, request):
        return may_moderate(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return may_moderate(request.user)


@admin.register(CommentBlock)
class CommentBlockAdmin(ModeratorsOnly):
    list_display = ["value", "kind", "note", "created_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["value", "note"]
    fields = ["kind", "value", "note"]

    def save_model(self, request, obj, form, change):
        moderation.block(obj.kind, obj.value, request.user, obj.note)


@admin.register(TrustedCommenter)
class TrustedCommenterAdmin(ModeratorsOnly):
    list_display = ["email", "added_by", "added_at"]
    search_fields = ["email"]
    fields = ["email"]

    def save_model(self, request, obj, form, change):
        moderation.trust(obj.email, request.user)


class MailPreferenceForm(forms.Form):
    frequency = forms.ChoiceField(
        label="Tell me about comments waiting for moderation",
        choices=ModeratorMailPreference.Frequency,
        widget=forms.RadioSelect,
        help_text="The daily digest lists the comments that came in since the last one.",
    )


def mail_preference_view(model_admin, request):
    """A moderator chooses a mail per comment, a daily digest, or no mail."""
    moderation.check_permission(request.user)
    preference = ModeratorMailPreference.objects.filter(user=request.user).first()
    current = preference.frequency if preference else ModeratorMailPreference.Frequency.EACH
    form = MailPreferenceForm(request.POST or None, initial={"frequency": current})
    if request.method == "POST" and form.is_valid():
        ModeratorMailPreference.objects.update_or_create(
            user=request.user, defaults={"frequency": form.cleaned_data["frequency"]}
        )
        messages.success(request, "Your comment mail is set.")
        return HttpResponseRedirect(reverse("admin:reviews_comment_changelist"))
    return TemplateResponse(
        request,
        "admin/reviews/comment/mail_preference.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": "Your comment mail",
            "form": form,
            "has_view_permission": True,
            "has_email": bool(request.user.email),
        },
    )
