"""Compare a generated app with a case's expectation: precision, recall and F1 per part.

Parts: entities, fields (within matched entities), field types (accuracy over matched fields),
relations, workflow states, roles, and security basics. A case's score is the weighted mean of
the parts times a validity factor; README.md states the formula, and :data:`WEIGHTS` and
:data:`VALIDITY` hold its numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.generation.cases import Case, Expected, ExpectedEntity
from bench.generation.matching import Match, match, normalise
from bench.generation.structure import ADMIN, FAMILIES, Generated

WEIGHTS: Mapping[str, float] = {
    "entities": 0.20, "fields": 0.20, "field_types": 0.10, "relations": 0.15,
    "states": 0.15, "roles": 0.10, "security": 0.10,
}
PARTS = tuple(WEIGHTS)

VALIDITY: Mapping[str, float] = {"strict": 1.0, "warnings": 0.75, "invalid": 0.0}
"""``apiary validate --strict`` passes / only warnings / errors (or nothing generated)."""

# Type families close enough that an analyst would accept either.
COMPATIBLE: frozenset[tuple[str, str]] = frozenset({
    ("date", "datetime"), ("datetime", "date"), ("enum", "ref"), ("ref", "enum"),
    ("url", "text"),
})

# Generic fields any app may add without being wrong; unmatched, they do not cost precision.
NEUTRAL_FIELDS = frozenset(normalise(n) for n in (
    "notes", "note", "comments", "comment", "description", "remarks", "internal_notes",
    "attachment", "attachments", "documents",
))

# Every record has these (see docs/definition.md); a definition may rely on them, e.g. on
# `created_by` for who raised a request. They match expected fields whose synonyms name them,
# and never count as extra.
SYSTEM_FIELDS: Mapping[str, str] = {"created_by": "ref", "created_at": "datetime"}

# Field names that hold personal data: they should be marked pii or restricted.
_PII_WORDS = re.compile(
    r"(^|_)(email|e_mail|phone|mobile|telephone|address|salary|salaries|wage|birth|birthday|"
    r"dob|ssn|social_security|national_insurance|national_id|passport|iban|bank_account)(_|$)")
_PII_TYPES = frozenset({"email", "phone"})
_NOT_PII_TYPES = frozenset({"ref", "has_many", "enum", "boolean", "url"})


@dataclass(frozen=True, slots=True)
class PartScore:
    """Precision over what was generated, recall over what was required."""

    matched_generated: int
    generated: int
    matched_required: int
    required: int
    matches: tuple[Match, ...] = ()
    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()

    @property
    def precision(self) -> float:
        if self.generated == 0:
            return 1.0 if self.required == 0 else 0.0
        return self.matched_generated / self.generated

    @property
    def recall(self) -> float:
        return 1.0 if self.required == 0 else self.matched_required / self.required

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)

    def as_dict(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4), "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "counts": {"matched_generated": self.matched_generated, "generated": self.generated,
                       "matched_required": self.matched_required, "required": self.required},
            "matches": [[m.expected, m.generated, m.how] for m in self.matches],
            "missing": list(self.missing), "extra": list(self.extra),
        }


@dataclass(frozen=True, slots=True)
class TypeScore:
    correct: int
    matched: int
    expected_any: bool
    wrong: tuple[str, ...] = ()
    """``Entity.field: got family, expected family`` for each mismatch."""

    @property
    def accuracy(self) -> float:
        if self.matched == 0:
            return 0.0 if self.expected_any else 1.0
        return self.correct / self.matched

    def as_dict(self) -> dict[str, Any]:
        return {"accuracy": round(self.accuracy, 4), "correct": self.correct,
                "matched": self.matched, "wrong": list(self.wrong)}


@dataclass(frozen=True, slots=True)
class SecurityScore:
    unasked_deletes: tuple[str, ...]
    """``role on Entity`` for each delete grant the prompt did not ask for."""
    pii_fields: int
    unprotected: tuple[str, ...]
    """``Entity.field`` that look like personal data but are neither pii nor restricted."""

    @property
    def delete_ok(self) -> float:
        return 0.0 if self.unasked_deletes else 1.0

    @property
    def pii_ok(self) -> float:
        if self.pii_fields == 0:
            return 1.0
        return (self.pii_fields - len(self.unprotected)) / self.pii_fields

    @property
    def score(self) -> float:
        return (self.delete_ok + self.pii_ok) / 2

    def as_dict(self) -> dict[str, Any]:
        return {"score": round(self.score, 4), "delete_ok": self.delete_ok,
                "pii_ok": round(self.pii_ok, 4), "unasked_deletes": list(self.unasked_deletes),
                "pii_fields": self.pii_fields, "unprotected": list(self.unprotected)}


@dataclass(frozen=True, slots=True)
class CaseScore:
    case: Case
    validity: str
    """strict, warnings or invalid: see :data:`VALIDITY`."""
    parts: Mapping[str, PartScore] = field(default_factory=dict)
    types: TypeScore | None = None
    security: SecurityScore | None = None
    error: str | None = None
    seconds: float = 0.0

    def part(self, name: str) -> float:
        """The part's contribution before weighting: F1, accuracy or the security score."""
        if name == "field_types":
            return self.types.accuracy if self.types else 0.0
        if name == "security":
            return self.security.score if self.security else 0.0
        found = self.parts.get(name)
        return found.f1 if found else 0.0

    @property
    def quality(self) -> float:
        return sum(weight * self.part(name) for name, weight in WEIGHTS.items())

    @property
    def score(self) -> float:
        if self.error is not None:
            return 0.0
        return VALIDITY[self.validity] * self.quality

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.case.name, "set": self.case.set, "industry": self.case.industry,
            "difficulty": self.case.difficulty, "score": round(self.score, 4),
            "quality": round(self.quality, 4), "validity": self.validity,
            "error": self.error, "seconds": round(self.seconds, 2),
            "parts": {name: round(self.part(name), 4) for name in PARTS},
            "details": {
                **{name: part.as_dict() for name, part in self.parts.items()},
                "field_types": self.types.as_dict() if self.types else None,
                "security": self.security.as_dict() if self.security else None,
            },
        }


def failed(case: Case, error: str, seconds: float = 0.0) -> CaseScore:
    """A case whose generation (or description) failed: it scores 0 and keeps the error."""
    return CaseScore(case=case, validity="invalid", error=error, seconds=seconds)


def score_case(case: Case, app: Generated, validity: str = "strict",
               seconds: float = 0.0) -> CaseScore:
    if validity not in VALIDITY:
        raise ValueError(f"validity must be one of {', '.join(VALIDITY)}")
    entity_matches = match(case.entities, app.entities)
    mapped = {m.generated: m.expected for m in entity_matches}
    fields, types = _fields(case, app, entity_matches)
    roles = [r for r in app.roles if r != ADMIN]  # implicit in every app, never scored
    return CaseScore(
        case=case,
        validity=validity,
        parts={
            "entities": _part(case.entities, list(app.entities), entity_matches),
            "fields": fields,
            "relations": _relations(case, app, mapped),
            "states": _states(case, app, mapped),
            "roles": _part(case.roles, roles, match(case.roles, roles)),
        },
        types=types,
        security=_security(case, app),
        seconds=seconds,
    )


def _part(expected: Sequence[Expected], generated: Sequence[str], found: Sequence[Match],
          neutral: Iterable[str] = ()) -> PartScore:
    """Score one part. Unmatched generated names in ``neutral`` do not count as extra."""
    optional = {e.name for e in expected if e.optional}
    matched = {m.generated for m in found}
    neutral_keys = {normalise(n) for n in neutral}
    ignored = {g for g in generated if g not in matched and normalise(g) in neutral_keys}
    required_hit = {m.expected for m in found if m.expected not in optional}
    return PartScore(
        matched_generated=len(matched),
        generated=len(set(generated) - ignored),
        matched_required=len(required_hit),
        required=len(expected) - len(optional),
        matches=tuple(found),
        missing=tuple(e.name for e in expected if not e.optional and e.name not in required_hit),
        extra=tuple(g for g in generated if g not in matched and g not in ignored),
    )


def _fields(case: Case, app: Generated,
            entity_matches: Sequence[Match]) -> tuple[PartScore, TypeScore]:
    """Fields of matched entities that list fields, pooled over the whole app.

    When no such entity matched, the key fields of the required entities are all missing, so
    an app of unrelated entities scores 0 here rather than vacuously 1.
    """
    by_name: dict[str, ExpectedEntity] = {e.name: e for e in case.entities}
    totals = [0, 0, 0, 0]
    matches: list[Match] = []
    missing: list[str] = []
    extra: list[str] = []
    correct = 0
    wrong: list[str] = []
    for m in entity_matches:
        expected = by_name[m.expected]
        if not expected.fields:
            continue
        declared = {name: kind for name, kind in app.entities[m.generated].items()
                    if kind != "has_many"}
        generated = {**declared, **SYSTEM_FIELDS}  # declared first: they win a tie
        found = match(expected.fields, generated)
        part = _part(expected.fields, list(generated), found,
                     NEUTRAL_FIELDS | set(SYSTEM_FIELDS))
        for i, n in enumerate((part.matched_generated, part.generated,
                               part.matched_required, part.required)):
            totals[i] += n
        matches += [Match(f"{m.expected}.{f.expected}", f"{m.generated}.{f.generated}", f.how)
                    for f in found]
        missing += [f"{m.expected}.{name}" for name in part.missing]
        extra += [f"{m.generated}.{name}" for name in part.extra]
        want = {f.name: f.types for f in expected.fields}
        for f in found:
            got = FAMILIES.get(generated[f.generated], generated[f.generated])
            if any(got == t or (t, got) in COMPATIBLE for t in want[f.expected]):
                correct += 1
            else:
                wrong.append(f"{m.generated}.{f.generated}: {got}, expected "
                             + " or ".join(want[f.expected]))
    key_fields = [f"{e.name}.{f.name}" for e in case.entities if not e.optional
                  for f in e.fields if not f.optional]
    if totals[3] == 0 and key_fields:
        # No entity with expected fields was matched: every key field is missing, not moot.
        totals[3] = len(key_fields)
        missing = key_fields
    expected_any = bool(key_fields)
    return (PartScore(matched_generated=totals[0], generated=totals[1],
                      matched_required=totals[2], required=totals[3], matches=tuple(matches),
                      missing=tuple(missing), extra=tuple(extra)),
            TypeScore(correct, len(matches), expected_any, tuple(wrong)))


def _relations(case: Case, app: Generated, mapped: Mapping[str, str]) -> PartScore:
    """Refs between matched entities, in either direction; each pair of entities counts once.

    A ref to an entity the case does not know is already an extra entity, so only refs whose
    both ends matched are judged here.
    """
    optional_entities = {e.name for e in case.entities if e.optional}
    expected: dict[frozenset[str], bool] = {}
    for r in case.relations:
        pair = frozenset((r.source, r.target))
        is_optional = r.optional or bool({r.source, r.target} & optional_entities)
        expected[pair] = expected.get(pair, True) and is_optional
    generated: dict[frozenset[str], str] = {}
    for source, target in sorted(app.relations()):
        if source in mapped and target in mapped:
            generated.setdefault(frozenset((mapped[source], mapped[target])),
                                 f"{source}->{target}")
    hits = [pair for pair in generated if pair in expected]
    required = [pair for pair, is_optional in expected.items() if not is_optional]
    return PartScore(
        matched_generated=len(hits),
        generated=len(generated),
        matched_required=sum(1 for pair in required if pair in generated),
        required=len(required),
        matches=tuple(Match("-".join(sorted(pair)), generated[pair], "exact") for pair in hits),
        missing=tuple("-".join(sorted(pair)) for pair in required if pair not in generated),
        extra=tuple(label for pair, label in generated.items() if pair not in expected),
    )


def _states(case: Case, app: Generated, mapped: Mapping[str, str]) -> PartScore:
    """The main entity's workflow; if its match has none, the app's closest workflow."""
    main = [g for g, e in mapped.items() if e == case.workflow_entity and g in app.workflows]
    candidates = main or list(app.workflows)
    if not candidates:
        return _part(case.states, [], [])
    scores = [_part(case.states, app.workflows[g], match(case.states, app.workflows[g]))
              for g in candidates]
    return max(scores, key=lambda s: s.f1)


def _security(case: Case, app: Generated) -> SecurityScore:
    allowed = [e for e in case.roles if e.name in case.delete_allowed]
    allowed_roles = {m.generated for m in match(allowed, app.roles)}
    unasked = tuple(sorted(f"{role} on {entity}" for role, entity in app.details.deletes
                           if role not in allowed_roles))
    pii = [(entity, name) for entity, fields in app.entities.items()
           for name, kind in fields.items() if looks_personal(name, kind)]
    unprotected = tuple(f"{e}.{n}" for e, n in pii if (e, n) not in app.details.protected)
    return SecurityScore(unasked, len(pii), unprotected)


def looks_personal(name: str, kind: str) -> bool:
    """Does a field of this name and Apiary type hold personal data?"""
    if kind in _PII_TYPES:
        return True
    return kind not in _NOT_PII_TYPES and bool(_PII_WORDS.search(name.lower()))
