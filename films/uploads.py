"""What every uploaded image goes through before it is stored: its metadata dropped.

A phone's photo says where it was taken (EXIF GPS), with what camera and by whom (EXIF, XMP,
IPTC, comments). The stored original is public (/media/…), and pages show it until the
renditions are made, and a review's social image is shared as uploaded: so the original itself
must carry none of it. Every model's uploaded image is a `StrippedImageField`, which stores what
`without_metadata` makes of the file, whoever stores it: the admin's forms, the editor's
drop-and-paste upload, a TMDB import, the demo.

The file has been checked before (films/validators.py: `validate_image_file`), so the refusals
and their messages are the validator's; this module only rewrites what was accepted.
"""

from io import BytesIO
from pathlib import PurePosixPath

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, router, transaction
from django.db.models.fields.files import FieldFile, ImageFieldFile
from PIL import Image as Pillow
from PIL import ImageOps, ImageSequence, JpegImagePlugin

# Pillow format → (file extension, save options) for the formats re-encoded on the way in.
RE_ENCODED = {
    "JPEG": ("jpg", {"optimize": True}),  # at the original's quality: see _jpeg_options
    "PNG": ("png", {"optimize": True}),
    "WEBP": ("webp", {"quality": 90}),
}
# What an image's info may keep: transparency is part of the picture, not metadata. (The colour
# profile is passed on by name, since Pillow writes an icc_profile only when asked.)
KEPT_INFO = ("transparency",)

# What an image's info holds of the photo's place, camera and maker, as Pillow reads it: EXIF,
# XMP (WebP's and JPEG's, and PNG's iTXt), comments and IPTC. PNG's other text chunks are read
# separately (`Image.text`).
METADATA_INFO = ("exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop")

# GIF application extensions kept: the loop count (browsers' and an older one), and the colour
# profile. Any other (XMP's "XMP DataXMP" among them) and every comment block is dropped.
GIF_KEPT_APPLICATIONS = (b"NETSCAPE2.0", b"ANIMEXTS1.0", b"ICCRGBG1012")


def without_metadata(upload, name: str | None = None) -> SimpleUploadedFile:
    """`upload` (an image already checked) without its metadata, named after its content's
    format (`name`, or the upload's own, with that extension).

    A JPEG, PNG or WebP is re-encoded by Pillow: EXIF (with a phone's GPS position and camera),
    XMP, IPTC, comments and text chunks go, and so do bytes appended after the image's end; the
    EXIF orientation is applied to the pixels, so the stored size is the size shown; the colour
    profile stays, and so do an animation's frames and timing. A JPEG keeps its own quality
    (its quantisation tables and chroma subsampling). A GIF keeps its image data byte for byte:
    only its comments and foreign application blocks are cut out.
    """
    upload.seek(0)
    with Pillow.open(upload) as image:
        image_format = image.format
        if image_format == "GIF":
            upload.seek(0)
            data, extension = gif_without_metadata(upload.read()), "gif"
        else:
            extension, options = RE_ENCODED[image_format]
            data = _re_encoded(image, options)
    stem = PurePosixPath(name or upload.name or "image").stem or "image"
    return SimpleUploadedFile(
        f"{stem}.{extension}", data, content_type=f"image/{image_format.lower()}"
    )


def _re_encoded(image: Pillow.Image, options: dict) -> bytes:
    options = {**options, **_jpeg_options(image)} if image.format == "JPEG" else dict(options)
    if icc_profile := image.info.get("icc_profile"):
        options["icc_profile"] = icc_profile
    if getattr(image, "is_animated", False):  # an animated PNG or WebP: every frame, upright
        frames, durations = [], []
        for frame in ImageSequence.Iterator(image):
            upright = ImageOps.exif_transpose(frame)  # loads the frame (a WebP's duration too)
            durations.append(upright.info.get("duration", 0))
            frames.append(_clean(upright))
        options.update(
            save_all=True,
            append_images=frames[1:],
            duration=durations,
            loop=image.info.get("loop", 0),
        )
    else:
        frames = [_clean(ImageOps.exif_transpose(image))]
    buffer = BytesIO()
    # The mode is kept (a palette stays a palette, CMYK stays CMYK): each format takes back the
    # modes it opens as, and the colour profile still describes the pixels.
    frames[0].save(buffer, format=image.format, **options)
    return buffer.getvalue()


def _clean(frame: Pillow.Image) -> Pillow.Image:
    """`frame` with no info left for Pillow to write back (EXIF, XMP, comments, text)."""
    frame.info = {key: frame.info[key] for key in KEPT_INFO if key in frame.info}
    return frame


def _jpeg_options(image) -> dict:
    """Save options that re-encode a JPEG at its own quality, as Pillow's quality="keep" does
    (which refuses an image once it is rotated, no longer the JPEG that was opened)."""
    options = {"qtables": image.quantization}
    if (subsampling := JpegImagePlugin.get_sampling(image)) != -1:
        options["subsampling"] = subsampling
    if image.info.get("progressive") or image.info.get("progression"):
        options["progressive"] = True
    return options


def gif_without_metadata(data: bytes) -> bytes:
    """A GIF's bytes without its comment blocks and application blocks other than the loop
    count and the colour profile, and without whatever follows its end.

    A GIF holds no EXIF orientation, and re-encoding it would redo its palette and frames: its
    blocks are copied as they are instead. A block cut short ends the copy there, as a browser
    stops drawing there.
    """
    # Header (6 bytes) and logical screen descriptor (7), then the global colour table if the
    # descriptor's packed byte says there is one.
    end = 13 + (_colour_table_size(data[10]) if len(data) > 10 else 0)
    kept = [data[:end]]
    position = end
    try:
        while position < len(data) and data[position] != 0x3B:  # the trailer
            introducer = data[position]
            if introducer == 0x21:  # an extension: its label, then data sub-blocks
                label = data[position + 1]
                block_end = _sub_blocks_end(data, position + 2)
                first = data[position + 3 : position + 3 + data[position + 2]]
                # Graphic control (frame timing, transparency) and plain text are the picture.
                wanted = label in (0xF9, 0x01) or (
                    label == 0xFF and first[:11] in GIF_KEPT_APPLICATIONS
                )
            elif introducer == 0x2C:  # an image: descriptor, local colour table, LZW data
                table_end = position + 10 + _colour_table_size(data[position + 9])
                block_end = _sub_blocks_end(data, table_end + 1)
                wanted = True
            else:
                break
            if wanted:
                kept.append(data[position:block_end])
            position = block_end
    except IndexError:
        pass  # cut short: keep the blocks read whole
    kept.append(b"\x3b")
    return b"".join(kept)


def _colour_table_size(packed: int) -> int:
    return 3 * 2 ** ((packed & 0x07) + 1) if packed & 0x80 else 0


def _sub_blocks_end(data: bytes, position: int) -> int:
    """Where the data sub-blocks starting at `position` end (after their 0 terminator)."""
    while (size := data[position]) != 0:  # IndexError when the data ends first
        position += 1 + size
    return position + 1


def holds_metadata(data: bytes) -> bool:
    """Whether a stored image still holds what `without_metadata` drops: EXIF (an orientation
    included), XMP, IPTC, comments or text; a GIF, any block `gif_without_metadata` cuts.

    Answers from the bytes alone, so a file stored clean is never re-encoded again (a JPEG
    would lose a little at each pass)."""
    with Pillow.open(BytesIO(data)) as image:
        if image.format == "GIF":
            return gif_without_metadata(data) != data
        image.load()  # a PNG's chunks after its pixels (eXIf, text) are read with them
        return bool(
            image.getexif()
            or any(key in image.info for key in METADATA_INFO)
            or getattr(image, "text", None)
        )


def strip_stored(file: FieldFile, *, dry_run: bool = False) -> bool:
    """Rewrite `file`, an image stored before uploads were stripped, without its metadata, in
    place (pages and Markdown name it by its address); its row's width and height are set to
    the upright picture's. False if it held none, or is missing; with `dry_run`, whether it
    holds some, changing nothing."""
    if not file or not file.storage.exists(file.name):
        return False
    with file.storage.open(file.name, "rb") as stored:
        data = stored.read()
    held = holds_metadata(data)
    if not held or dry_run:
        return held
    stripped = without_metadata(SimpleUploadedFile(file.name, data), file.name)
    name = file.name
    file.storage.delete(name)
    file.name = file.storage.save(name, stripped)
    instance, field = file.instance, file.field
    field.update_dimension_fields(instance, force=True)
    changed = {each: getattr(instance, each) for each in written_fields(field)}
    type(instance)._default_manager.filter(pk=instance.pk).update(**changed)
    return True


def written_fields(field) -> list[str]:
    """The columns `strip_stored` rewrites for an image field: its name and its size."""
    return [each for each in (field.attname, field.width_field, field.height_field) if each]


def announce_stripped(rewritten: list[tuple[models.Model, "StrippedImageField"]]) -> None:
    """Tell the rows' receivers that `strip_stored` rewrote their images, as a save of those
    fields would: their pages show the image's size, which an upright picture swaps (og:image,
    a portrait's box, a library figure in a section's saved HTML). One transaction, so the
    pages are retired in one write, after it commits.

    `strip_stored` writes the size with an update, not a save: a review's save is an editorial
    act (a new version, which an open form would then be refused against)."""
    with transaction.atomic():
        for instance, field in rewritten:
            model = type(instance)
            models.signals.post_save.send(
                sender=model,
                instance=instance,
                created=False,
                update_fields=frozenset(written_fields(field)),
                raw=False,
                using=router.db_for_write(model, instance=instance),
            )


def stripped_fields() -> list[tuple[type[models.Model], "StrippedImageField"]]:
    """Every model's stripped image field."""
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, StrippedImageField)
    ]


class StrippedImageFieldFile(ImageFieldFile):
    def save(self, name, content, save=True):
        # Django stores a new upload through here (FileField.pre_save), as does any code that
        # calls field.save(); the dimension fields are then read from the stored file.
        stripped = without_metadata(content, name)
        super().save(str(PurePosixPath(name or "image").with_name(stripped.name)), stripped, save)


class StrippedImageField(models.ImageField):
    """An ImageField whose files are stored without their metadata (`without_metadata`)."""

    attr_class = StrippedImageFieldFile

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        # The column is an ImageField's; only what is stored in it differs. Migrations see a
        # plain ImageField, so none is needed and none depends on this module.
        return name, "django.db.models.ImageField", args, kwargs
