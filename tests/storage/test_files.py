"""The file store: random names, streaming size limit, content checks; and file field options."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from apiary.definition import DefinitionError, compile_text
from apiary.definition.compiled import DEFAULT_MAX_FILE_SIZE, FILE_TYPES
from apiary.storage.files import (
    FileRefused,
    FileStore,
    FileTooLarge,
    claimed_type,
    safe_name,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
ALL = tuple(FILE_TYPES)


def save(store: FileStore, data: bytes, name: str, declared: str | None = None,
         max_size: int = 1024 * 1024, accept: tuple[str, ...] = ALL) -> dict[str, object]:
    return store.save(io.BytesIO(data), name, declared, max_size=max_size, accept=accept).value


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def test_a_file_is_kept_under_a_random_id_with_its_hash(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    value = save(store, PNG, "screen shot.png", "image/png")
    assert value["name"] == "screen shot.png" and value["type"] == "image/png"
    assert value["size"] == len(PNG) and value["sha256"] == hashlib.sha256(PNG).hexdigest()
    path = store.path(str(value["id"]))
    assert path.read_bytes() == PNG and "screen" not in str(path)
    assert stored_files(tmp_path) == [path]
    assert save(store, PNG, "screen shot.png")["id"] != value["id"]


def test_an_oversized_upload_stops_at_the_limit_and_leaves_nothing(tmp_path: Path) -> None:
    store = FileStore(tmp_path)

    class Endless(io.RawIOBase):
        """A stream that never ends: reading must stop once the limit is passed."""

        read_bytes = 0

        def read(self, size: int = -1) -> bytes:
            self.read_bytes += size
            return b"a" * size

    stream = Endless()
    with pytest.raises(FileTooLarge, match="larger than 1 MiB"):
        store.save(stream, "log.txt", "text/plain", max_size=1024 * 1024, accept=ALL)  # type: ignore[arg-type]
    assert stream.read_bytes <= 1024 * 1024 + 64 * 1024
    assert stored_files(tmp_path) == []
    assert save(store, b"a" * 1000, "log.txt", max_size=1000)["size"] == 1000


@pytest.mark.parametrize(("data", "name"), [
    (b"<!DOCTYPE html><script>alert(1)</script>", "photo.png"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "photo.png"),
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "report.pdf"),
    (b"\x7fELF\x02\x01\x01\x00", "notes.txt"),
    (b"  <html><body>hi</body></html>", "notes.txt"),
    (b'\xef\xbb\xbf<?xml version="1.0"?><svg/>', "data.csv"),
    (PNG, "report.pdf"),
    (b"PK\x03\x04 not really a zip", "letter.docx"),
    (docx(), "sheet.xlsx"),
    (b"\xff\xfe\x00\x00", "notes.txt"),
])
def test_contents_must_match_the_claimed_type(tmp_path: Path, data: bytes, name: str) -> None:
    store = FileStore(tmp_path)
    with pytest.raises(FileRefused, match="are not"):
        save(store, data, name)
    assert stored_files(tmp_path) == []


@pytest.mark.parametrize(("data", "name", "kind"), [
    (PDF, "report.PDF", "application/pdf"),
    (b"GIF89a" + bytes(10), "a.gif", "image/gif"),
    (b"\xff\xd8\xff\xe0" + bytes(10), "a.jpeg", "image/jpeg"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "a.webp", "image/webp"),
    ("name,amount\nÅsa,12.50\n".encode(), "claims.csv", "text/csv"),
    (b"2026-01-01 ERROR disk full\n", "server.log", "text/plain"),
    (docx(), "letter.docx", "application/vnd.openxmlformats-officedocument"
                            ".wordprocessingml.document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(20), "old.xls", "application/vnd.ms-excel"),
])
def test_real_files_of_allowed_types_are_kept(tmp_path: Path, data: bytes, name: str,
                                              kind: str) -> None:
    assert save(FileStore(tmp_path), data, name)["type"] == kind


def test_types_outside_the_field_list_and_empty_files_are_refused(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    with pytest.raises(FileRefused, match=r"not a type this field accepts; allowed: \.pdf"):
        save(store, PNG, "a.png", accept=("application/pdf",))
    with pytest.raises(FileRefused, match="not a type"):
        save(store, b"<html></html>", "page.html", "text/html")
    with pytest.raises(FileRefused, match="not a type"):
        save(store, b"#!/bin/sh\nrm -rf /\n", "run", "application/x-sh")
    with pytest.raises(FileRefused, match="is empty"):
        save(store, b"", "empty.txt")
    assert stored_files(tmp_path) == []


def test_the_type_comes_from_the_extension_else_the_declared_type() -> None:
    assert claimed_type("a.PNG", "text/html") == "image/png"
    assert claimed_type("README", "text/plain; charset=utf-8") == "text/plain"
    assert claimed_type("README", None) == "application/octet-stream"


@pytest.mark.parametrize(("given", "kept"), [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\ana\\report.pdf", "report.pdf"),
    ("bad\r\nheader: x.png", "badheader: x.png"),
    ("..", "file"),
    (".htaccess", "htaccess"),
    ("", "file"),
    ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
])
def test_names_are_reduced_to_a_harmless_last_part(given: str, kept: str) -> None:
    assert safe_name(given) == kept


def test_only_well_formed_ids_name_a_path(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    for bad in ("../../etc/passwd", "0" * 31, "G" * 32, "/" + "0" * 31):
        with pytest.raises(FileRefused):
            store.path(bad)
        assert not store.exists(bad)
        store.delete(bad)
    value = save(store, PNG, "a.png")
    store.delete(str(value["id"]))
    store.delete(str(value["id"]))
    assert stored_files(tmp_path) == []


# -- file field options in a definition ------------------------------------------------------
def doc(options: str) -> str:
    return f"""
app: files
entities:
  Doc:
    fields:
      scan: {{type: file{options}}}
"""


def test_file_options_have_safe_defaults_and_accept_units() -> None:
    field = compile_text(doc("")).entities["Doc"].fields["scan"]
    assert field.max_size == DEFAULT_MAX_FILE_SIZE and field.accept == ALL
    field = compile_text(doc(", max_size: 2 MB, accept: [image/*, .pdf]")) \
        .entities["Doc"].fields["scan"]
    assert field.max_size == 2_000_000
    assert field.accept == ("image/png", "image/jpeg", "image/gif", "image/webp",
                            "application/pdf")
    assert compile_text(doc(", max_size: 512 KiB")).entities["Doc"].fields["scan"] \
        .max_size == 512 * 1024
    assert compile_text(doc(", max_size: 1000")).entities["Doc"].fields["scan"] \
        .max_size == 1000


@pytest.mark.parametrize(("options", "message"), [
    (", max_size: ten", "`ten` is not a file size"),
    (", max_size: 0", "`0` is not a file size"),
    (", max_size: 101 MiB", "`101 MiB` is larger than the largest upload Apiary accepts (100 MiB)"),
    (", accept: [text/html]", "`text/html` is not a file type Apiary can check"),
    (", accept: [.svg]", "`.svg` is not a file type Apiary can check"),
    (", accept: []", "`accept` lists no file types"),
])
def test_bad_file_options_are_reported(options: str, message: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        compile_text(doc(options))
    found = [d for d in caught.value.diagnostics if d.code == "APY-E129"]
    assert [d.message for d in found] == [message]


def test_file_options_apply_to_file_fields_only() -> None:
    with pytest.raises(DefinitionError) as caught:
        compile_text("app: x\nentities:\n  Doc:\n    fields:\n"
                     "      name: {type: string, max_size: 10}\n")
    assert [d.code for d in caught.value.diagnostics if d.code.startswith("APY-E")] == [
        "APY-E120"]
