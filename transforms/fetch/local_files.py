"""Reading feeds and pages the user named on local disk (the bundled sample corpus, replays)."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import NamedTuple

from transforms.fetch.content import HTML_MEDIA_TYPES, UndecodableBody, decode_html, looks_like_html


class LocalRead(NamedTuple):
    """A local file's content as the client reports it, or why it could not be used."""

    final_url: str
    content_type: str | None
    body: bytes
    text: str | None
    error_type: str | None
    message: str


def read_local_file(path: Path, kind: str, max_bytes: int) -> LocalRead:
    """Read a feed (bytes) or an HTML page (bytes and decoded text) from ``path``."""
    final_url = path.absolute().as_uri()
    try:
        if not path.is_file():
            return LocalRead(final_url, None, b"", None, "file_not_found", f"no file at {path}")
        if path.stat().st_size > max_bytes:
            message = f"{path} is larger than {max_bytes} bytes"
            return LocalRead(final_url, None, b"", None, "too_large", message)
        body = path.read_bytes()
    except OSError as error:
        return LocalRead(final_url, None, b"", None, "file_not_found", f"cannot read {path}: {error}")
    content_type = mimetypes.guess_type(path.name)[0]
    if kind != "page":
        return LocalRead(final_url, content_type, body, None, None, "")
    if content_type not in HTML_MEDIA_TYPES and not looks_like_html(body):
        message = f"{path} is not HTML (type {content_type or 'unknown'})"
        return LocalRead(final_url, content_type, body, None, "unsupported_content_type", message)
    try:
        text = decode_html(body, None)
    except UndecodableBody as error:
        return LocalRead(final_url, content_type, body, None, "decode_error", str(error))
    return LocalRead(final_url, content_type or "text/html", body, text, None, "")
