import re
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path

from config import views as config_views
from config.accounts import QueuedPasswordResetForm
from pagecache.pages import cache_page, cached
from reviews import editor
from reviews.admin.time_zone import time_zone_view
from reviews.sitemaps import INDEX_TEMPLATE, SECTION_TEMPLATE, SITEMAPS, sitemap_stylesheet
from reviews.views.pages import robots_txt
from tasks import views as task_views

# The admin's templates for the password-reset pages, headed like the rest of the back office.
BRANDED = {
    "extra_context": {"site_header": admin.site.site_header, "site_title": admin.site.site_title}
}

# The page cache (pagecache/pages.py) serves these pages to anonymous readers, each with the
# query parameters it reads: any other parameter is dropped and makes no new cache entry.
FILM_PAGES = {
    "list": ("collection", "genre", "year", "page"),
    "detail": (),
    "person": (),
    "genre": (),
}
REVIEW_PAGES = {
    "home": (),
    "list": ("genre", "year", "rating", "critic", "person", "page"),
    "detail": ("reply_to",),
    "search": ("q", "exact", "type", "page"),
    "suggest": ("q",),
    "feed": (),
    "atom_feed": (),
    "critics": (),
    "critic": ("page",),
    "critic_feed": (),
    "genre_feed": (),
    "tag": ("page",),
    "tag_feed": (),
    "tag_atom_feed": (),
}

# Error pages that read nothing from a malformed request and fall back rather than fail.
handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"

urlpatterns = [
    path("healthz", config_views.healthz, name="healthz"),
    path("healthz/tasks", task_views.healthz_tasks, name="healthz_tasks"),
    # Password reset for staff, on the admin's own templates (the sign-in page links to it);
    # the mail is sent by the task worker (config/accounts.py).
    path(
        "admin/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm, **BRANDED),
        name="admin_password_reset",
    ),
    path(
        "admin/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(**BRANDED),
        name="password_reset_done",
    ),
    path(
        "admin/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(**BRANDED),
        name="password_reset_confirm",
    ),
    path(
        "admin/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(**BRANDED),
        name="password_reset_complete",
    ),
    # Each editor's own time zone in the back office (reviews/timezones.py).
    path("admin/time-zone/", admin.site.admin_view(time_zone_view), name="admin_time_zone"),
    path("admin/", admin.site.urls),
    path("robots.txt", robots_txt, name="robots_txt"),
    # An index of paged sections (reviews/sitemaps.py); robots.txt points crawlers at the index.
    # Both name a stylesheet that shows them to a browser as a page of links.
    path(
        "sitemap.xml",
        cache_page(sitemap_views.index, shows=("sitemap",)),
        {
            "sitemaps": SITEMAPS,
            "sitemap_url_name": "sitemap_section",
            "template_name": INDEX_TEMPLATE,
        },
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        cache_page(sitemap_views.sitemap, ("p",), ("sitemap",)),
        {"sitemaps": SITEMAPS, "template_name": SECTION_TEMPLATE},
        name="sitemap_section",
    ),
    path("sitemap.xsl", sitemap_stylesheet, name="sitemap_style"),
    # markdownx's endpoints, each behind a staff check (as shipped they answer anyone).
    path("markdownx/markdownify/", editor.markdownify, name="markdownx_markdownify"),
    path("markdownx/upload/", editor.upload, name="markdownx_upload"),
    path("", include(cached("films.urls", FILM_PAGES))),
    path("", include(cached("reviews.urls", REVIEW_PAGES))),
]

if settings.SERVE_MEDIA and not urlsplit(settings.MEDIA_URL).netloc:
    # As django.conf.urls.static.static() does, which does nothing unless DEBUG is on.
    media = re.escape(settings.MEDIA_URL.lstrip("/"))
    urlpatterns.append(re_path(rf"^{media}(?P<path>.*)$", config_views.serve_media))
