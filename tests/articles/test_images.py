"""Lead images: validation by content, orientation, metadata stripping and renditions.

Every picture is built with Pillow in the test; uploads go to the per-test MEDIA_ROOT
(tests/conftest.py), so listing that folder shows exactly what a test stored.
"""

import hashlib
import io
import os
import struct
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from PIL import PngImagePlugin

from articles import images
from articles.models import Image
from tests.helpers import media_files

pytestmark = pytest.mark.django_db

RED, BLUE = (255, 0, 0), (0, 0, 255)
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="SECRET-XMP"/>'
    b"</rdf:RDF></x:xmpmeta>"
)
# Bytes that only metadata could bring into a stored file.
METADATA_MARKERS = (b"Exif", b"EXIF", b"eXIf", b"http://ns.adobe.com/xap", b"SECRET")
METADATA_INFO_KEYS = {"exif", "xmp", "comment", "XML:com.adobe.xmp", "Comment", "Description"}


# --- helpers ---------------------------------------------------------------------------


def picture(size=(200, 100), mode="RGB", color=RED) -> PILImage.Image:
    return PILImage.new(mode, size, color)


def halves(size=(200, 100)) -> PILImage.Image:
    """Left half red, right half blue: shows which way a picture was turned."""
    image = picture(size, color=RED)
    image.paste(BLUE, (size[0] // 2, 0, size[0], size[1]))
    return image


def encode(image: PILImage.Image, pil_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, pil_format, **options)
    return buffer.getvalue()


def secret_exif(orientation: int | None = None) -> PILImage.Exif:
    exif = PILImage.Exif()
    exif[0x010E] = "SECRET-EXIF description"  # ImageDescription
    exif[0x8825] = {1: "N", 2: (31.0, 46.0, 0.0), 3: "E", 4: (35.0, 13.0, 0.0)}  # GPS
    if orientation:
        exif[0x0112] = orientation
    return exif


def store(data: bytes, name: str = "photo.jpg", **fields) -> Image:
    image = Image(file=SimpleUploadedFile(name, data), **fields)
    image.save()
    return image


def stored_paths(image: Image) -> list[Path]:
    """The original and every rendition of a stored image, as files on disk."""
    storage = image.file.storage
    names = [image.file.name]
    names += [name for copies in image.renditions.values() for name in copies.values()]
    return [Path(storage.path(name)) for name in names]


def assert_no_metadata(path: Path) -> None:
    data = path.read_bytes()
    for marker in METADATA_MARKERS:
        assert marker not in data, f"{marker!r} found in {path.name}"
    with PILImage.open(path) as opened:
        assert dict(opened.getexif()) == {}, path.name
        assert not METADATA_INFO_KEYS & set(opened.info), (path.name, opened.info.keys())


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` but whose pixel data is a few bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 10))
        + chunk(b"IEND", b"")
    )


def refused(data: bytes, name: str = "photo.jpg") -> str:
    """Save an upload that must be refused; return the message. Nothing may be stored."""
    with pytest.raises(ValidationError) as caught:
        store(data, name)
    assert Image.objects.count() == 0
    assert media_files() == set()
    return " ".join(caught.value.messages)


def close_to(actual, expected, tolerance=40) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=False))


# --- validation: what is accepted, what is refused ------------------------------------


@pytest.mark.parametrize(
    ("pil_format", "name", "stored_format", "extension"),
    [
        ("JPEG", "photo.png", "JPEG", ".jpg"),
        ("PNG", "photo.jpg", "PNG", ".png"),
        ("WEBP", "photo.gif", "WEBP", ".webp"),
        ("GIF", "photo.webp", "PNG", ".png"),
    ],
)
def test_format_is_judged_by_content_not_name(pil_format, name, stored_format, extension):
    image = store(encode(picture(), pil_format), name)
    assert image.file.name.endswith(extension)
    with PILImage.open(image.file.path) as opened:
        assert opened.format == stored_format
        assert opened.size == (200, 100)
    assert (image.width, image.height) == (200, 100)


def test_multi_picture_jpeg_from_a_camera_is_accepted_as_jpeg():
    # Phones and cameras write MPO: a JPEG with extra frames (preview, depth map).
    data = encode(picture(color=RED), "MPO", save_all=True, append_images=[picture(color=BLUE)])
    image = store(data, "IMG_0001.JPG")
    with PILImage.open(image.file.path) as opened:
        assert opened.format == "JPEG"
        assert close_to(opened.getpixel((5, 5)), RED)


def test_text_file_renamed_jpg_is_refused_clearly():
    message = refused(b"Dear editor,\nthis is a letter, not a photo.\n", "photo.jpg")
    assert "not an image" in message


def test_text_file_is_refused_by_model_validation_too():
    # The admin path: the field validator runs in full_clean before anything is saved.
    image = Image(file=SimpleUploadedFile("photo.jpg", b"plain text"), alt_text="x")
    with pytest.raises(ValidationError) as caught:
        image.full_clean()
    assert "not an image" in " ".join(caught.value.message_dict["file"])


def test_other_image_formats_are_refused_with_their_name():
    message = refused(encode(picture(), "BMP"), "photo.bmp")
    assert "Unsupported image format BMP" in message


def test_truncated_jpeg_is_refused():
    message = refused(encode(picture((300, 300)), "JPEG")[:400])
    assert "damaged or truncated" in message


def test_file_over_the_byte_limit_is_refused(settings):
    data = encode(picture(), "PNG")
    settings.IMAGE_MAX_BYTES = len(data) - 1
    message = refused(data, "photo.png")
    assert "too large" in message
    assert f"{len(data):,} bytes" in message


def test_byte_limit_is_checked_before_the_content(settings):
    settings.IMAGE_MAX_BYTES = 10
    assert "too large" in refused(b"not an image but long enough")


def test_picture_over_the_pixel_limit_is_refused(settings):
    settings.IMAGE_MAX_PIXELS = 200 * 100 - 1
    message = refused(encode(picture(), "JPEG"))
    assert "200x100 pixels" in message
    assert "limit" in message


@pytest.mark.parametrize(("width", "height"), [(9_000, 9_000), (100_000, 100_000)])
def test_decompression_bomb_header_is_refused_before_decoding(width, height):
    # Decoding these few bytes would fail as truncated: the size must be judged first.
    with pytest.raises(ValidationError) as caught:
        images.normalise(SimpleUploadedFile("bomb.png", png_header(width, height)))
    message = " ".join(caught.value.messages)
    assert "pixels" in message
    assert "too large" in message or "more than the limit" in message
    assert "truncated" not in message


def test_small_picture_is_accepted_at_the_pixel_limit(settings):
    settings.IMAGE_MAX_PIXELS = 200 * 100
    assert store(encode(picture(), "JPEG")).width == 200


# --- orientation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("orientation", "size", "top_left", "bottom_right"),
    [
        (1, (200, 100), RED, BLUE),
        (3, (200, 100), BLUE, RED),  # turned half a turn
        (6, (100, 200), RED, BLUE),  # turned a quarter clockwise: left half on top
        (8, (100, 200), BLUE, RED),  # turned a quarter anticlockwise: right half on top
    ],
)
def test_exif_orientation_is_applied_to_the_pixels(orientation, size, top_left, bottom_right):
    data = encode(halves(), "JPEG", quality=95, exif=secret_exif(orientation))
    image = store(data)
    assert (image.width, image.height) == size
    with PILImage.open(image.file.path) as opened:
        assert opened.size == size
        assert close_to(opened.convert("RGB").getpixel((3, 3)), top_left)
        assert close_to(opened.convert("RGB").getpixel((size[0] - 4, size[1] - 4)), bottom_right)
        assert opened.getexif().get(0x0112) is None  # not rotated a second time by a browser


def test_rotated_picture_keeps_its_rotated_size_after_reload():
    image = store(encode(halves(), "JPEG", exif=secret_exif(6)))
    image.refresh_from_db()
    assert (image.width, image.height) == (100, 200)
    widths = {int(width) for width in image.renditions["jpg"]}
    assert widths == {100}


# --- metadata stripping --------------------------------------------------------------------


def png_with_metadata() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    info.add_text("Comment", "SECRET comment")
    return encode(picture(), "PNG", pnginfo=info, exif=secret_exif(6))


@pytest.mark.parametrize(
    ("name", "data"),
    [
        (
            "phone.jpg",
            encode(picture(), "JPEG", exif=secret_exif(6), xmp=XMP, comment=b"SECRET comment"),
        ),
        ("phone.webp", encode(picture(), "WEBP", exif=secret_exif(6), xmp=XMP)),
        ("phone.png", png_with_metadata()),
        ("phone.gif", encode(picture(), "GIF", comment=b"SECRET comment")),
    ],
    ids=["jpeg", "webp", "png", "gif"],
)
def test_metadata_is_stripped_from_original_and_every_rendition(name, data):
    # The upload really carries the metadata, or this test would prove nothing.
    assert any(marker in data for marker in (b"SECRET-EXIF", b"SECRET comment"))
    image = store(data, name)
    paths = stored_paths(image)
    # The original, a WebP and a JPEG rendition per width (120 px and its own, at most 200 px),
    # three ratio crops.
    widths = sorted(image.renditions["webp"], key=int)
    assert widths == sorted(image.renditions["jpg"], key=int)
    assert 1 <= len(widths) <= 2
    assert len(paths) == 1 + 2 * len(widths) + 3
    for path in paths:
        assert_no_metadata(path)


def test_gps_position_is_gone_from_the_stored_original():
    image = store(encode(picture(), "JPEG", exif=secret_exif()))
    with PILImage.open(image.file.path) as opened:
        assert opened.getexif().get_ifd(0x8825) == {}


# --- GIF and transparency -----------------------------------------------------------------


def test_animated_gif_keeps_its_first_frame_as_png():
    frames = [picture((40, 30), color=RED), picture((40, 30), color=BLUE)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    image = store(data, "animation.gif")
    assert image.file.name.endswith(".png")
    with PILImage.open(image.file.path) as opened:
        assert opened.format == "PNG"
        assert not getattr(opened, "is_animated", False)
        assert close_to(opened.convert("RGB").getpixel((10, 10)), RED, tolerance=0)


def test_transparent_gif_keeps_its_transparency():
    frame = picture((40, 30), mode="P", color=0)
    frame.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    frame.paste(1, (20, 0, 40, 30))
    data = encode(frame, "GIF", transparency=1)
    image = store(data, "cut-out.gif")
    with PILImage.open(image.file.path) as opened:
        rgba = opened.convert("RGBA")
        assert rgba.getpixel((5, 5))[3] == 255
        assert rgba.getpixel((35, 5))[3] == 0


@pytest.mark.parametrize("mode", ["RGBA", "LA"])
def test_png_with_alpha_keeps_alpha(mode):
    base = picture((200, 100), mode="RGBA", color=(255, 0, 0, 255))
    base.paste((0, 0, 0, 0), (100, 0, 200, 100))  # right half fully transparent
    image = store(encode(base.convert(mode), "PNG"), "logo.png")
    with PILImage.open(image.file.path) as opened:
        assert opened.format == "PNG"
        assert opened.mode == mode
        assert opened.getchannel("A").getpixel((10, 10)) == 255
        assert opened.getchannel("A").getpixel((150, 10)) == 0
    webp = Path(image.file.storage.path(image.renditions["webp"]["200"]))
    with PILImage.open(webp) as opened:
        assert "A" in opened.getbands()
        assert opened.getchannel("A").getpixel((150, 10)) < 10


def test_palette_png_with_transparency_keeps_it():
    base = picture((40, 30), mode="P", color=0)
    base.putpalette([0, 128, 0] * 256)
    image = store(encode(base, "PNG", transparency=0), "icon.png")
    with PILImage.open(image.file.path) as opened:
        assert opened.convert("RGBA").getpixel((5, 5))[3] == 0


# --- renditions --------------------------------------------------------------------------


@pytest.fixture
def small_widths(settings):
    settings.IMAGE_RENDITION_WIDTHS = (100, 200, 400)


@pytest.mark.usefixtures("small_widths")
def test_renditions_are_webp_and_jpeg_at_the_configured_widths():
    image = store(encode(picture((500, 250)), "JPEG"))
    assert set(image.renditions) == {"webp", "jpg", "crops"}
    for extension, pil_format in (("webp", "WEBP"), ("jpg", "JPEG")):
        assert sorted(int(width) for width in image.renditions[extension]) == [100, 200, 400]
        for width, name in image.renditions[extension].items():
            with PILImage.open(image.file.storage.path(name)) as opened:
                assert opened.format == pil_format
                assert opened.size == (int(width), int(width) // 2)
    image.refresh_from_db()
    assert sorted(int(width) for width in image.renditions["webp"]) == [100, 200, 400]


@pytest.mark.usefixtures("small_widths")
def test_renditions_never_exceed_the_original_width():
    image = store(encode(picture((300, 150)), "JPEG"))
    for extension in ("webp", "jpg"):
        widths = sorted(int(width) for width in image.renditions[extension])
        assert max(widths) <= 300
        assert {100, 200} <= set(widths)  # every configured width the picture can fill
        assert set(widths) - {100, 200} <= {300}  # plus, at most, its own width
    assert image.jpeg_srcset.count("w,") == len(image.renditions["jpg"]) - 1


def test_rendition_widths_rule():
    configured = max(settings.IMAGE_RENDITION_WIDTHS)
    assert images.rendition_widths(configured * 2) == sorted(settings.IMAGE_RENDITION_WIDTHS)
    assert all(width <= 300 for width in images.rendition_widths(300))


def test_renditions_are_made_once_not_on_every_save():
    image = store(encode(picture((300, 150)), "JPEG"))
    files = media_files()
    paths = stored_paths(image)
    for path in paths:
        os.utime(path, (1_000_000, 1_000_000))  # an old time that a rewrite would replace
    renditions = image.renditions

    image.caption = "A new caption"
    image.save()
    Image.objects.get(pk=image.pk).save()

    assert media_files() == files
    assert all(path.stat().st_mtime == 1_000_000 for path in paths)
    assert Image.objects.get(pk=image.pk).renditions == renditions


def test_source_digest_is_of_the_bytes_as_received():
    data = encode(picture(), "JPEG", exif=secret_exif(6))
    image = store(data)
    assert image.source_sha256 == hashlib.sha256(data).hexdigest()
    assert Path(image.file.path).read_bytes() != data  # what is stored was re-encoded
