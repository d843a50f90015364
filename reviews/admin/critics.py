"""Critic profiles: the display name, biography, portrait and links readers see."""

from django.contrib import admin
from django.shortcuts import redirect

from config.admin import (
    AccountsAsText,
    QueryInitial,
    StaleCheckedAdmin,
    account_as_text,
    own_url,
    own_urls,
)
from films.admin import CheckedImageMixin
from reviews import permissions
from reviews.critics import Critic, CriticLink


class CriticLinkInline(admin.TabularInline):
    model = CriticLink
    extra = 1
    fields = ("label", "url", "position")


@admin.register(Critic)
class CriticAdmin(
    AccountsAsText, QueryInitial, StaleCheckedAdmin, CheckedImageMixin, admin.ModelAdmin
):
    list_display = ("__str__", "user", "slug")
    search_fields = ("display_name", "user__username", "user__first_name", "user__last_name")
    fields = ("user", "display_name", "slug", "bio", "photo")
    autocomplete_fields = ("user",)
    inlines = [CriticLinkInline]

    accounts_as_text = {"user": account_as_text("user")}

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "user") if obj is not None else fields

    # Editors keep every profile (the model's permissions); a writer keeps their own: the name
    # their byline shows, their biography, portrait and links ("Your profile", base_site.html).

    def is_own(self, request, obj) -> bool:
        return (
            obj is not None
            and obj.user_id == request.user.pk
            and permissions.may_write(request.user)
        )

    def has_module_permission(self, request):
        return super().has_module_permission(request) or permissions.may_write(request.user)

    def has_view_permission(self, request, obj=None):
        if obj is None and permissions.may_write(request.user):
            return True  # the list, of their own profile alone (get_queryset)
        return super().has_view_permission(request, obj) or self.is_own(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or self.is_own(request, obj)

    def get_queryset(self, request):
        critics = super().get_queryset(request)
        if request.user.has_perm("reviews.view_critic"):
            return critics
        return critics.filter(user=request.user)

    def get_urls(self):
        return own_urls(self, ("mine/", self.mine_view, "mine")) + super().get_urls()

    def mine_view(self, request):
        """The signed-in writer's own profile, made on first need (Critic.objects.for_user)."""
        if not permissions.may_write(request.user):
            return redirect("admin:index")
        critic = Critic.objects.for_user(request.user)
        return redirect(own_url(self, "change", critic.pk))
