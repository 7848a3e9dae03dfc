"""Small WebP previews of images: turned upright, metadata (GPS and all) left behind."""

from __future__ import annotations

import io
from typing import BinaryIO

THUMBNAIL_SIZE = (480, 480)


def make_thumbnail(source: BinaryIO) -> bytes:
    """A WebP no larger than THUMBNAIL_SIZE, with the EXIF orientation applied."""
    from PIL import Image, ImageOps  # on first use, not at cold start

    with Image.open(source) as image:
        # JPEGs decode straight at a reduced scale: a 20 MP photo never needs full memory.
        image.draft("RGB", THUMBNAIL_SIZE)
        upright = ImageOps.exif_transpose(image)
        upright.thumbnail(THUMBNAIL_SIZE)
        if upright.mode not in ("RGB", "RGBA"):
            upright = upright.convert("RGBA" if "transparency" in upright.info else "RGB")
        out = io.BytesIO()
        # Saved without exif=: nothing of the original's metadata travels along.
        upright.save(out, "WEBP", quality=80)
    return out.getvalue()
