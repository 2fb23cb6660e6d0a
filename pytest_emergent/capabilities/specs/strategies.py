"""`generate:` maps of Hypothesis strategies, written as YAML, turned into real strategies.

Only a fixed vocabulary of strategies is accepted (no code in specs); each mistake names its
path inside `generate` and what was expected there.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ...hints import did_you_mean

STRATEGIES = ("integers", "floats", "sampled_from", "text", "lists", "tuples", "one_of", "just")


class StrategyProblem(ValueError):
    """A strategy that cannot be built; `path` is where inside `generate` (e.g. 'a.lists.elements')."""

    def __init__(self, path: str, message: str):
        self.path = path
        super().__init__(f"{path}: {message}")


def _bounds(path: str, name: str, args: Any, kind: type | tuple[type, ...]) -> tuple[Any, Any, dict]:
    """Read `[lo, hi]` or `{min: lo, max: hi, ...}`; returns (lo, hi, other options)."""
    if isinstance(args, list):
        if len(args) != 2:
            raise StrategyProblem(f"{path}.{name}", f"expected [min, max], got a list of {len(args)}")
        lo, hi, rest = args[0], args[1], {}
    elif isinstance(args, dict):
        rest = dict(args)
        lo, hi = rest.pop("min", None), rest.pop("max", None)
    else:
        raise StrategyProblem(f"{path}.{name}", f"expected [min, max] or {{min: ..., max: ...}}, got {args!r}")
    for label, value in (("min", lo), ("max", hi)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, kind)):
            raise StrategyProblem(f"{path}.{name}.{label}", f"expected a number, got {value!r}")
    if lo is not None and hi is not None and lo > hi:
        raise StrategyProblem(f"{path}.{name}", f"min {lo} is greater than max {hi}")
    return lo, hi, rest


def _sizes(path: str, options: dict) -> dict[str, int]:
    out = {}
    for key in ("min_size", "max_size"):
        if key in options:
            value = options.pop(key)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise StrategyProblem(f"{path}.{key}", f"expected a whole number ≥ 0, got {value!r}")
            out[key] = value
    return out


def _no_more(path: str, options: dict) -> None:
    if options:
        raise StrategyProblem(f"{path}.{sorted(options)[0]}", "unknown option")


def _list_of(path: str, args: Any) -> list:
    if not isinstance(args, list) or not args:
        raise StrategyProblem(path, f"expected a non-empty list, got {args!r}")
    return args


def build_strategy(node: Any, path: str) -> Any:
    """One strategy from `{name: arguments}`."""
    from hypothesis import strategies as st

    if not isinstance(node, dict) or len(node) != 1:
        raise StrategyProblem(path, f"expected one of {{{', '.join(STRATEGIES)}: ...}}, got {node!r}")
    (name, args), = node.items()
    where = f"{path}.{name}"
    if name == "integers":
        lo, hi, rest = _bounds(path, name, args, int)
        _no_more(where, rest)
        return st.integers(lo, hi)
    if name == "floats":
        lo, hi, rest = _bounds(path, name, args, (int, float))
        places = rest.pop("places", None)
        _no_more(where, rest)
        strategy = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
        if places is not None:
            if isinstance(places, bool) or not isinstance(places, int) or places < 0:
                raise StrategyProblem(f"{where}.places", f"expected a whole number ≥ 0, got {places!r}")
            strategy = strategy.map(_rounder(places)).filter(math.isfinite)
        return strategy
    if name == "sampled_from":
        return st.sampled_from(_list_of(where, args))
    if name == "just":
        return st.just(args)
    if name == "text":
        if not isinstance(args, dict) or not isinstance(args.get("alphabet"), str) or not args["alphabet"]:
            raise StrategyProblem(f"{where}.alphabet", "expected a non-empty string of the characters to use")
        rest = dict(args)
        alphabet = rest.pop("alphabet")
        sizes = _sizes(where, rest)
        _no_more(where, rest)
        return st.text(alphabet=alphabet, **sizes)
    if name == "lists":
        if not isinstance(args, dict) or "elements" not in args:
            raise StrategyProblem(f"{where}.elements", "expected {elements: <strategy>, min_size, max_size, unique}")
        rest = dict(args)
        elements = build_strategy(rest.pop("elements"), f"{where}.elements")
        sizes = _sizes(where, rest)
        unique = rest.pop("unique", False)
        if not isinstance(unique, bool):
            raise StrategyProblem(f"{where}.unique", f"expected true or false, got {unique!r}")
        _no_more(where, rest)
        return st.lists(elements, unique=unique, **sizes)
    if name == "tuples":
        return st.tuples(*(build_strategy(s, f"{where}[{i}]") for i, s in enumerate(_list_of(where, args))))
    if name == "one_of":
        return st.one_of(*(build_strategy(s, f"{where}[{i}]") for i, s in enumerate(_list_of(where, args))))
    raise StrategyProblem(path, f"unknown strategy {name!r}{did_you_mean(name, STRATEGIES)}; expected one of {', '.join(STRATEGIES)}")


def _rounder(places: int) -> Callable[[float], float]:
    def round_to(value: float) -> float:
        return round(value, places)

    round_to.__name__ = f"round_{places}"
    return round_to


def build_generator(node: Any) -> Any:
    """A `generate:` map {variable: strategy} → a strategy of dicts."""
    from hypothesis import strategies as st

    if not isinstance(node, dict) or not node:
        raise StrategyProblem("generate", "expected a map of variable names to strategies")
    return st.fixed_dictionaries({str(k): build_strategy(v, str(k)) for k, v in node.items()})
