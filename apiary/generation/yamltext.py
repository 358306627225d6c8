"""Write a definition as YAML that Apiary reads back exactly as it was written.

PyYAML follows YAML 1.1 when it decides which strings need quotes, and Apiary reads YAML 1.2
(source.py): ``1e3`` is a string to PyYAML but a number to Apiary. Every string that Apiary would
read as something else is therefore double-quoted, and so are expressions, which are easier to
read quoted (docs/definition.md asks for it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import yaml

from apiary.definition import DefinitionError
from apiary.definition.source import parse_text

_PLAIN_SAFE = re.compile(r"[A-Za-z_][A-Za-z0-9_ ./@-]*\Z")
_KEYWORDS = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}


class _Dumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    plain = _PLAIN_SAFE.match(value) and value.lower() not in _KEYWORDS \
        and not value.endswith((" ", ".")) and ": " not in value and " #" not in value
    return dumper.represent_scalar("tag:yaml.org,2002:str", value,
                                   style=None if plain else '"')


_Dumper.add_representer(str, _represent_str)


def plain_data(document: Mapping[str, Any]) -> dict[str, Any]:
    """The document as JSON-shaped data: dicts, lists, strings, numbers, booleans, None."""
    data = json.loads(json.dumps(document, default=str, allow_nan=False))
    if not isinstance(data, dict):
        raise TypeError("a definition is a mapping")
    return data


def definition_yaml(document: Mapping[str, Any]) -> str:
    """YAML for people; JSON (which is YAML too) in the rare case the YAML would not read back
    as the same data, so what is validated and written is always what was meant."""
    data = plain_data(document)
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)
    try:
        if parse_text(text).data == data:
            return str(text)
    except DefinitionError:
        pass
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}",
                            json.dumps(data, indent=2, ensure_ascii=False)) + "\n"


# Characters JSON keeps as they are but a YAML reader refuses (DEL and the C1 controls,
# non-characters) or reads as a line break (NEL, U+2028, U+2029): escaped, which JSON allows
# inside strings, the only place they can be.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufffe\uffff]")


def comment(lines: list[str]) -> str:
    """``lines`` as a YAML comment block, each line of each entry commented."""
    out = []
    for line in lines:
        for part in line.splitlines() or [""]:
            out.append(("# " + part).rstrip())
    return "\n".join(out) + "\n"
