"""Fair name matching: the same thing named a little differently is still the same thing.

``ExpenseClaims``, ``expense_claim`` and ``expenseClaim`` are one name; ``cost_centre`` and
``CostCenter`` too. Beyond that, a case lists synonyms an analyst would accept, and a small
fuzzy match (difflib) forgives typos and near-misses such as ``reciept``. Matching is
one-to-one: each expected name takes at most one generated name, best pairs first.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from apiary import nouns
from bench.generation.cases import Expected

FUZZY_THRESHOLD = 0.85
"""difflib ratio at or above which two normalised names count as the same (``reciept``)."""
FUZZY_MIN_LENGTH = 4
"""Shorter names must match exactly: ``qty`` and ``qa`` are too short to guess about."""

EXACT, SYNONYM, FUZZY = "exact", "synonym", "fuzzy"

# British and American spellings both occur in prompts and in generated names.
_SPELLINGS = (("isation", "ization"), ("centre", "center"), ("enrolment", "enrollment"),
              ("licence", "license"), ("programme", "program"), ("cancelled", "canceled"),
              ("catalogue", "catalog"), ("colour", "color"), ("organis", "organiz"),
              ("authoris", "authoriz"), ("finalis", "finaliz"))
# Words inflect would wrongly singularise (``status`` -> ``statu``); kept as they are.
_KEEP = re.compile(r".*(ss|us|is|ics)\Z")


@dataclass(frozen=True, slots=True)
class Match:
    expected: str
    generated: str
    how: str
    """exact, synonym or fuzzy."""


@cache
def normalise(name: str) -> str:
    """One spelling per name: lower case, no separators, singular words, American spelling."""
    spaced = re.sub(r"(?<=[a-z0-9])([A-Z])", r" \1", name)
    spaced = re.sub(r"(?<=[A-Z])([A-Z][a-z])", r" \1", spaced)
    words = [w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w]
    joined = "".join(_singular(w) for w in words)
    for british, american in _SPELLINGS:
        joined = joined.replace(british, american)
    return joined


def _singular(word: str) -> str:
    if len(word) <= 3 or _KEEP.match(word):
        return word
    return nouns.singular(word) or word


def similarity(expected: Expected, generated: str) -> tuple[float, str]:
    """How well ``generated`` names ``expected``: (score, how); score 0 means no match.

    Exact beats synonym beats fuzzy, so that a generated name that is an exact synonym is never
    taken away by a fuzzy neighbour.
    """
    got = normalise(generated)
    if got == normalise(expected.name):
        return 1.0, EXACT
    candidates = [normalise(s) for s in expected.synonyms]
    if got in candidates:
        return 0.99, SYNONYM
    best = 0.0
    if len(got) >= FUZZY_MIN_LENGTH:
        for candidate in [normalise(expected.name), *candidates]:
            if len(candidate) >= FUZZY_MIN_LENGTH:
                best = max(best, difflib.SequenceMatcher(None, candidate, got).ratio())
    if best >= FUZZY_THRESHOLD:
        return 0.9 * best, FUZZY
    return 0.0, ""


def match(expected: Sequence[Expected], generated: Iterable[str]) -> list[Match]:
    """Pair expected and generated names one-to-one, best pairs first.

    At equal scores a required item is served before an optional one, so an optional synonym
    never steals the name a required item needs.
    """
    pairs = []
    names = list(dict.fromkeys(generated))
    for i, item in enumerate(expected):
        for j, name in enumerate(names):
            score, how = similarity(item, name)
            if score > 0:
                pairs.append((-score, item.optional, i, j, how))
    pairs.sort()
    taken_expected: set[int] = set()
    taken_generated: set[int] = set()
    found: list[Match] = []
    for _, _, i, j, how in pairs:
        if i in taken_expected or j in taken_generated:
            continue
        taken_expected.add(i)
        taken_generated.add(j)
        found.append(Match(expected[i].name, names[j], how))
    return found
