"""Every error Apiary raises on purpose is an ApiaryError, so the CLI prints it, not a traceback."""

from __future__ import annotations

import pytest

from apiary.definition import DefinitionError
from apiary.engine import EngineError
from apiary.errors import ApiaryError
from apiary.expr import ExprError, ExprSyntaxError
from apiary.identity import IdentityError
from apiary.storage import DestructiveMigration, StorageError


@pytest.mark.parametrize("error", [DefinitionError, ExprError, ExprSyntaxError, StorageError,
                                   DestructiveMigration, IdentityError, EngineError])
def test_package_errors_are_apiary_errors(error: type[Exception]) -> None:
    assert issubclass(error, ApiaryError)
