"""Office files built to break the content check are refused like any other wrong file."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from apiary.storage.files import FileRefused, FileStore

ODT = "application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def odt(*, method: int | None = None, corrupt: bool = False, encrypted: bool = False) -> bytes:
    """An OpenDocument file whose ``mimetype`` entry is stored oddly."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODT,
                         compress_type=zipfile.ZIP_DEFLATED if corrupt else zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
    data = bytearray(buffer.getvalue())
    central = data.find(b"PK\x01\x02")
    if method is not None:
        data[8:10] = data[central + 10:central + 12] = method.to_bytes(2, "little")
    if encrypted:
        data[6] |= 1
        data[central + 8] |= 1
    if corrupt:
        start = 30 + int.from_bytes(data[26:28], "little") + int.from_bytes(data[28:30], "little")
        data[start:start + 4] = b"\xff\xff\xff\xff"
    return bytes(data)


@pytest.mark.parametrize("content", [odt(method=99), odt(corrupt=True), odt(encrypted=True)],
                         ids=["unknown-compression", "corrupt-deflate", "encrypted"])
def test_an_office_file_that_cannot_be_unpacked_is_refused(tmp_path: Path,
                                                           content: bytes) -> None:
    store = FileStore(tmp_path)
    with pytest.raises(FileRefused, match=r"are not \.odt as its name says"):
        store.save(io.BytesIO(content), "letter.odt", None, max_size=1 << 20, accept=[ODT])
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_a_well_formed_office_file_is_still_stored(tmp_path: Path) -> None:
    stored = FileStore(tmp_path).save(io.BytesIO(odt()), "letter.odt", None,
                                      max_size=1 << 20, accept=[ODT, DOCX])
    assert stored.type == ODT
