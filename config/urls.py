from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from reviews import editor

urlpatterns = [
    path("admin/", admin.site.urls),
    # markdownx's endpoints, each behind a staff check (as shipped they answer anyone).
    path("markdownx/markdownify/", editor.markdownify, name="markdownx_markdownify"),
    path("markdownx/upload/", editor.upload, name="markdownx_upload"),
    path("", include("films.urls")),
    path("", include("reviews.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
