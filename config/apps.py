from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The project itself as an app, so its system checks run with `manage.py check`."""

    name = "config"
    label = "site"
    verbose_name = "Site"

    def ready(self):
        from config import checks  # noqa: F401  (registers the checks)
