"""Evidence images: the accepted types and size, and the type the bytes themselves show.

Plain Python, imported by both environments: the WeChat channel checks a photo before it uploads
it, and the referral service checks it again when it receives it (referral/attachments.py).
"""

from __future__ import annotations

MAX_IMAGE_BYTES = 5 * 1024 * 1024  # 5 MB: a phone photo; anything larger is refused
# Accepted media types → the name a message gives them.
IMAGE_TYPES: dict[str, str] = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP"}


def image_type(data: bytes) -> str | None:
    """The content type of a JPEG, PNG or WebP image, judged by its magic bytes; None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None
