"""Image files: validation, normalisation and resized renditions.

Every image enters the library through ``normalise()``, from the admin or the importer:
EXIF orientation is applied to the pixels, then the picture is re-encoded from its pixels
alone, so no EXIF, GPS, XMP or comment travels to what is stored and served. The admin's
upload field (``ImageUploadField``) and the model field's validator run the same checks first,
so an editor sees the same message the importer prints.

Renditions (``renditions()``) are made later, by ``articles.tasks.make_renditions``, from the
stored original; their names carry a digest of it (``rendition_digest()``), so a name always
means the same bytes and can be cached for good.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

# MPO is the JPEG that cameras and phones write with extra frames (preview, depth map).
ACCEPTED_FORMATS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "png"}
ACCEPT = "image/jpeg,image/png,image/webp,image/gif"  # the file picker's filter, a hint only
RENDITION_FORMATS = {"webp": "WEBP", "jpg": "JPEG"}
# Part of every rendition's digest: raise it when the way renditions are encoded changes, so
# the new copies get new names and no cache keeps serving the old ones.
RENDITION_VERSION = 1


@dataclass(frozen=True)
class NormalisedImage:
    content: ContentFile
    extension: str
    width: int
    height: int


def _check_size(fileobj) -> None:
    size = getattr(fileobj, "size", None)
    if size is not None and size > settings.IMAGE_MAX_BYTES:
        limit = settings.IMAGE_MAX_BYTES // (1024 * 1024)
        raise ValidationError(
            f"The image file is too large ({size:,} bytes; the limit is {limit} MB)."
        )


def _open(fileobj, *, decode: bool = True) -> PILImage.Image:
    """Open an upload and, with ``decode``, decode every pixel; raise ValidationError naming
    the problem. Without ``decode`` only the header is read: the size, format and pixel-count
    checks, cheap enough for a form field to run before anything else touches the file."""
    _check_size(fileobj)
    fileobj.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        try:
            picture = PILImage.open(fileobj)
            if picture.format not in ACCEPTED_FORMATS:
                raise ValidationError(
                    f"Unsupported image format {picture.format}: use JPEG, PNG, WebP or GIF."
                )
            pixels = picture.width * picture.height
            if pixels > settings.IMAGE_MAX_PIXELS:
                raise ValidationError(
                    f"The image is {picture.width}x{picture.height} pixels, more than the "
                    f"limit of {settings.IMAGE_MAX_PIXELS:,} pixels."
                )
            if decode:
                picture.load()
        except (PILImage.DecompressionBombWarning, PILImage.DecompressionBombError) as exc:
            raise ValidationError(
                f"The image is too large to decode safely (the limit is "
                f"{settings.IMAGE_MAX_PIXELS:,} pixels): {exc}"
            ) from exc
        except UnidentifiedImageError as exc:
            raise ValidationError("The file is not an image (JPEG, PNG, WebP or GIF).") from exc
        except OSError as exc:
            raise ValidationError(f"The image file is damaged or truncated: {exc}") from exc
    if not decode:
        fileobj.seek(0)
    return picture


def digest(fileobj) -> str:
    """SHA-256 of a file's bytes as received."""
    fileobj.seek(0)
    sha = hashlib.sha256()
    for chunk in iter(lambda: fileobj.read(1024 * 1024), b""):
        sha.update(chunk)
    fileobj.seek(0)
    return sha.hexdigest()


def validate_image_file(fileobj) -> None:
    """Model-field validator: the upload must be an image this library accepts."""
    if getattr(fileobj, "_committed", True):
        return  # already stored, so already validated
    _open(fileobj)


class ImageUploadField(forms.FileField):
    """The admin's upload field. Django's ``forms.ImageField`` would judge the file by its
    name and answer every problem with one generic message; this runs the library's own
    checks (size, format by content, pixel count, decompression bombs) from the header, so the
    editor reads the reason, and a bomb is refused before the model field reads its size. The
    model field's validator then decodes the whole picture, as for the importer."""

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is not None:
            _open(upload, decode=False)
        return upload

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput) and "accept" not in widget.attrs:
            attrs["accept"] = ACCEPT
        return attrs


def _pixels_only(picture: PILImage.Image) -> PILImage.Image:
    """The picture upright, as a new image that carries no metadata at all."""
    upright = ImageOps.exif_transpose(picture)
    if upright.mode not in {"RGB", "RGBA", "L", "LA"}:
        has_alpha = "A" in upright.getbands() or "transparency" in upright.info
        upright = upright.convert("RGBA" if has_alpha else "RGB")
    clean = PILImage.new(upright.mode, upright.size)
    clean.paste(upright)
    return clean


def _flatten(picture: PILImage.Image) -> PILImage.Image:
    """An RGB copy for JPEG: transparent parts become white, not black."""
    if picture.mode == "RGB":
        return picture
    if "A" in picture.getbands() or "transparency" in picture.info:
        rgba = picture.convert("RGBA")
        white = PILImage.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return picture.convert("RGB")


def _encode(picture: PILImage.Image, pil_format: str, quality: int = 82) -> bytes:
    buffer = io.BytesIO()
    if pil_format == "JPEG":
        picture = _flatten(picture)
        picture.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    elif pil_format == "WEBP":
        picture.save(buffer, "WEBP", quality=quality, method=4)
    else:
        picture.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def normalise(fileobj) -> NormalisedImage:
    """Validate an upload and return it upright and stripped of metadata."""
    picture = _open(fileobj)
    source_format = picture.format
    clean = _pixels_only(picture)
    extension = ACCEPTED_FORMATS[source_format]
    pil_format = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}[extension]
    data = _encode(clean, pil_format, quality=90)
    return NormalisedImage(ContentFile(data), extension, clean.width, clean.height)


def rendition_widths(original_width: int) -> list[int]:
    """The srcset widths for an image: the configured ones it can fill, plus its own width
    when it is narrower than the widest configured one."""
    widths = [w for w in settings.IMAGE_RENDITION_WIDTHS if w < original_width]
    if original_width <= max(settings.IMAGE_RENDITION_WIDTHS):
        widths.append(original_width)
    else:
        widths.append(max(settings.IMAGE_RENDITION_WIDTHS))
    return sorted(set(widths))


def rendition_digest(data: bytes) -> str:
    """Eight hex digits that change whenever a stored original (or the way its renditions
    are encoded) changes: the part of a rendition's name that makes it safe to cache forever."""
    return hashlib.sha256(f"v{RENDITION_VERSION}:".encode() + data).hexdigest()[:8]


def renditions(data: bytes):
    """Yield ``(width, extension, bytes)`` for each rendition (``rendition_widths()`` times
    ``RENDITION_FORMATS``) of a stored, already normalised image, decoding it once."""
    with PILImage.open(io.BytesIO(data)) as picture:
        picture.load()
        for width in rendition_widths(picture.width):
            copy = picture
            if picture.width > width:
                height = max(1, round(picture.height * width / picture.width))
                copy = picture.resize(
                    (width, height), PILImage.Resampling.LANCZOS, reducing_gap=3.0
                )
            for extension, pil_format in RENDITION_FORMATS.items():
                yield width, extension, _encode(copy, pil_format)


# Crops in the ratios search engines ask for (a story's structured data offers all three).
CROP_RATIOS = {"16x9": (16, 9), "4x3": (4, 3), "1x1": (1, 1)}
CROP_WIDTH = 1200


def crop_box(width: int, height: int, ratio: tuple[int, int], focal: tuple[int, int]):
    """The largest box of ``ratio`` inside the picture, centred on the focal point (in
    percent) as far as the picture's edges allow."""
    ratio_w, ratio_h = ratio
    if width * ratio_h > height * ratio_w:
        box_w, box_h = max(1, round(height * ratio_w / ratio_h)), height
    else:
        box_w, box_h = width, max(1, round(width * ratio_h / ratio_w))
    centre_x, centre_y = width * focal[0] / 100, height * focal[1] / 100
    left = min(max(round(centre_x - box_w / 2), 0), width - box_w)
    top = min(max(round(centre_y - box_h / 2), 0), height - box_h)
    return left, top, left + box_w, top + box_h


def crops(data: bytes, focal: tuple[int, int]):
    """Yield ``(key, bytes)``: a JPEG for each of ``CROP_RATIOS``, at most ``CROP_WIDTH``
    wide, cut around ``focal``."""
    with PILImage.open(io.BytesIO(data)) as picture:
        picture.load()
        for key, ratio in CROP_RATIOS.items():
            cut = picture.crop(crop_box(picture.width, picture.height, ratio, focal))
            if cut.width > CROP_WIDTH:
                height = max(1, round(cut.height * CROP_WIDTH / cut.width))
                cut = cut.resize((CROP_WIDTH, height), PILImage.Resampling.LANCZOS)
            yield key, _encode(cut, "JPEG")
