"""Admin pieces the apps share."""

from django.contrib import admin
from django.urls import path


def own_urls(model_admin, *views) -> list:
    """URL patterns of an admin's own views, given as (route, view, name): wrapped in
    admin_view (staff only, CSRF) and named like Django's ("reviews_review_<name>")."""
    opts = model_admin.model._meta
    wrap = model_admin.admin_site.admin_view
    return [
        path(route, wrap(view), name=f"{opts.app_label}_{opts.model_name}_{name}")
        for route, view, name in views
    ]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the code makes (task records, sync runs, comments): viewed here, never added or
    edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
