"""Uploaded files on disk: stored under a random id, checked by content, never by name alone.

    store = FileStore(directory)
    stored = store.save(stream, "receipt.pdf", "application/pdf", max_size=..., accept=...)
    stored.value -> {"id", "name", "size", "type", "sha256"}   what a ``file`` field holds
    store.path(file_id), store.delete(file_id)

A file is named on disk by a random id (``<directory>/<id[:2]>/<id>``), never by the name the
user gave, so a name such as ``../../etc/passwd`` is only ever text. Bytes are streamed into a
temporary file in the same directory and renamed into place once complete, so a half-written
file never appears under an id. The size limit is checked while streaming: an oversized upload
is refused as soon as it passes the limit and what was written is removed.

The type is the one the name's extension (or, without one, the declared type) claims, and it
must be both accepted by the field and confirmed by the content's magic bytes: an HTML page,
an SVG image or a program renamed ``photo.png`` is refused. Only the types in
:data:`~apiary.definition.compiled.FILE_TYPES` can be confirmed, so only they are ever stored.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import os
import re
import secrets
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Final

from apiary.definition.compiled import FILE_TYPES
from apiary.storage.errors import StorageError

CHUNK: Final = 64 * 1024
HEAD: Final = 8 * 1024
MAX_NAME: Final = 200
FILE_ID: Final = re.compile(r"[0-9a-f]{32}")
_EXTENSIONS: Final = {ext: mime for mime, exts in FILE_TYPES.items() for ext in exts}
_TEXT: Final = frozenset({"text/plain", "text/csv"})
_MARKUP: Final = (b"<!doctype", b"<html", b"<head", b"<body", b"<svg", b"<?xml", b"<script",
                  b"<iframe", b"<!--")
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_OLE: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP: Final = b"PK\x03\x04"
_OOXML_PARTS: Final = {"wordprocessingml": "word/", "spreadsheetml": "xl/",
                       "presentationml": "ppt/"}


class FileRefused(StorageError):
    """An upload that is not stored: too large, empty, or not of an accepted type."""


class FileTooLarge(FileRefused):
    pass


@dataclass(frozen=True, slots=True)
class StoredFile:
    id: str
    name: str
    size: int
    type: str
    sha256: str

    @property
    def value(self) -> dict[str, Any]:
        """What a ``file`` field stores for this file."""
        return {"id": self.id, "name": self.name, "size": self.size, "type": self.type,
                "sha256": self.sha256}


class FileStore:
    """The files of every app, in one directory (``APIARY_FILES_DIR``)."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def save(self, stream: BinaryIO, name: str, declared_type: str | None, *,
             max_size: int, accept: Sequence[str]) -> StoredFile:
        """Store ``stream`` as a new file; raises :class:`FileRefused` and keeps nothing then."""
        name = safe_name(name)
        claimed = claimed_type(name, declared_type)
        if claimed not in accept:
            raise FileRefused(f"“{name}” is not a type this field accepts; "
                              f"allowed: {describe_types(accept)}.")
        file_id = secrets.token_hex(16)
        final = self.path(file_id)
        final.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=".upload-", dir=final.parent)
        temp = Path(temp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                size, digest, head, is_text = _copy(stream, out, max_size, name)
            if size == 0:
                raise FileRefused(f"“{name}” is empty; choose the file again.")
            if not _content_is(claimed, head, is_text, temp):
                raise FileRefused(f"The contents of “{name}” are not {describe_types([claimed])}"
                                  " as its name says; only real files of the allowed types "
                                  "can be uploaded.")
            os.replace(temp, final)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
            raise
        return StoredFile(file_id, name, size, claimed, digest)

    def path(self, file_id: str) -> Path:
        """Where the file ``file_id`` is kept; only a well-formed id names a path."""
        if not isinstance(file_id, str) or not FILE_ID.fullmatch(file_id):
            raise FileRefused("That is not the id of a stored file.")
        return self.directory / file_id[:2] / file_id

    def exists(self, file_id: str) -> bool:
        try:
            return self.path(file_id).is_file()
        except FileRefused:
            return False

    def delete(self, file_id: str) -> None:
        """Remove a stored file; removing one that is not there is not an error."""
        with contextlib.suppress(FileNotFoundError, FileRefused):
            self.path(file_id).unlink()


def safe_name(name: str) -> str:
    """The last part of a file name without control characters, at most ``MAX_NAME`` long."""
    base = re.split(r"[/\\]", name or "")[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base)
                   if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    if len(base) > MAX_NAME:
        stem, dot, ext = base.rpartition(".")
        base = (stem[:MAX_NAME - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 \
            else base[:MAX_NAME]
    return base or "file"


def claimed_type(name: str, declared_type: str | None) -> str:
    """The type a file says it is: by its extension, else by the type the browser declared."""
    _, dot, ext = name.rpartition(".")
    if dot and f".{ext.lower()}" in _EXTENSIONS:
        return _EXTENSIONS[f".{ext.lower()}"]
    declared = (declared_type or "").partition(";")[0].strip().lower()
    return declared or "application/octet-stream"


def describe_types(types: Sequence[str]) -> str:
    """Types as the extensions people know them by: ``.png, .jpg, .pdf``."""
    exts = [e for t in types for e in FILE_TYPES.get(t, (t,))]
    return ", ".join(exts) or "none"


def _copy(stream: BinaryIO, out: BinaryIO, max_size: int,
          name: str) -> tuple[int, str, bytes, bool]:
    """Copy with the limit; returns size, sha256, the first bytes and whether it is UTF-8 text."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    head = b""
    size = 0
    is_text = True
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > max_size:
            raise FileTooLarge(f"“{name}” is larger than {human_size(max_size)}, the most "
                               "this field accepts.")
        out.write(chunk)
        digest.update(chunk)
        if len(head) < HEAD:
            head += chunk[:HEAD - len(head)]
        if is_text:
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError:
                is_text = False
            else:
                is_text = _CONTROL.search(text) is None
    if is_text:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            is_text = False
    return size, digest.hexdigest(), head, is_text


def _content_is(claimed: str, head: bytes, is_text: bool, path: Path) -> bool:
    """Whether the content matches ``claimed``, by magic bytes (and zip parts for office)."""
    if claimed in _TEXT:
        start = head.removeprefix(codecs.BOM_UTF8).lstrip().lower()
        return is_text and not start.startswith(_MARKUP)
    if claimed == "image/png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if claimed == "image/jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if claimed == "image/gif":
        return head.startswith((b"GIF87a", b"GIF89a"))
    if claimed == "image/webp":
        return head.startswith(b"RIFF") and head[8:12] == b"WEBP"
    if claimed == "application/pdf":
        return head.startswith(b"%PDF-")
    if claimed in ("application/msword", "application/vnd.ms-excel",
                   "application/vnd.ms-powerpoint"):
        return head.startswith(_OLE)
    if claimed.startswith(("application/vnd.openxmlformats", "application/vnd.oasis")):
        return head.startswith(_ZIP) and _office_zip(claimed, path)
    return False


def _office_zip(claimed: str, path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if claimed.startswith("application/vnd.oasis"):
                if "mimetype" not in names:
                    return False
                with archive.open("mimetype") as entry:
                    return entry.read(len(claimed) + 1) == claimed.encode()
    except (zipfile.BadZipFile, OSError, KeyError, EOFError, ValueError, zlib.error,
            NotImplementedError, RuntimeError):
        # Unknown compression, corrupt data, encryption: not a file anyone can open either.
        return False
    part = next(p for kind, p in _OOXML_PARTS.items() if kind in claimed)
    return "[Content_Types].xml" in names and any(n.startswith(part) for n in names)


def human_size(size: int) -> str:
    """A byte count the way a definition would write it: ``10 MiB``, ``2 MB``, ``1,500 bytes``."""
    for unit, factor in (("MiB", 1024**2), ("MB", 1000**2), ("KiB", 1024), ("KB", 1000)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    for unit, factor in (("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size:,} bytes"
