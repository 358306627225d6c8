"""Layers point one way: a package may import only the packages below it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "apiary"

# package -> apiary packages it may import (besides itself and the root modules)
ALLOWED: dict[str, set[str]] = {
    "expr": set(),
    "definition": {"expr"},
    "storage": {"definition", "expr"},
    "identity": {"definition", "storage"},
    "engine": {"definition", "expr", "storage", "identity"},
    "api": {"definition", "expr", "storage", "engine", "identity"},
    "web": {"definition", "expr", "storage", "engine", "identity"},
    "generation": {"definition", "expr"},
    "importing": {"definition", "expr", "storage", "engine", "identity"},
    "cli": {"definition", "expr", "storage", "engine", "identity", "api", "web", "generation",
            "importing"},
}
ROOT_MODULES = {"errors", "settings", "nouns"}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "apiary" and len(parts) > 1:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_lower_layers(package: str) -> None:
    if not (PACKAGE / package).is_dir():
        pytest.skip(f"apiary.{package} does not exist yet")
    wrong = {}
    for path in sorted((PACKAGE / package).rglob("*.py")):
        bad = imports_of(path) - ALLOWED[package] - ROOT_MODULES - {package}
        if bad:
            wrong[str(path.relative_to(PACKAGE))] = sorted(bad)
    assert wrong == {}


def test_every_package_is_layered() -> None:
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert packages - set(ALLOWED) == set(), "give every new package its row in ALLOWED"
