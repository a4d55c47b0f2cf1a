"""Registry checks the field types cannot make, and every problem as one `file: place: cause` line.

Field-level checks (types, bounds from `depinlens.bounds`, identifiers per chain family from
`depinlens.addresses`) run while pydantic builds the models; this module adds what needs the
whole registry: duplicates, chains every entry can name, take rates of the network's own tokens.
It also turns pydantic's errors into places a person can find in the TOML file
(`networks.aethir.tokens[1] (ATH on arbitrum), address`), so every refusal is one plain line.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from depinlens.bounds import (
    BURN_SHARE_OF_FEES,
    CONFIRMATIONS,
    EVM_CHAIN_ID,
    TAKE_RATE,
    TOKEN_DECIMALS,
    Bound,
)

if TYPE_CHECKING:
    from depinlens.registry import Registry

TOP_LEVEL_TABLES = ("chains", "networks")
FIELD_BOUNDS: Mapping[str, Bound] = {
    "decimals": TOKEN_DECIMALS, "confirmations": CONFIRMATIONS, "burn_share_of_fees": BURN_SHARE_OF_FEES,
}
_NUMERIC_CONSTRAINTS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}
_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
_ZERO_EVM_ADDRESS = "0x" + "0" * 40


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the registry: where (a TOML path with the entry's label) and why."""

    place: str
    cause: str

    def line(self, file: object) -> str:
        """`file: place: cause`, the form every registry refusal takes."""
        return f"{file}: {self.place}: {self.cause}"


def summary(file: object, problems: Sequence[Problem]) -> str:
    """One line: the first problem in full, then where the others are (fix them in file order)."""
    first = problems[0].line(file)
    if len(problems) == 1:
        return first
    others = "; ".join(p.place for p in problems[1:4]) + ("; ..." if len(problems) > 4 else "")
    return f"{first} (and {len(problems) - 1} more problem(s), at: {others})"


# --- pydantic's errors, placed -------------------------------------------------------------------

def unknown_tables(document: Mapping[str, Any]) -> list[Problem]:
    """Top-level tables other than [chains.*] and [networks.*] (a typo like [network.x] would be ignored)."""
    return [Problem(f"[{key}]", "unknown table; the registry has only [chains.<id>] and [networks.<id>] "
                                "(a typo?)") for key in document if key not in TOP_LEVEL_TABLES]


def validation_problems(exc: ValidationError, shaped: Mapping[str, Any], root: type[BaseModel]) -> list[Problem]:
    """pydantic's errors for the registry built from `shaped`, each with its place in the TOML file."""
    groups: dict[tuple, list] = {}  # per entry, in file order; unknown keys first (a typo explains a "missing")
    for error in exc.errors():
        groups.setdefault(tuple(error["loc"][:-1]), []).append(error)
    ordered = [e for group in groups.values() for e in sorted(group, key=lambda e: e["type"] != "extra_forbidden")]
    problems = []
    for error in ordered:
        loc = tuple(error["loc"])
        parent = _model_at(root, loc[:-1]) if loc else None
        is_field = bool(loc) and isinstance(loc[-1], str) and parent is not None and (
            loc[-1] in parent.model_fields or error["type"] == "extra_forbidden")
        entry, field = (loc[:-1], loc[-1]) if is_field else (loc, None)
        place = ", ".join(p for p in (_place(entry, shaped), field) if p)
        problems.append(Problem(place, _cause(error, field, parent if is_field else _model_at(root, entry))))
    return problems


def _place(loc: Sequence[str | int], shaped: Mapping[str, Any]) -> str:
    """`networks.aethir.tokens[1] (ATH on arbitrum)` for a pydantic location inside `shaped`."""
    text, node, label = "", shaped, ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
        if isinstance(part, int) and isinstance(node, Mapping):
            name = node.get("symbol") or node.get("name")
            label = f" ({name} on {node.get('chain')})" if name and node.get("chain") else ""
    return text + label


def _cause(error: Mapping[str, Any], field: str | None, model: type[BaseModel] | None) -> str:
    """Why pydantic refused a value, in the registry's words."""
    kind, value = error["type"], error.get("input")
    shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
    if kind == "missing":
        return "missing; this entry needs it"
    if kind == "extra_forbidden":
        known = [f for f in (model.model_fields if model else ()) if f not in ("network", "id")]
        close = difflib.get_close_matches(str(field), known, n=1)
        return (f"unknown key (a typo of {close[0]!r}?)" if close else "unknown key (a typo?)") + (
            f"; the keys here are {', '.join(known)}" if known else "")
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error") or error["msg"])
    if kind in _NUMERIC_CONSTRAINTS and field in FIELD_BOUNDS:
        return f"{shown} {FIELD_BOUNDS[field].problem(value)}"
    message = error["msg"]
    return f"{shown}: {message[:1].lower()}{message[1:]}"


def _model_at(root: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model class that sits at `loc` under `root` (for naming the keys it accepts)."""
    annotation: Any = root
    for part in loc:
        annotation = _inner_model(annotation, part)
        if annotation is None:
            return None
    annotation = _inner_model(annotation, None)
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _inner_model(annotation: Any, part: str | int | None) -> Any:
    """One step down a type: a model's field, a container's item (Optional unwrapped)."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        models = [a for a in args if a is not type(None)]
        return _inner_model(models[0], part) if len(models) == 1 else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if part is None:
            return annotation
        field = annotation.model_fields.get(part) if isinstance(part, str) else None
        return field.annotation if field else None
    if origin in (tuple, list) and args:
        return args[0] if part is not None else annotation
    if origin is dict and len(args) == 2:
        return args[1] if part is not None else annotation
    return annotation if part is None else None


# --- whole-registry checks -----------------------------------------------------------------------

def registry_problems(registry: Registry) -> list[Problem]:
    """Everything wrong with a registry whose fields are each valid: chains, entries, take rates."""
    return [*_chain_problems(registry), *_entry_problems(registry), *_take_rate_problems(registry),
            *_signal_problems(registry), *_silence_problems(registry)]


def _entries(registry: Registry) -> Iterator[tuple[str, Any]]:
    """Every token and program with its place: `networks.<id>.tokens[i] (SYMBOL on chain)`."""
    for network in registry.networks.values():
        for kind, items in (("tokens", network.tokens), ("programs", network.programs)):
            for index, item in enumerate(items):
                label = getattr(item, "symbol", None) or item.name
                yield f"networks.{network.id}.{kind}[{index}] ({label} on {item.chain})", item


def _chain_problems(registry: Registry) -> Iterator[Problem]:
    seen_env: dict[str, str] = {}
    for chain in registry.chains.values():
        place = f"chains.{chain.id}"
        if chain.family == "evm":
            if chain.chain_id is None:
                yield Problem(place, "an EVM chain needs chain_id (the id its node reports, e.g. 1 for Ethereum)")
            elif cause := EVM_CHAIN_ID.problem(chain.chain_id):
                yield Problem(f"{place}, chain_id", f"{chain.chain_id} {cause}")
        if not _ENV_NAME.fullmatch(chain.rpc_url_env):
            yield Problem(f"{place}, rpc_url_env", f"{chain.rpc_url_env!r} is not an environment variable name "
                                                   "(capitals, digits and _)")
        elif chain.rpc_url_env in seen_env:
            yield Problem(f"{place}, rpc_url_env", f"{chain.rpc_url_env} is already the variable of "
                                                   f"chains.{seen_env[chain.rpc_url_env]}; each chain needs its own")
        seen_env.setdefault(chain.rpc_url_env, chain.id)


def _entry_problems(registry: Registry) -> Iterator[Problem]:
    by_address: dict[tuple[str, str], str] = {}
    by_label: dict[tuple[str, str, str, str], str] = {}
    for place, item in _entries(registry):
        if item.chain not in registry.chains:
            yield Problem(place, f"unknown chain {item.chain!r}; known chains: {', '.join(registry.chains)}")
            continue
        if item.address == _ZERO_EVM_ADDRESS:
            yield Problem(f"{place}, address", "the zero address holds no token or contract (a placeholder?)")
        kind = "token" if hasattr(item, "symbol") else "program"
        label = getattr(item, "symbol", None) or item.name
        address_key = (item.chain, item.address)
        if address_key in by_address:
            yield Problem(f"{place}, address", f"{item.address} on {item.chain} is already {by_address[address_key]}; "
                                               "one address is one entry")
        by_address.setdefault(address_key, place)
        if getattr(item, "contract", None) and not registry.chains[item.chain].local:
            yield Problem(f"{place}, contract", f"a stand-in contract belongs to a local chain; {item.chain} is a real "
                                                "one (remove `contract`)")
        label_key = (kind, item.network, item.chain, label)
        if label_key in by_label:
            yield Problem(place, f"{item.network} already has a {kind} {label!r} on {item.chain} "
                                 f"({by_label[label_key]}); remove one or rename it")
        by_label.setdefault(label_key, place)


def _take_rate_problems(registry: Registry) -> Iterator[Problem]:
    for network in registry.networks.values():
        symbols = {t.symbol for t in network.tokens}
        for symbol, rate in network.take_rates.items():
            place = f"networks.{network.id}, take_rates.{symbol}"
            if symbol not in symbols:
                yield Problem(place, f"{symbol!r} is not a token of {network.id} "
                                     f"({', '.join(sorted(symbols)) or 'it lists none'})")
            if cause := TAKE_RATE.problem(rate):
                yield Problem(place, f"{rate!r} {cause}")


def _signal_problems(registry: Registry) -> Iterator[Problem]:
    """A signal names a known chain, a token of its network on that chain, and on Solana a real account."""
    from depinlens.addresses import check_identifier

    for network in registry.networks.values():
        for index, signal in enumerate(network.signals):
            place = f"networks.{network.id}.signals[{index}] ({signal.metric} on {signal.chain})"
            chain = registry.chains.get(signal.chain)
            if chain is None:
                yield Problem(place, f"unknown chain {signal.chain!r}; known chains: {', '.join(registry.chains)}")
                continue
            if signal.token and not any(t.symbol == signal.token and t.chain == signal.chain for t in network.tokens):
                yield Problem(f"{place}, token", f"{network.id} has no {signal.token} token on {signal.chain}; "
                                                 "list the token first")
            if chain.family == "solana":
                try:
                    check_identifier("solana", signal.account)
                except ValueError as exc:
                    yield Problem(f"{place}, account", str(exc))


def _silence_problems(registry: Registry) -> Iterator[Problem]:
    """A network with nothing on-chain must say why: pages list it with those reasons, never leave it out."""
    for network in registry.networks.values():
        if not (network.tokens or network.programs or network.pending):
            yield Problem(f"networks.{network.id}", "no tokens, programs or pending entries; list what is not "
                                                    f"published and why in [[networks.{network.id}.pending]]")
