from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from config import views as config_views
from films.cache import cache_public_page
from reviews import editor
from reviews.sitemaps import SITEMAPS
from reviews.views.pages import robots_txt

# The admin's templates for the password-reset pages, headed like the rest of the back office.
BRANDED = {"extra_context": {"site_header": admin.site.site_header,
                             "site_title": admin.site.site_title}}

urlpatterns = [
    path("healthz", config_views.healthz, name="healthz"),
    # Password reset for staff, on the admin's own templates (the sign-in page links to it).
    path("admin/password_reset/", auth_views.PasswordResetView.as_view(**BRANDED),
         name="admin_password_reset"),
    path("admin/password_reset/done/", auth_views.PasswordResetDoneView.as_view(**BRANDED),
         name="password_reset_done"),
    path("admin/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(**BRANDED),
         name="password_reset_confirm"),
    path("admin/reset/done/", auth_views.PasswordResetCompleteView.as_view(**BRANDED),
         name="password_reset_complete"),
    path("admin/", admin.site.urls),
    path("robots.txt", robots_txt, name="robots_txt"),
    # An index of paged sections (reviews/sitemaps.py); robots.txt points crawlers at the index.
    path("sitemap.xml", cache_public_page(sitemap_views.index),
         {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"}, name="sitemap"),
    path("sitemap-<section>.xml", cache_public_page(sitemap_views.sitemap),
         {"sitemaps": SITEMAPS}, name="sitemap_section"),
    # markdownx's endpoints, each behind a staff check (as shipped they answer anyone).
    path("markdownx/markdownify/", editor.markdownify, name="markdownx_markdownify"),
    path("markdownx/upload/", editor.upload, name="markdownx_upload"),
    path("", include("films.urls")),
    path("", include("reviews.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(
        settings.MEDIA_URL, view=config_views.serve_media, document_root=settings.MEDIA_ROOT
    )
