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


def is_own_profile(request, critic) -> bool:
    """`critic` is the signed-in writer's own profile."""
    return (
        critic is not None
        and critic.user_id == request.user.pk
        and permissions.may_write(request.user)
    )


class CriticLinkInline(admin.TabularInline):
    """The profile's links: editors keep every profile's (the model's permissions), a writer
    their own, as their biography and portrait (`CriticAdmin.is_own`)."""

    model = CriticLink
    extra = 1
    fields = ("label", "url", "position")

    def is_own(self, request, obj) -> bool:
        # Without a profile (the formset's queryset is asked so): a writer's, since the
        # profile's own page opens only their own to them (CriticAdmin).
        if obj is None:
            return permissions.may_write(request.user)
        return is_own_profile(request, obj)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or self.is_own(request, obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) or self.is_own(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or self.is_own(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) or self.is_own(request, obj)


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
        return is_own_profile(request, obj)

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
