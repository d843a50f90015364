"""Critic profiles: the display name, biography, portrait and links readers see."""

from django.contrib import admin

from config.admin import QueryInitial, StaleCheckedAdmin
from films.admin import CheckedImageMixin
from reviews.critics import Critic, CriticLink


class CriticLinkInline(admin.TabularInline):
    model = CriticLink
    extra = 1
    fields = ("label", "url", "position")


@admin.register(Critic)
class CriticAdmin(QueryInitial, StaleCheckedAdmin, CheckedImageMixin, admin.ModelAdmin):
    list_display = ("__str__", "user", "slug")
    search_fields = ("display_name", "user__username", "user__first_name", "user__last_name")
    fields = ("user", "display_name", "slug", "bio", "photo")
    autocomplete_fields = ("user",)
    inlines = [CriticLinkInline]

    def get_readonly_fields(self, request, obj=None):
        return ("user",) if obj is not None else ()
