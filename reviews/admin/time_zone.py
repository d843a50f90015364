"""The page where a staff user chooses the time zone the back office shows times in."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from reviews import timezones


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label="Your time zone",
        required=False,
        help_text="Times in the back office are shown in this zone, and times you type "
        "(Publish at, Unpublish at) are read in it.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [
            ("", f"The site's time zone ({settings.TIME_ZONE})"),
            *((name, name) for name in timezones.zone_names()),
        ]


def time_zone_view(request):
    """Show and change the signed-in staff user's time zone (admin_view: staff only)."""
    form = TimeZoneForm(
        request.POST or None, initial={"time_zone": timezones.zone_of(request.user)}
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["time_zone"]
        timezones.set_zone(request.user, chosen)
        messages.success(
            request,
            f"Times are now shown in {chosen or settings.TIME_ZONE}"
            + (" (your setting)." if chosen else ", the site's time zone."),
        )
        return HttpResponseRedirect(reverse("admin_time_zone"))
    context = {
        **admin.site.each_context(request),
        "title": "Your time zone",
        "subtitle": None,
        "form": form,
        "site_zone": settings.TIME_ZONE,
    }
    return TemplateResponse(request, "admin/time_zone.html", context)
