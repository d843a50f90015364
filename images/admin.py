"""The image library in the admin: upload once, describe once, find and reuse.

The list shows thumbnails and searches alt text, captions, credits and file names; the change
page sets the focal point by a click on the image (marquee-admin/js/focal-point.js) and lists
where the image is used. An image in use cannot be deleted: its users hold protected foreign
keys, and the admin's delete page names them instead of deleting.

The section editor's "Image" button opens this list as a popup, as Django's raw-id lookups do:
choosing an image, or adding one from the popup, hands its id back to the editor
(marquee-admin/js/image-picker.js).
"""

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join

from config.admin import QueryInitial, StaleCheckedAdmin
from config.times import stamp
from films.admin import CheckedImageMixin, image_tag
from films.renditions import best_file
from images.models import Image, edited_on
from reviews import permissions

THUMBNAIL = 96
PREVIEW = 480


@admin.register(Image)
class ImageAdmin(QueryInitial, StaleCheckedAdmin, CheckedImageMixin, admin.ModelAdmin):
    list_display = ("thumbnail", "description", "caption", "credit", "uploaded_at")
    list_display_links = ("thumbnail", "description")
    list_select_related = ("uploaded_by",)
    list_filter = ("decorative",)
    search_fields = ("alt", "caption", "credit", "file")
    search_help_text = "Words in the alt text, caption, credit or file name."
    date_hierarchy = "uploaded_at"
    readonly_fields = ("preview", "size", "uploaded", "used_in")
    fieldsets = (
        (None, {"fields": ("file", "preview", ("focus_x", "focus_y"))}),
        ("Description", {"fields": ("alt", "decorative", "caption", "credit")}),
        ("Record", {"fields": ("size", "uploaded", "used_in")}),
    )

    class Media:
        js = ("marquee-admin/js/focal-point.js",)
        css = {"all": ("marquee-admin/css/editor.css",)}

    def has_change_permission(self, request, obj=None):
        """Writers change only their own images that readers do not see yet (see
        `may_change_image`); the others they may view."""
        if obj is not None:
            return permissions.may_change_image(request.user, obj)
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="image")
    def thumbnail(self, obj):
        if not obj.file:
            return "—"
        # A small rendition once made (the original until then), scaled into the box; its alt
        # text is empty: the description is in the next column.
        shown = best_file(obj, "file", width=THUMBNAIL * 2)
        width, height = shown.width or THUMBNAIL, shown.height or THUMBNAIL
        scale = min(THUMBNAIL / width, THUMBNAIL / height, 1)
        return format_html(
            '<img src="{}" alt="" width="{}" height="{}" loading="lazy" class="library-thumbnail">',
            shown.url,
            max(round(width * scale), 1),
            max(round(height * scale), 1),
        )

    @admin.display(description="alt text", ordering="alt")
    def description(self, obj):
        return obj.alt or "(decorative)"

    @admin.display(description="size")
    def size(self, obj):
        return f"{obj.width} × {obj.height} px" if obj and obj.width and obj.height else "—"

    @admin.display(description="uploaded")
    def uploaded(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        when = stamp(obj.uploaded_at)
        who = obj.uploaded_by
        if who is None:  # brought in by an import (TMDB, the demo), not by a person
            return when
        return f"{when} by {who.get_full_name() or who.get_username()}"

    @admin.display(description="current image")
    def preview(self, obj):
        # The stored file, not the form's: a form refused for its alt text already holds the
        # new upload, which is not stored.
        stored = Image.objects.filter(pk=obj.pk).first() if obj and obj.pk else None
        if stored is None:
            return "Save the image to set its focal point by clicking on it."
        image = image_tag(stored.file, stored.width, stored.height, box=PREVIEW, alt=str(stored))
        return format_html(
            '<div class="focal-picker" data-focus-x="id_focus_x" data-focus-y="id_focus_y" '
            'title="Click the subject to set the focal point">{}</div>',
            image,
        )

    @admin.display(description="used in")
    def used_in(self, obj):
        uses = obj.uses() if obj and obj.pk else []
        if not uses:
            return "Not used anywhere yet."
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li>{}</li>", ((_link_to(use),) for use in uses)),
        )


def _link_to(use):
    """A use of an image, linked to the admin page that edits it where there is one."""
    target = edited_on(use)
    opts = target._meta
    try:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[target.pk])
    except NoReverseMatch:
        return str(use)
    return format_html('<a href="{}">{}</a>', url, use)
