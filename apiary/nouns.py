"""English nouns, singular and plural, for names made from people's words.

``inflect`` does this well, but version 7 wraps its functions in typeguard's run-time argument
checks, which it builds by recompiling each function when the module is imported: 1.7 seconds
on every ``apiary generate`` and ``apiary import``, for checks that guard only against callers
passing the wrong types (ours pass strings, and mypy says so). The engine is therefore loaded
with ``typeguard.typechecked`` standing aside for the duration of the import, as it does when
Python runs with ``-O``; the library is otherwise used as it is.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import inflect


def _unchecked(target: Any = None, **_options: Any) -> Any:
    """``typeguard.typechecked`` that changes nothing, used bare or with options."""
    return target if target is not None else (lambda function: function)


@lru_cache(maxsize=1)
def _engine() -> inflect.engine:
    try:
        import typeguard
    except ImportError:  # a later inflect without typeguard: nothing to stand aside
        import inflect
        return inflect.engine()
    real = typeguard.typechecked
    setattr(typeguard, "typechecked", _unchecked)  # noqa: B010 - swapped for the import only
    try:
        import inflect
    finally:
        setattr(typeguard, "typechecked", real)  # noqa: B010
    return inflect.engine()


@lru_cache(maxsize=4096)
def singular(word: str) -> str | None:
    """The singular of a plural noun (``categories`` → ``category``), or None when ``word``
    is not a plural."""
    result = _engine().singular_noun(word)
    return result if isinstance(result, str) and result else None


@lru_cache(maxsize=4096)
def plural(word: str) -> str:
    """The plural of a noun (``status`` → ``statuses``)."""
    return str(_engine().plural_noun(word))
