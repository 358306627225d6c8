"""Which model writes definitions, how it is reached and what its tokens cost.

Settings come from the environment (``APIARY_LLM_*``, see apiary/settings.py) over a TOML file
(``.apiary/llm.toml`` unless ``APIARY_LLM_CONFIG`` names another) over built-in defaults, so a
team can keep the model and prices in a file while the key stays in the environment. With
nothing configured the offline generator is used: no network, no key, no cost.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from apiary.generation.errors import GenerationError
from apiary.settings import Settings

PROVIDERS = ("openai", "anthropic", "offline")
DEFAULT_BASE_URLS = {"openai": "https://api.openai.com/v1", "anthropic": "https://api.anthropic.com"}
DEFAULT_MODELS = {"openai": "gpt-4o-mini", "anthropic": "claude-sonnet-4-20250514",
                  "offline": "offline"}
DEFAULT_TIMEOUT = 120.0
DEFAULT_MAX_ROUNDS = 3
DEFAULT_MAX_TOKENS = 8192
MAX_ROUNDS_LIMIT = 10
"""More repair rounds than this only spends money: a model that cannot fix it in ten won't."""


@dataclass(frozen=True, slots=True)
class Price:
    """US dollars per million tokens."""

    input: Decimal
    output: Decimal


DEFAULT_PRICES: Mapping[str, Price] = {
    # List prices when this table was written; override them in the config file's [prices].
    "gpt-4o": Price(Decimal("2.50"), Decimal("10.00")),
    "gpt-4o-mini": Price(Decimal("0.15"), Decimal("0.60")),
    "gpt-4.1": Price(Decimal("2.00"), Decimal("8.00")),
    "gpt-4.1-mini": Price(Decimal("0.40"), Decimal("1.60")),
    "gpt-4.1-nano": Price(Decimal("0.10"), Decimal("0.40")),
    "claude-sonnet-4": Price(Decimal("3.00"), Decimal("15.00")),
    "claude-3-7-sonnet": Price(Decimal("3.00"), Decimal("15.00")),
    "claude-3-5-sonnet": Price(Decimal("3.00"), Decimal("15.00")),
    "claude-3-5-haiku": Price(Decimal("0.80"), Decimal("4.00")),
    "claude-opus-4": Price(Decimal("15.00"), Decimal("75.00")),
    "offline": Price(Decimal(0), Decimal(0)),
}

_FILE_KEYS = {"provider", "timeout", "max_rounds", "max_tokens", "prices", *PROVIDERS}
_PROVIDER_KEYS = {"base_url", "model", "api_key", "max_tokens"}


@dataclass(frozen=True, slots=True)
class LLMConfig:
    provider: str = "offline"
    base_url: str = ""
    model: str = "offline"
    api_key: str = field(default="", repr=False)
    timeout: float = DEFAULT_TIMEOUT
    max_rounds: int = DEFAULT_MAX_ROUNDS
    max_tokens: int = DEFAULT_MAX_TOKENS
    prices: Mapping[str, Price] = field(default_factory=lambda: dict(DEFAULT_PRICES))
    usage_log: Path = Path(".apiary/llm-usage.jsonl")

    def price(self, model: str) -> Price | None:
        """The price of ``model``: an exact entry, else the longest entry it starts with, so
        dated snapshots (``gpt-4o-2024-08-06``) cost what their family costs."""
        if model in self.prices:
            return self.prices[model]
        matches = [name for name in self.prices if model.startswith(name)]
        return self.prices[max(matches, key=len)] if matches else None

    def cost(self, model: str, input_tokens: int, output_tokens: int) -> Decimal | None:
        price = self.price(model)
        if price is None:
            return None
        return (price.input * input_tokens + price.output * output_tokens) / 1_000_000

    def mask(self, text: str) -> str:
        """``text`` with the API key replaced, for any message that may quote a request: as
        it is, and escaped as in the ``repr`` of a header that holds it."""
        if not self.api_key:
            return text
        escaped = self.api_key.encode("unicode_escape").decode("ascii")
        return text.replace(self.api_key, "***").replace(escaped, "***")


def load_config(settings: Settings | None = None, provider: str | None = None) -> LLMConfig:
    """The configuration in force; ``provider`` (from ``--provider``) overrides the rest."""
    settings = settings or Settings.from_environment()
    path = Path(settings["llm_config"])
    data = _read_file(path)
    chosen = (provider or settings["llm_provider"].strip() or str(data.get("provider", ""))
              or "offline")
    if chosen not in PROVIDERS:
        raise GenerationError(f"unknown model provider `{chosen}`; expected one of: "
                              + ", ".join(PROVIDERS))
    section = data.get(chosen, {})
    where = f"APIARY_LLM_* or {path}"

    def pick(name: str, default: str) -> str:
        return settings[f"llm_{name}"].strip() or str(section.get(name, "")) or default

    base_url = pick("base_url", DEFAULT_BASE_URLS.get(chosen, "")).rstrip("/")
    if chosen != "offline" and not base_url.startswith(("http://", "https://")):
        # shown only when it cannot hold a password ("user:secret@host")
        shown = f" `{base_url}`" if "@" not in base_url else ""
        raise GenerationError(f"the model server's address{shown} must start with "
                              f"http:// or https:// (set in {where})")
    api_key = pick("api_key", "").strip()
    if not all("!" <= ch <= "~" for ch in api_key):
        # Never quoted: the key is the one thing no message may show.
        raise GenerationError(f"the API key contains spaces, line breaks or characters other "
                              f"than ASCII letters, digits and punctuation, so it cannot be "
                              f"sent; copy it again (set in {where})")
    prices = dict(DEFAULT_PRICES)
    prices.update(_prices(data.get("prices", {}), path))
    return LLMConfig(
        provider=chosen,
        base_url=base_url,
        model=pick("model", DEFAULT_MODELS[chosen]),
        api_key=api_key,
        timeout=_number(settings["llm_timeout"] or data.get("timeout"), DEFAULT_TIMEOUT,
                        "timeout", where, low=0.001),
        max_rounds=int(_number(settings["llm_max_rounds"] or data.get("max_rounds"),
                               DEFAULT_MAX_ROUNDS, "max_rounds", where, low=0,
                               high=MAX_ROUNDS_LIMIT, integer=True)),
        max_tokens=int(_number(section.get("max_tokens") or data.get("max_tokens"),
                               DEFAULT_MAX_TOKENS, "max_tokens", str(path), low=1,
                               integer=True)),
        prices=prices,
        usage_log=Path(settings["llm_usage_log"]),
    )


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise GenerationError(f"cannot read {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise GenerationError(f"{path} is not valid TOML: {exc}") from None
    unknown = sorted(set(data) - _FILE_KEYS)
    if unknown:
        raise GenerationError(f"{path}: unknown setting {', '.join(map(repr, unknown))}; "
                              f"expected: {', '.join(sorted(_FILE_KEYS))}")
    for name in PROVIDERS:
        section = data.get(name, {})
        if not isinstance(section, dict):
            raise GenerationError(f"{path}: [{name}] must be a table")
        wrong = sorted(set(section) - _PROVIDER_KEYS)
        if wrong:
            raise GenerationError(f"{path}: unknown setting {', '.join(map(repr, wrong))} in "
                                  f"[{name}]; expected: {', '.join(sorted(_PROVIDER_KEYS))}")
    return data


def _prices(table: Any, path: Path) -> dict[str, Price]:
    if not isinstance(table, dict):
        raise GenerationError(f"{path}: [prices] must be a table of model = {{input, output}}")
    out: dict[str, Price] = {}
    for model, entry in table.items():
        try:
            if not isinstance(entry, dict) or set(entry) != {"input", "output"}:
                raise ValueError
            price = Price(Decimal(str(entry["input"])), Decimal(str(entry["output"])))
            if price.input < 0 or price.output < 0 or not price.input.is_finite() \
                    or not price.output.is_finite():
                raise ValueError
        except (ValueError, InvalidOperation):
            raise GenerationError(
                f"{path}: the price of `{model}` must be {{input = DOLLARS, output = DOLLARS}} "
                "per million tokens, both zero or more") from None
        out[str(model)] = price
    return out


def _number(value: Any, default: float, name: str, where: str, *, low: float,
            high: float | None = None, integer: bool = False) -> float:
    if value is None or value == "":
        return default
    try:
        if isinstance(value, bool):
            raise ValueError
        number = int(str(value)) if integer else float(str(value))
    except ValueError:
        number = None
    if number is None or number < low or (high is not None and number > high) \
            or number != number:
        bounds = f"at least {low:g}" + (f" and at most {high:g}" if high is not None else "")
        kind = "a whole number" if integer else "a number"
        raise GenerationError(f"{name} must be {kind}, {bounds} (got {value!r}; set in {where})")
    return float(number)
