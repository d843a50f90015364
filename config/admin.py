"""Admin pieces the apps share."""

from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.urls import path, reverse


def own_urls(model_admin, *views) -> list:
    """URL patterns of an admin's own views, given as (route, view, name): wrapped in
    admin_view (staff only, CSRF) and named like Django's ("reviews_review_<name>")."""
    opts = model_admin.model._meta
    wrap = model_admin.admin_site.admin_view
    return [
        path(route, wrap(view), name=f"{opts.app_label}_{opts.model_name}_{name}")
        for route, view, name in views
    ]


def own_url(model_admin, name: str, *args) -> str:
    """The address of one of `model_admin`'s own views (`own_urls`), by its short name."""
    opts = model_admin.model._meta
    return reverse(
        f"{model_admin.admin_site.name}:{opts.app_label}_{opts.model_name}_{name}", args=args
    )


def opens_in_admin(request, admin_site, obj) -> bool:
    """Whether `obj`'s admin change page answers the viewer (its model is registered and they
    may view or change it): a page links a related object only then, never into a 403."""
    try:
        model_admin = admin_site.get_model_admin(type(obj))
    except NotRegistered:
        return False
    return model_admin.has_view_or_change_permission(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the code makes (task records, sync runs, comments): viewed here, never added or
    edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class QueryInitial:
    """An add page's initial values from its query string (`?film=3`, as the admin's own links
    and "add another" pass them), minus a value its field cannot take: the widgets rendered
    `?film=abc` and `?starts_at=zzz` as 500s."""

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        for name, value in list(initial.items()):
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.auto_created:  # a reverse relation: no form field
                continue
            check = field.target_field.to_python if field.is_relation else field.to_python
            try:
                for each in value if isinstance(value, list) else [value]:
                    check(each)
            except (ValidationError, ValueError, TypeError):
                del initial[name]
        return initial
