"""Staff accounts: a writer, editor or moderator made in one step.

A group alone gives no access to the back office (Django also needs *staff status*), so the add
form asks for the role instead and sets both; the change form says what each role may do.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.models import Group

User = get_user_model()

# The editorial groups (reviews/migrations/0003) and what each may do.
ROLES = {
    "Writers": "Writer: writes reviews and submits them for review; never publishes",
    "Editors": "Editor: edits and publishes every review, manages films and people",
    "Moderators": "Moderator: moderates readers' comments, nothing else",
}


class StaffCreationForm(AdminUserCreationForm):
    role = forms.ChoiceField(
        choices=[("", "No role (cannot sign in here)"), *ROLES.items()],
        required=False,
        help_text="The role gives the account its rights and lets it sign in to the back office.",
    )

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "first_name", "last_name", "email")


@admin.display(description="role")
def role(user) -> str:
    if user.is_superuser:
        return "Superuser"
    names = [g.name for g in user.groups.all() if g.name in ROLES]
    if not user.is_staff:
        return "No access" + (f" ({', '.join(names)} without staff status)" if names else "")
    return ", ".join(name.removesuffix("s") for name in names) or "Staff, no role"


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    add_form = StaffCreationForm
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "first_name",
                    "last_name",
                    "email",
                    "role",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    list_display = ("username", "first_name", "last_name", "email", role, "is_active")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None and "groups" in form.base_fields:
            form.base_fields["groups"].help_text = (
                "Writers, Editors and Moderators are the editorial roles. A group gives rights "
                "only together with staff status (above)."
            )
        return form

    def save_model(self, request, obj, form, change):
        if not change and form.cleaned_data.get("role"):
            obj.is_staff = True
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        chosen = None if change else form.cleaned_data.get("role")
        if chosen:
            form.instance.groups.add(Group.objects.get(name=chosen))
