"""Admin pieces the apps share."""

from django import forms
from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.urls import path, reverse

from config.stale import changed_meanwhile


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


def account_as_text(field: str):
    """A read-only display of the user account in `field`, as plain text: the text Django's link
    to it shows (`AccountsAsText`). Labelled and styled as the field itself."""

    @admin.display(description=field.replace("_", " "))
    def shown(obj) -> str:
        return str(getattr(obj, field))

    shown.__name__ = field  # the row's class, "field-<name>", as the field's
    return shown


class AccountsAsText:
    """Read-only user accounts shown as links to their admin page only to whoever may open it.

    Django links a read-only foreign key to the related object's change page whatever the
    viewer may do there, and an account's page answers everyone but those who keep accounts 403
    (a writer on their own critic profile, a moderator on a comment). `accounts_as_text` maps
    each such field to the read-only display shown in its place to the others: a name of the
    admin's own, or `account_as_text(field)`. For an admin that declares its fields.
    """

    accounts_as_text: dict = {}

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), *self.accounts_as_text.values())

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        closed = self.accounts_closed_to(request, obj)
        if not closed:
            return fieldsets
        return [
            (name, {**options, "fields": [closed.get(f, f) for f in options["fields"]]})
            for name, options in fieldsets
        ]

    def accounts_closed_to(self, request, obj) -> dict:
        """The account fields read-only on `obj`'s page whose account the viewer may not open
        (`opens_in_admin`), each with the display that stands in for it."""
        if obj is None:
            return {}
        everything = not self.has_change_permission(request, obj)  # the page is read-only
        read_only = self.get_readonly_fields(request, obj)
        return {
            field: shown
            for field, shown in self.accounts_as_text.items()
            if (everything or field in read_only)
            and (account := getattr(obj, field)) is not None
            and not opens_in_admin(request, self.admin_site, account)
        }


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


class StaleCheckedForm(forms.ModelForm):
    """A change form that refuses a save based on an older state of its row than the stored one
    (another tab or another editor saved in between), as the review form does with its version:
    without it the later save silently puts back what the earlier one changed.

    The form carries the row's `updated_at` as it was loaded; a save after a redirect (Save and
    continue editing) loads the new one. Used through `StaleCheckedAdmin`.
    """

    # Optional: a page opened before the field existed still saves (unchecked, as it did).
    loaded_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_at"].initial = self.instance.updated_at.isoformat()

    def clean(self):
        cleaned = super().clean()
        loaded = cleaned.get("loaded_at")
        if self.instance.pk and loaded:
            # Locked until the admin's transaction ends: of two saves posted at once from the
            # same state, the second waits for the first and is refused.
            stored = (
                type(self.instance)
                ._default_manager.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("updated_at", flat=True)
                .first()
            )
            if stored is not None and stored.isoformat() != loaded:
                raise ValidationError(stale_message(self.instance, stored), code="stale")
        return cleaned


def stale_message(obj, changed_at) -> str:
    """Who changed `obj` at `changed_at`, as the admin's history has it ("Someone else" for a
    change made elsewhere, such as a TMDB sync), and that the typed text is still in the form."""
    change = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
            object_id=str(obj.pk),
            action_time__gte=changed_at,  # logged after the save that set `changed_at`
        )
        .select_related("user")
        .order_by("-action_time")
        .first()
    )
    who = change and change.user
    name = (who.get_full_name() or who.get_username()) if who else "Someone else"
    return changed_meanwhile(name, obj._meta.verbose_name, changed_at)


class StaleCheckedAdmin:
    """An admin whose change form refuses a stale save (`StaleCheckedForm`); its inlines are
    saved with the form, so they are refused with it. The model needs an `updated_at` with
    auto_now."""

    form = StaleCheckedForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None or "loaded_at" in flatten_fieldsets(fieldsets):
            return fieldsets
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": (*options["fields"], "loaded_at")}), *rest]
