"""The library of business blueprints and how a prompt picks among them.

Each blueprint is a small YAML file in ``library/``: keywords with weights, roles with their
kind, and entities whose fields are written in a compact form (``money! min:0``,
``enum low,medium,high =medium``, ``ref User``, ``email pii``). Matching is a weighted keyword
overlap where a keyword shared by many blueprints counts for less (an inverse document
frequency), so "order" alone does not decide between purchase orders and customer orders.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import yaml

from apiary.generation.offline.lexicon import singular
from apiary.generation.offline.plan import (
    EntityKind,
    EntityPlan,
    Plan,
    RoleKind,
    RolePlan,
    TransitionPlan,
)

LIBRARY = Path(__file__).parent / "library"
_TRANSITION = re.compile(r"^\s*([\w, ]+?|\*)\s*>\s*(\w+)\s*(?:by\s+([\w, ]+))?\s*$")


@dataclass(frozen=True)
class Blueprint:
    key: str
    keywords: dict[str, float]
    data: dict[str, Any]

    def plan(self) -> Plan:
        """A fresh, independent plan of this blueprint (callers change it freely)."""
        return _plan(self.data)


@lru_cache(maxsize=1)
def library() -> tuple[Blueprint, ...]:
    found = []
    for path in sorted(LIBRARY.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        keywords = {_key(k): float(w) for k, w in data["keywords"].items()}
        found.append(Blueprint(path.stem, keywords, data))
    return tuple(found)


def _key(phrase: str) -> str:
    return " ".join(singular(w) for w in phrase.lower().split())


@lru_cache(maxsize=1)
def _idf() -> dict[str, float]:
    blueprints = library()
    counts: dict[str, int] = {}
    for blueprint in blueprints:
        for keyword in blueprint.keywords:
            counts[keyword] = counts.get(keyword, 0) + 1
    return {k: math.log(1 + len(blueprints) / n) for k, n in counts.items()}


def score(blueprint: Blueprint, words: list[str]) -> tuple[float, list[str]]:
    """How well the prompt's (singular, lowercase) words match; the keywords matched."""
    text = " " + " ".join(words) + " "
    idf = _idf()
    total = 0.0
    matched = []
    for keyword, weight in blueprint.keywords.items():
        if f" {keyword} " in text:
            total += weight * idf[keyword] * (1.5 if " " in keyword else 1.0)
            matched.append(keyword)
    return total, matched


def rank(words: list[str]) -> list[tuple[float, Blueprint, list[str]]]:
    scored = [(*score(b, words), b) for b in library()]
    ranked = [(s, b, m) for s, m, b in scored if s > 0]
    ranked.sort(key=lambda item: (-item[0], item[1].key))
    return ranked


# --- reading a blueprint into a plan --------------------------------------------------------

def _plan(data: dict[str, Any]) -> Plan:
    plan = Plan(name=data["app"], title=data["title"], description=data.get("description", ""),
                currency=data.get("currency", ""))
    for name, text in data.get("roles", {}).items():
        kind, _, description = str(text).partition("|")
        plan.roles[name] = RolePlan(cast(RoleKind, kind.strip()), description.strip())
    for name, spec in data["entities"].items():
        plan.entities[name] = _entity(spec)
    return plan


def _entity(spec: dict[str, Any]) -> EntityPlan:
    entity = EntityPlan(
        kind=cast(EntityKind, spec.get("kind", "main")),
        fields={name: parse_field(value) for name, value in spec.get("fields", {}).items()},
        label=spec.get("label", ""),
        description=spec.get("description", ""),
        display=spec.get("display", ""),
        parent=spec.get("parent", ""),
        review_by=spec.get("review_by", ""),
        aliases=[_key(a) for a in spec.get("aliases", [])],
        owned_by=spec.get("owned_by", "created_by"),
        validations=[dict(v) for v in spec.get("validations", [])],
    )
    for state in spec.get("states", []):
        name = str(state).rstrip(".")
        entity.states.append(name)
        if str(state).endswith("."):
            entity.finals.add(name)
    for name, text in spec.get("transitions", {}).items():
        match = _TRANSITION.match(str(text))
        if not match:
            raise ValueError(f"blueprint transition {name!r}: cannot read {text!r}")
        sources, target, roles = match.groups()
        entity.transitions[name] = TransitionPlan(
            [s.strip() for s in sources.split(",")], target,
            [r.strip() for r in (roles or "").split(",") if r.strip()])
    entity.requires = {k: list(v) for k, v in spec.get("requires", {}).items()}
    return entity


def parse_field(value: Any) -> dict[str, Any]:
    """The compact field form of the blueprints → a definition's field mapping."""
    if isinstance(value, dict):
        return dict(value)
    tokens = str(value).split()
    kind = tokens[0]
    spec: dict[str, Any] = {}
    if kind.endswith("!"):
        kind = kind[:-1]
        spec["required"] = True
    spec = {"type": kind, **spec}
    rest = tokens[1:]
    if kind == "enum":
        spec["values"] = rest.pop(0).split(",")
    elif kind in ("ref", "has_many"):
        spec["to"] = rest.pop(0)
    for token in rest:
        if token in ("pii", "unique", "indexed"):
            spec[token] = True
        elif token in ("cascade", "set_null", "restrict"):
            spec["on_delete"] = token
        elif token.startswith("="):
            spec["default"] = _literal(token[1:], kind)
        elif token[:2] in ("w:", "r:"):
            access = spec.setdefault("access", {})
            access["write" if token[0] == "w" else "read"] = token[2:].split(",")
        elif ":" in token:
            key, _, raw = token.partition(":")
            spec[key] = _literal(raw, kind if key in ("min", "max") else "integer")
        else:
            raise ValueError(f"blueprint field {value!r}: unknown option {token!r}")
    return spec


def _literal(raw: str, kind: str) -> Any:
    if raw in ("true", "false"):
        return raw == "true"
    if kind in ("integer",):
        return int(raw)
    if kind in ("money", "decimal"):
        return float(raw) if "." in raw else int(raw)
    return raw
