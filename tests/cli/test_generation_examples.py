"""The example prompts of docs/generation.md become apps that the engine serves."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from apiary.api import create_app
from apiary.definition import compile_file
from apiary.engine import Runtime
from apiary.identity import add_user, create_token
from apiary.storage import apply, connect, plan
from tests.api.client import client_for
from tests.cli.test_definitions import run

DOC = Path(__file__).parent.parent.parent / "docs" / "generation.md"


def example_prompts() -> list[str]:
    section = DOC.read_text(encoding="utf-8").split("## Examples", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^apiary generate (.+)$", section, flags=re.MULTILINE)
    return [shlex.split(c)[0] for c in commands]


def test_the_doc_has_examples() -> None:
    assert len(example_prompts()) >= 5


@pytest.mark.parametrize("prompt", example_prompts(), ids=lambda p: p.split()[0].lower())
def test_each_example_prompt_becomes_a_served_app(prompt: str, tmp_path: Path) -> None:
    out = tmp_path / "app.yaml"
    code, _, stderr = run("generate", prompt, "--out", str(out))
    assert code == 0, stderr
    assert run("validate", "--strict", str(out))[:2] == (0, f"{out}: valid\n")
    app = compile_file(out)
    db = connect(f"sqlite:///{tmp_path / 'app.db'}")
    try:
        apply(plan(app, db), db)
        add_user(db, "admin@example.com", app, "admin")
        token = create_token(db, "admin@example.com")
        with client_for(create_app(Runtime(db, [app]))) as client:
            admin = client.with_token(token)
            for entity in app.entities:
                response = admin.get(f"/api/{app.name}/{entity}")
                assert response.status_code == 200, (entity, response.text)
            assert admin.get(f"/api/{app.name}/openapi.json").status_code == 200
    finally:
        db.dispose()
