"""WebP renditions of images, turned upright, metadata (GPS and all) left behind: small
thumbnails for every image, and larger previews of photos browsers cannot show (HEIC)."""

from __future__ import annotations

import io
from typing import BinaryIO

from uploads.metadata import pillow

THUMBNAIL_SIZE = (480, 480)
PREVIEW_SIZE = (2048, 2048)
EXIF_ORIENTATION = 0x0112


def make_thumbnail(source: BinaryIO, *, size: tuple[int, int] = THUMBNAIL_SIZE) -> bytes:
    """A WebP no larger than `size`, with the EXIF orientation applied.

    Memory stays bounded: metadata.extract has already refused images above the pixel
    budget (and Pillow's own bomb check is set to it), JPEGs decode at a reduced scale,
    and the image is shrunk before it is turned, so no full-size copy is made. (A HEIF
    image decodes whole, within the pixel budget, and arrives upright.)
    """
    from PIL import ImageOps  # on first use, not at cold start

    with pillow().open(source) as image:
        # JPEGs decode straight at a reduced scale: a 20 MP photo never needs full memory.
        image.draft("RGB", size)
        orientation = image.getexif().get(EXIF_ORIENTATION)
        image.thumbnail(size)
        upright = ImageOps.exif_transpose(image.copy()) if orientation not in (None, 1) else image
        if upright.mode not in ("RGB", "RGBA"):
            upright = upright.convert("RGBA" if "transparency" in upright.info else "RGB")
        out = io.BytesIO()
        # Saved without exif=: nothing of the original's metadata travels along.
        upright.save(out, "WEBP", quality=80)
    return out.getvalue()
