"""Score ``apiary generate`` on the evaluation cases.

    .venv/bin/python -m bench.generation.score [--cases tuning|heldout|all] [--provider NAME]
                                               [--case NAME ...] [--json] [--save]
                                               [--definitions DIR] [--timeout SECONDS]

For each case: ``apiary generate`` writes a definition from the case's prompt, ``apiary
validate --strict`` and ``apiary describe --json`` judge it, and the described structure is
matched against the case's expectation. Prints a table per case and per part and the overall
score (README.md has the formula); ``--json`` prints everything as JSON instead, ``--save``
also writes it to ``results/<set>.json``. ``--definitions DIR`` scores ``DIR/<case>.yaml``
instead of generating, e.g. definitions written earlier or by hand.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.generation.cases import CaseError, load_sets
from bench.generation.runner import DEFAULT_TIMEOUT, Runner, apiary_command
from bench.generation.scoring import PARTS, VALIDITY, WEIGHTS, CaseScore

RESULTS_DIR = Path(__file__).parent / "results"
FORMULA = ("case score = validity x (0.20 entities F1 + 0.20 fields F1 + 0.10 field-type "
           "accuracy + 0.15 relations F1 + 0.15 states F1 + 0.10 roles F1 + 0.10 security); "
           "validity = 1 if `apiary validate --strict` passes, 0.75 if only warnings, 0 if "
           "invalid or not generated; overall = mean of the case scores")
SHORT = {"entities": "ent", "fields": "fld", "field_types": "type", "relations": "rel",
         "states": "state", "roles": "role", "security": "sec"}
_F1_PARTS = ("entities", "fields", "relations", "states", "roles")


def summarise(scores: Sequence[CaseScore], which: str, provider: str | None) -> dict[str, Any]:
    """Everything a run found, as the JSON written by ``--json`` and ``--save``."""
    n = len(scores) or 1
    parts: dict[str, Any] = {}
    for name in PARTS:
        entry: dict[str, float] = {"mean": round(sum(s.part(name) for s in scores) / n, 4)}
        if name in _F1_PARTS:
            judged = [s.parts[name] for s in scores if name in s.parts]
            entry["precision"] = round(sum(p.precision for p in judged) / n, 4)
            entry["recall"] = round(sum(p.recall for p in judged) / n, 4)
        parts[name] = entry
    return {
        "set": which,
        "provider": provider,
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "formula": FORMULA,
        "weights": dict(WEIGHTS),
        "validity_factors": dict(VALIDITY),
        "score": round(sum(s.score for s in scores) / n, 4),
        "cases_total": len(scores),
        "cases_failed": sum(1 for s in scores if s.error is not None),
        "cases_strictly_valid": sum(1 for s in scores if s.validity == "strict"),
        "parts": parts,
        "cases": [s.as_dict() for s in scores],
    }


def table(scores: Sequence[CaseScore], summary: dict[str, Any]) -> str:
    width = max([len(s.case.name) for s in scores] + [8])
    head = (f"{'case':<{width}}  {'valid':<8}" + "".join(f"{SHORT[p]:>6}" for p in PARTS)
            + f"{'score':>7}")
    lines = [head, "-" * len(head)]
    errors = []
    for s in scores:
        status = "failed" if s.error else s.validity
        lines.append(f"{s.case.name:<{width}}  {status:<8}"
                     + "".join(f"{s.part(p):>6.2f}" for p in PARTS) + f"{s.score:>7.2f}")
        if s.error:
            errors.append(f"{s.case.name}: {s.error}")
    lines += ["-" * len(head), f"{'mean':<{width}}  {'':<8}"
              + "".join(f"{summary['parts'][p]['mean']:>6.2f}" for p in PARTS)
              + f"{summary['score']:>7.2f}", ""]
    lines.append(f"{'part':<12}{'precision':>10}{'recall':>8}{'F1/score':>10}{'weight':>8}")
    for p in PARTS:
        entry = summary["parts"][p]
        precision = f"{entry['precision']:.2f}" if "precision" in entry else "-"
        recall = f"{entry['recall']:.2f}" if "recall" in entry else "-"
        lines.append(f"{p:<12}{precision:>10}{recall:>8}{entry['mean']:>10.2f}"
                     f"{WEIGHTS[p]:>8.2f}")
    lines += ["", f"overall score ({summary['set']}, {summary['cases_total']} cases, "
              f"{summary['cases_failed']} failed, {summary['cases_strictly_valid']} valid "
              f"with --strict): {summary['score']:.3f}", FORMULA]
    if errors:
        lines += ["", "errors:", *errors]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generation.score",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default="tuning", choices=["tuning", "heldout", "all"])
    parser.add_argument("--case", action="append", default=[], metavar="NAME",
                        help="only this case (repeatable)")
    parser.add_argument("--provider", help="passed to `apiary generate --provider`")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--save", action="store_true",
                        help="also write the results to bench/generation/results/<set>.json")
    parser.add_argument("--definitions", type=Path, metavar="DIR",
                        help="score DIR/<case>.yaml instead of running apiary generate")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="seconds one command may take (default %(default)s)")
    args = parser.parse_args(argv)
    try:
        cases = load_sets(args.cases)
    except CaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.case:
        unknown = sorted(set(args.case) - {c.name for c in cases})
        if unknown:
            print(f"error: no case named {', '.join(unknown)} in {args.cases}", file=sys.stderr)
            return 2
        cases = [c for c in cases if c.name in args.case]
    runner = Runner(apiary_command(), args.provider, args.timeout, args.definitions)
    scores = []
    for case in cases:
        if not args.json:
            print(f"{case.name} ...", file=sys.stderr, flush=True)
        scores.append(runner.run(case))
    summary = summarise(scores, args.cases, args.provider)
    print(json.dumps(summary, indent=2) if args.json else table(scores, summary))
    if args.save:
        RESULTS_DIR.mkdir(exist_ok=True)
        target = RESULTS_DIR / f"{args.cases}.json"
        target.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        print(f"saved {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
