"""A photo as a phone stores it, for the tests that upload one and check what is kept of it."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageCms

# What a reader of the stored file must not learn: the camera and where the photo was taken.
CAMERA = b"Pixel 7 Pro"
SECRETS = (CAMERA, b"Google", b"51 Park Road", b"home-laptop")
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def phone_photo_bytes(size: tuple[int, int] = (600, 400)) -> bytes:
    """A JPEG as a phone stores a portrait photo: the sensor's landscape pixels (`size`) and an
    EXIF orientation that shows them turned 90° clockwise, the camera, the GPS position, an
    XMP packet and a comment, and an sRGB colour profile. The sensor's left edge is red, so the
    picture shown upright is red along its top."""
    picture = Image.new("RGB", size, (0, 0, 255))
    picture.paste((255, 0, 0), (0, 0, size[0] // 6, size[1]))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Google"
    exif[ExifTags.Base.Model] = CAMERA.decode()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (51.0, 30.0, 26.0),
        ExifTags.GPS.GPSLongitudeRef: "W",
        ExifTags.GPS.GPSLongitude: (0.0, 7.0, 39.0),
    }
    buffer = BytesIO()
    picture.save(
        buffer,
        "JPEG",
        quality=95,
        exif=exif,
        icc_profile=SRGB,
        xmp=b"<x:xmpmeta><Iptc4xmpCore:Location>51 Park Road</Iptc4xmpCore:Location></x:xmpmeta>",
        comment=b"Edited on home-laptop",
    )
    data = buffer.getvalue()
    assert all(secret in data for secret in SECRETS)
    with Image.open(BytesIO(data)) as made:
        assert made.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return data


def phone_photo(name: str = "IMG_2041.jpg", size: tuple[int, int] = (600, 400)):
    """`phone_photo_bytes` as an uploaded file."""
    return SimpleUploadedFile(name, phone_photo_bytes(size), content_type="image/jpeg")


def assert_private_and_upright(data: bytes, size: tuple[int, int] = (400, 600)) -> None:
    """`data`, a stored phone photo, says nothing of the camera or the place, is stored upright
    (`size`, red along the top), and keeps its colour profile."""
    for secret in SECRETS:
        assert secret not in data, secret
    with Image.open(BytesIO(data)) as stored:
        assert stored.format == "JPEG", stored.format
        assert not stored.getexif(), dict(stored.getexif())
        kept = {"exif", "xmp", "comment", "photoshop"} & set(stored.info)
        assert not kept, f"metadata kept: {kept}"
        assert stored.size == size, f"stored {stored.size}, shown {size}"
        width, height = size
        red, _green, blue = stored.getpixel((width // 2, 10))
        assert (red > 200, blue < 60) == (True, True), "the top is the sensor's red left edge"
        red, _green, blue = stored.getpixel((width // 2, height - 10))
        assert (red < 60, blue > 200) == (True, True), "the bottom is blue"
        assert stored.info.get("icc_profile") == SRGB, "the colour profile is lost"
