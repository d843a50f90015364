from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews"

    def ready(self):
        from films import upload_cleanup
        from reviews import pending, receivers
        from reviews.search import index

        receivers.connect()
        index.connect()
        upload_cleanup.FILE_USERS.append(pending.names_upload)
