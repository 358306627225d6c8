"""Reading documents: positions, YAML 1.2 scalars, duplicate keys, and hostile input."""

from __future__ import annotations

from pathlib import Path

import pytest

from apiary.definition.diagnostics import DefinitionError
from apiary.definition.source import MAX_BYTES, parse_text, read_file


def codes(exc: pytest.ExceptionInfo[DefinitionError]) -> list[str]:
    return [d.code for d in exc.value.diagnostics]


def test_positions_point_at_keys() -> None:
    doc = parse_text("app:\n  name: shop\nentities:\n  Order:\n    fields: {total: money}\n")
    assert doc.positions.locate(("app", "name")) == (2, 3)
    assert doc.positions.locate(("entities", "Order", "fields", "total")) == (5, 14)
    # a path below a scalar falls back to the nearest node that exists
    assert doc.positions.locate(("entities", "Order", "fields", "total", "type")) == (5, 14)


def test_scalars_follow_yaml_1_2_core_rules() -> None:
    doc = parse_text("a: no\nb: on\nc: 3\nd: 1.5\ne: '3'\nf: true\ng: ~\nh: !!str 4\ni: 0x10\n")
    assert doc.data == {"a": "no", "b": "on", "c": 3, "d": 1.5, "e": "3", "f": True, "g": None,
                        "h": "4", "i": "0x10"}


def test_json_is_read_with_positions() -> None:
    doc = parse_text('{\n  "app": {"name": "x"},\n  "entities": {}\n}', "app.json")
    assert doc.data == {"app": {"name": "x"}, "entities": {}}
    assert doc.positions.locate(("entities",)) == (3, 3)


def test_duplicate_keys_are_errors_with_their_line() -> None:
    with pytest.raises(DefinitionError) as exc:
        parse_text("app: {name: a}\nentities:\n  A: {}\n  A: {}\n", "dup.yaml")
    [diag] = exc.value.diagnostics
    assert (diag.code, diag.line, diag.path) == ("APY-E106", 4, ("entities", "A"))


@pytest.mark.parametrize("text", ["app: [1, 2\nb: c", "a:\n\tb: 1", "a: 'unclosed", "- a\nb: c"])
def test_malformed_yaml_reports_a_line(text: str) -> None:
    with pytest.raises(DefinitionError) as exc:
        parse_text(text, "bad.yaml")
    [diag] = exc.value.diagnostics
    assert diag.code == "APY-E102"
    assert diag.line is not None and diag.file == "bad.yaml"


def test_empty_document() -> None:
    with pytest.raises(DefinitionError) as exc:
        parse_text("# nothing here\n")
    assert codes(exc) == ["APY-E104"]


def test_deep_nesting_is_refused_cleanly() -> None:
    with pytest.raises(DefinitionError) as exc:
        parse_text("a: " + "[" * 5000 + "]" * 5000)
    assert codes(exc) == ["APY-E103"]


def test_alias_bombs_are_bounded() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    with pytest.raises(DefinitionError) as exc:
        parse_text("\n".join(lines))
    assert codes(exc) == ["APY-E103"]


def test_huge_and_binary_files(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("a: " + "x" * (MAX_BYTES + 1))
    with pytest.raises(DefinitionError) as exc:
        read_file(big)
    assert codes(exc) == ["APY-E101"]
    binary = tmp_path / "junk.yaml"
    binary.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(DefinitionError) as exc:
        read_file(binary)
    assert codes(exc) == ["APY-E101"]


def test_missing_file_and_directory(tmp_path: Path) -> None:
    for path in (tmp_path / "nope.yaml", tmp_path):
        with pytest.raises(DefinitionError) as exc:
            read_file(path)
        assert codes(exc) == ["APY-E100"]
        assert exc.value.diagnostics[0].file == str(path)
