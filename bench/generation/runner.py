"""Run one case through the real commands: generate, validate --strict, describe --json.

Each command runs as a subprocess of the installed ``apiary`` CLI, exactly as a user would run
it, in a temporary directory of its own. Whatever goes wrong -- a non-zero exit, a timeout, a
summary that is not JSON -- becomes the case's error and a score of 0; nothing here raises.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from apiary.definition import compile_file
from apiary.errors import ApiaryError
from bench.generation.cases import Case
from bench.generation.scoring import CaseScore, failed, score_case
from bench.generation.structure import DescribeShapeError, details_of, from_describe

DEFAULT_TIMEOUT = 600.0
"""Seconds one command may take: a model behind an HTTP API can be slow, but not forever."""
ERROR_TAIL = 600
"""Characters of a failed command's output kept as the case's error."""


def apiary_command() -> list[str]:
    """The ``apiary`` installed next to this Python (the virtual environment's), else on PATH."""
    beside = Path(sys.executable).parent / "apiary"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("apiary")
    return [found] if found else [sys.executable, "-m", "apiary"]


@dataclass(frozen=True, slots=True)
class Runner:
    command: Sequence[str]
    """How to call the CLI, e.g. ``[".venv/bin/apiary"]``."""
    provider: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    definitions: Path | None = None
    """A stand-in for ``generate``: take ``<definitions>/<case>.yaml`` instead (definitions
    written earlier, or by hand); a case without a file there fails like a failed generation."""

    def run(self, case: Case) -> CaseScore:
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix=f"apiary-bench-{case.name}-") as tmp:
            out = Path(tmp) / "app.yaml"
            error = self._generate(case, out)
            if error is None:
                return self._judge(case, out, started)
        return failed(case, error, time.monotonic() - started)

    def _generate(self, case: Case, out: Path) -> str | None:
        if self.definitions is not None:
            source = self.definitions / f"{case.name}.yaml"
            if not source.is_file():
                return f"no definition for this case: {source} does not exist"
            shutil.copyfile(source, out)
            return None
        args = ["generate", "--out", str(out)]
        if self.provider:
            args += ["--provider", self.provider]
        args += ["--", case.prompt]
        code, text = self._call(args, out.parent)
        if code != 0:
            return f"apiary generate failed (exit {code}): {text}"
        if not out.is_file():
            return "apiary generate exited 0 but wrote no file"
        return None

    def _judge(self, case: Case, out: Path, started: float) -> CaseScore:
        strict, _ = self._call(["validate", "--strict", str(out)], out.parent)
        if strict == 0:
            validity = "strict"
        else:
            plain, _ = self._call(["validate", str(out)], out.parent)
            validity = "warnings" if plain == 0 else "invalid"
        code, text = self._call(["describe", str(out), "--json"], out.parent)
        if code != 0:
            return failed(case, f"apiary describe failed (exit {code}): {text}",
                          time.monotonic() - started)
        try:
            summary = json.loads(text)
            app = compile_file(out)
            generated = from_describe(summary, details_of(app))
        except (json.JSONDecodeError, DescribeShapeError, ApiaryError) as exc:
            return failed(case, f"cannot read the described app: {exc}",
                          time.monotonic() - started)
        return score_case(case, generated, validity, time.monotonic() - started)

    def _call(self, args: list[str], cwd: Path) -> tuple[int, str]:
        """Run the CLI; (exit code, stdout) on success, (code, tail of the output) on failure."""
        env = {**os.environ, "NO_COLOR": "1"}
        try:
            done = subprocess.run([*self.command, *args], cwd=cwd, env=env, capture_output=True,
                                  text=True, timeout=self.timeout, check=False)
        except subprocess.TimeoutExpired:
            return 124, f"timed out after {self.timeout:g} s"
        except OSError as exc:
            return 127, f"cannot run {' '.join(self.command)}: {exc}"
        if done.returncode == 0:
            return 0, done.stdout
        output = (done.stderr.strip() or done.stdout.strip() or "no output")
        return done.returncode, output[-ERROR_TAIL:]
