"""System checks for settings that Django's own checks do not know about."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def check_site_url(app_configs, **kwargs):
    """Links in mail and feeds are built on MARQUEE_SITE_URL: production must say where it is."""
    url = settings.MARQUEE_SITE_URL
    if not url:
        return [
            Error(
                "MARQUEE_SITE_URL is not set.",
                hint="Set it to the site's public address, e.g. https://marquee.example; links in "
                "mail and feeds are built on it.",
                id="marquee.E001",
            )
        ]
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return [
            Error(
                f"MARQUEE_SITE_URL={url!r} is not an absolute http(s) address.",
                hint="e.g. https://marquee.example",
                id="marquee.E002",
            )
        ]
    return []
