"""How the admin, its messages and the staff's mails write a moment: one format everywhere,
"1 Dec 2026, 05:58", as the admin's templates write it (`|date:"j M Y, H:i"`)."""

from django.utils import dateformat, timezone

FORMAT = "j M Y, H:i"


def stamp(moment, zone=None) -> str:
    """`moment` in `zone` (the current time zone when None), as "1 Dec 2026, 05:58"."""
    return dateformat.format(timezone.localtime(moment, zone), FORMAT)
