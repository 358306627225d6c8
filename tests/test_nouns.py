"""Singular and plural nouns for the names made from people's words."""

from __future__ import annotations

import subprocess
import sys

import pytest

from apiary import nouns


@pytest.mark.parametrize(("word", "expected"), [
    ("categories", "category"), ("claims", "claim"), ("statuses", "status"),
    ("analyses", "analysis"), ("criteria", "criterion"), ("leaves", "leaf")])
def test_plurals_become_singular(word: str, expected: str) -> None:
    assert nouns.singular(word) == expected


def test_a_singular_noun_has_no_singular() -> None:
    assert nouns.singular("category") is None


@pytest.mark.parametrize(("word", "expected"), [
    ("category", "categories"), ("status", "statuses"), ("person", "people")])
def test_singulars_become_plural(word: str, expected: str) -> None:
    assert nouns.plural(word) == expected


def test_loading_leaves_typeguard_as_it_was() -> None:
    # a fresh interpreter, so that the engine is loaded here and not by an earlier test
    code = ("import typeguard; before = typeguard.typechecked; from apiary import nouns; "
            "nouns.singular('claims'); import inflect; "
            "assert typeguard.typechecked is before; print('ok')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert done.stdout.strip() == "ok", done.stderr
