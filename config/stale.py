"""What a form refused as stale says: a review's, and the other change forms' (config/admin.py)."""

from django.utils import timezone


def changed_meanwhile(name: str, thing: str, changed_at) -> str:
    """`name` changed this `thing` at `changed_at` while the reader edited it, and their typed
    text is still in the form."""
    when = timezone.localtime(changed_at)
    return (
        f"{name} changed this {thing} at {when:%H:%M on %d %B %Y} ({when.tzname()}) "
        "while you were editing it. Your text is still in the form: copy what you need, "
        "reload the page to see their version, and apply your changes again."
    )
