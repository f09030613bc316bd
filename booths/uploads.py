"""Uploaded documents: the type is sniffed from the content, images are re-encoded."""

from __future__ import annotations

import io
import math
import secrets
from dataclasses import dataclass
from pathlib import Path

import anyio
import anyio.to_thread
from PIL import Image, UnidentifiedImageError
from starlette.datastructures import UploadFile

from booths.models import DocumentKind
from server.forms import FormError
from server.i18n import gettext as _

# Magic numbers of what we accept; anything else (an executable renamed .pdf, SVG, HTML, ...)
# is refused whatever its name or declared type.
SIGNATURES = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
]


@dataclass(frozen=True)
class StoredFile:
    storage_key: str
    content_type: str
    size: int
    kind: DocumentKind
    filename: str


def sniff(head: bytes) -> str | None:
    """The content type the bytes really are, or None when we do not accept them."""
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def _reencode(data: bytes, max_pixels: int) -> tuple[bytes, str]:
    """Decode and re-encode an image: whatever rode along after or inside it is dropped."""
    out = io.BytesIO()
    try:
        # open() reads only the header: the size is known before a single pixel is decoded,
        # and decoding is what costs memory (4 bytes a pixel, whatever the file's size)
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > max_pixels:
                raise FormError(file=_too_many_pixels(max_pixels))
            image.load()
            keep_alpha = image.mode in ("RGBA", "LA", "P")
            mode = "RGBA" if keep_alpha else "RGB"
            # convert() copies even to the same mode: skip it to hold one decoded image, not two
            clean = image if image.mode == mode else image.convert(mode)
            if keep_alpha:
                clean.save(out, format="PNG", optimize=True)
            else:
                clean.save(out, format="JPEG", quality=88)
    except Image.DecompressionBombError as exc:
        # Pillow's own ceiling (process-wide, far above ours) refused it while reading the header
        raise FormError(file=_too_many_pixels(max_pixels)) from exc
    except (UnidentifiedImageError, OSError) as exc:
        raise FormError(file=_("The image could not be read.")) from exc
    return out.getvalue(), "image/png" if keep_alpha else "image/jpeg"


def _too_many_pixels(max_pixels: int) -> str:
    return _(
        "The image has too many pixels: upload one of at most %(side)d × %(side)d "
        "(about %(megapixels)d megapixels).",
        side=math.isqrt(max_pixels),
        megapixels=round(max_pixels / 1_000_000),
    )


def safe_filename(name: str, content_type: str) -> str:
    """A download name of plain characters with the extension of what the file really is."""
    stem = Path(name or "document").stem
    stem = "".join(ch if ch.isalnum() or ch in "-_ " else "_" for ch in stem).strip() or "document"
    extension = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}[content_type]
    return stem[:80] + extension


async def store(
    upload: UploadFile,
    directory: Path,
    max_bytes: int,
    max_pixels: int,
    *,
    images_only: bool = False,
) -> StoredFile:
    """Check and save an upload under `directory`; a FormError next to "file" says why not."""
    data = await upload.read(max_bytes + 1)
    if not data:
        raise FormError(file=_("The file is empty."))
    if len(data) > max_bytes:
        raise FormError(
            file=_("The file is larger than %(size)s MB.", size=f"{max_bytes / 1_000_000:g}")
        )
    content_type = sniff(data[:16])
    if content_type is None or (images_only and not content_type.startswith("image/")):
        if images_only:
            raise FormError(file=_("Upload a PNG, JPEG, GIF or WebP image."))
        raise FormError(file=_("Upload a PDF or a PNG, JPEG, GIF or WebP image."))
    if content_type.startswith("image/"):
        data, content_type = await anyio.to_thread.run_sync(_reencode, data, max_pixels)
        kind = DocumentKind.IMAGE
    else:
        kind = DocumentKind.PDF
    key = secrets.token_hex(16)
    await anyio.Path(directory).mkdir(parents=True, exist_ok=True)
    await anyio.Path(directory / key).write_bytes(data)
    return StoredFile(
        key, content_type, len(data), kind, safe_filename(upload.filename or "", content_type)
    )


async def remove(directory: Path, storage_key: str) -> None:
    path = anyio.Path(directory / storage_key)
    if await path.exists():
        await path.unlink()
