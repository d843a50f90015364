from django.apps import AppConfig


class FilmsConfig(AppConfig):
    name = "films"
    verbose_name = "Films"

    def ready(self):
        from films import receivers, upload_cleanup

        receivers.connect()
        upload_cleanup.connect()
