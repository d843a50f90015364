from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews"

    def ready(self):
        from reviews import pending, receivers
        from reviews.search import index

        receivers.connect()
        index.connect()
        pending.connect()
