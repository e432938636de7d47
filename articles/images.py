"""Image files: validation, normalisation and resized renditions.

Every image enters the library through ``normalise()``, from the admin or the importer:
EXIF orientation is applied to the pixels, then the picture is re-encoded from its pixels
alone, so no EXIF, GPS, XMP or comment travels to what is stored and served.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

# MPO is the JPEG that cameras and phones write with extra frames (preview, depth map).
ACCEPTED_FORMATS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "png"}
RENDITION_FORMATS = {"webp": "WEBP", "jpg": "JPEG"}


@dataclass(frozen=True)
class NormalisedImage:
    content: ContentFile
    extension: str
    width: int
    height: int


def _open(fileobj) -> PILImage.Image:
    """Open and fully decode an upload, or raise ValidationError naming the problem."""
    size = getattr(fileobj, "size", None)
    if size is not None and size > settings.IMAGE_MAX_BYTES:
        limit = settings.IMAGE_MAX_BYTES // (1024 * 1024)
        raise ValidationError(
            f"The image file is too large ({size:,} bytes; the limit is {limit} MB)."
        )
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
            picture.load()
        except (PILImage.DecompressionBombWarning, PILImage.DecompressionBombError) as exc:
            raise ValidationError(f"The image is too large to decode safely: {exc}") from exc
        except UnidentifiedImageError as exc:
            raise ValidationError("The file is not an image (JPEG, PNG, WebP or GIF).") from exc
        except OSError as exc:
            raise ValidationError(f"The image file is damaged or truncated: {exc}") from exc
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


def _pixels_only(picture: PILImage.Image) -> PILImage.Image:
    """The picture upright, as a new image that carries no metadata at all."""
    upright = ImageOps.exif_transpose(picture)
    if upright.mode not in {"RGB", "RGBA", "L", "LA"}:
        has_alpha = "A" in upright.getbands() or "transparency" in upright.info
        upright = upright.convert("RGBA" if has_alpha else "RGB")
    clean = PILImage.new(upright.mode, upright.size)
    clean.paste(upright)
    return clean


def _encode(picture: PILImage.Image, pil_format: str, quality: int = 82) -> bytes:
    buffer = io.BytesIO()
    if pil_format == "JPEG":
        if picture.mode != "RGB":
            picture = picture.convert("RGB")
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


def render(fileobj, width: int, extension: str) -> bytes:
    """One resized copy of a stored (already normalised) image."""
    fileobj.seek(0)
    with PILImage.open(fileobj) as picture:
        picture.load()
        if picture.width > width:
            height = round(picture.height * width / picture.width)
            picture = picture.resize((width, height), PILImage.Resampling.LANCZOS)
        return _encode(picture, RENDITION_FORMATS[extension])
