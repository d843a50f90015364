from django.apps import AppConfig


class ImagesConfig(AppConfig):
    """A library image's files go with it, or with its replacement: films/upload_cleanup.py."""

    name = "images"
    verbose_name = "Image library"
