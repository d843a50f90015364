"""Each editor's own time zone in the back office.

An editor in Berlin reads and types times in Berlin time while the site runs on its own zone
(settings.TIME_ZONE). The zone is a per-user setting (`DeskSetting`, chosen from the zones
zoneinfo knows); `EditorTimeZoneMiddleware` activates it for staff on admin pages, so every
time there is shown in it, and a time typed there (Publish at, Unpublish at) is read in it and
stored as the right moment. `zone_note()` says which zone the times are in, next to the fields.
"""

import functools
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, models
from django.utils import timezone

from config.times import stamp


@functools.cache
def zone_names() -> tuple[str, ...]:
    """The zones an editor can choose: zoneinfo's, by name."""
    return tuple(sorted(zoneinfo.available_timezones()))


def validate_time_zone(value: str) -> None:
    if value and value not in zone_names():
        raise ValidationError("%(value)s is not a time zone.", params={"value": value})


class DeskSetting(models.Model):
    """A staff user's own settings for the back office (none public)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="desk_setting"
    )
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text="The zone times are shown and typed in; empty for the site's.",
    )

    def __str__(self):
        return f"Desk settings of user #{self.user_id}"


def zone_of(user) -> str:
    """The zone `user` chose, or "" for the site's."""
    if not (user and user.is_authenticated):
        return ""
    chosen = DeskSetting.objects.filter(user=user).values_list("time_zone", flat=True).first()
    return chosen if chosen in zone_names() else ""


def set_zone(user, name: str) -> None:
    validate_time_zone(name)
    DeskSetting.objects.update_or_create(user=user, defaults={"time_zone": name})


def time_for(user, moment) -> str:
    """`moment` as `user` reads it in a mail: in the zone they chose, else the site's, named.

    A mail is read by its recipient, not by whoever's step sent it (nor by the worker)."""
    zone = zoneinfo.ZoneInfo(zone_of(user) or settings.TIME_ZONE)
    return f"{stamp(moment, zone)} ({zone.key})"


def zone_note() -> str:
    """Which zone the times on this page are in, and the site's when they differ."""
    current, site = timezone.get_current_timezone_name(), settings.TIME_ZONE
    if current == site:
        return f"Times in the site's time zone, {site}."
    return f"Times in {current} (your setting); the site runs on {site}."


class EditorTimeZoneMiddleware:
    """On admin pages, show and read times in the signed-in staff user's own zone.

    Decided just before the view runs (so only for views in the admin's namespace), and let go
    when the response is done. A database that does not answer leaves the site's zone: the
    view then meets the outage itself, and answers the outage page as it would anyway.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or "admin" not in match.namespaces:
            return
        try:
            name = zone_of(request.user) if request.user.is_staff else ""
        except DatabaseError:
            return
        if name:
            timezone.activate(zoneinfo.ZoneInfo(name))
