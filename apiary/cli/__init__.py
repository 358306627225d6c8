"""The ``apiary`` command line: thin commands over the packages, printing results for people.

Every command turns ``ApiaryError`` into a message and exit code 1 (usage errors exit 2) —
never a traceback. Commands are grouped by what they work on, one module each.
"""

from __future__ import annotations

from apiary.cli import audit as _audit  # noqa: F401
from apiary.cli import database as _database  # noqa: F401
from apiary.cli import definitions as _definitions  # noqa: F401  (registers commands)
from apiary.cli import generation as _generation  # noqa: F401
from apiary.cli import importing as _importing  # noqa: F401
from apiary.cli import people as _people  # noqa: F401
from apiary.cli import serving as _serving  # noqa: F401
from apiary.cli.base import main

__all__ = ["main"]
