"""What a form refused as stale says: a review's, and the other change forms' (config/admin.py)."""

from django.utils import timezone

from config.times import stamp


def changed_meanwhile(name: str, thing: str, changed_at) -> str:
    """`name` changed this `thing` at `changed_at` while the reader edited it, and their typed
    text is still in the form."""
    return (
        f"{name} changed this {thing} at {stamp(changed_at)} "
        f"({timezone.localtime(changed_at).tzname()}) "
        "while you were editing it. Your text is still in the form: copy what you need, "
        "reload the page to see their version, and apply your changes again."
    )
