from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The project itself as an app, so its system checks run with `manage.py check`."""

    name = "config"
    label = "site"
    verbose_name = "Site"

    def ready(self):
        from django.conf import settings
        from django.contrib import admin

        from config import checks  # noqa: F401  (registers the checks)

        # The back office says whose it is, on every page and the sign-in page.
        admin.site.site_header = f"{settings.MARQUEE_SITE_NAME} newsroom"
        admin.site.site_title = settings.MARQUEE_SITE_NAME
        admin.site.index_title = "Newsroom"
