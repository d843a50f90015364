from django.apps import AppConfig


class ImagesConfig(AppConfig):
    name = "images"
    verbose_name = "Image library"

    def ready(self):
        from images import receivers  # the models are loaded only now

        receivers.connect()
