"""Scales: parsing "135M" / "1.5B" / 7e9 / tier names, comparing, and printing them.

Pure functions and frozen dataclasses only; nothing of the project is imported here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Union

ScaleValue = Union[str, int, float]

DIMENSIONS = ("params", "tokens", "compute", "step")

# Nominal sizes are rounded ("7B" for 6.74e9 weights); a model this close below a declared
# value still meets it.
TOLERANCE = 0.05

_SUFFIXES = {"": 1.0, "K": 1e3, "M": 1e6, "B": 1e9, "G": 1e9, "T": 1e12, "P": 1e15}
_NUMBER = re.compile(r"^\s*([0-9][0-9_]*(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)\s*([A-Za-z]?)\s*$")


class ScaleError(ValueError):
    """A scale value that cannot be understood; the message says what was expected."""


@dataclass(frozen=True)
class Scale:
    """What is known of a model's size. None means unknown."""

    params: float | None = None
    tokens: float | None = None
    compute: float | None = None
    step: float | None = None

    def with_compute(self) -> Scale:
        """Fill `compute` with 6·N·D when params and tokens are known and compute is not."""
        if self.compute is None and self.params and self.tokens:
            return Scale(self.params, self.tokens, 6.0 * self.params * self.tokens, self.step)
        return self

    def as_dict(self) -> dict[str, float | None]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class ScaleRequirement:
    """The dimensions a capability declares; all given ones must be met."""

    params: float | None = None
    tokens: float | None = None
    compute: float | None = None
    step: float | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, d) is None for d in DIMENSIONS)

    def as_dict(self) -> dict[str, float]:
        return {d: getattr(self, d) for d in DIMENSIONS if getattr(self, d) is not None}


def parse_scale(value: ScaleValue, *, what: str = "scale") -> float:
    """Parse "135M", "1.5B", "2T", "7e9", 7e9 or 7_000_000_000 into a positive number."""
    if isinstance(value, bool):
        raise ScaleError(f"{what}: expected a number like '135M' or 7e9, got {value!r}")
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        match = _NUMBER.match(value)
        suffix = match.group(2).upper() if match else None
        if not match or suffix not in _SUFFIXES:
            raise ScaleError(
                f"{what}: cannot read {value!r}; expected a number with an optional suffix "
                "K, M, B, T (e.g. '135M', '1.5B', '2T', '7e9')"
            )
        number = float(match.group(1).replace("_", "")) * _SUFFIXES[suffix]
    else:
        raise ScaleError(f"{what}: expected a number or a string like '1.5B', got {type(value).__name__}")
    if not math.isfinite(number) or number <= 0:
        raise ScaleError(f"{what}: must be a positive number, got {value!r}")
    return number


def parse_tiers(lines: list[str]) -> dict[str, ScaleRequirement]:
    """Read `emergent_tiers` ini lines: `small = 135M` or `frontier = params:70B tokens:2T`."""
    tiers: dict[str, ScaleRequirement] = {}
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, rest = line.partition("=")
        name, rest = name.strip(), rest.strip()
        if not sep or not name or not rest:
            raise ScaleError(f"emergent_tiers: cannot read {raw!r}; expected 'NAME = 7B' or 'NAME = params:7B tokens:2T'")
        values: dict[str, float] = {}
        for part in rest.replace(",", " ").split():
            dim, colon, val = part.partition(":")
            if not colon:
                dim, val = "params", part
            if dim not in DIMENSIONS:
                raise ScaleError(f"emergent_tiers: tier {name!r} names unknown dimension {dim!r}; known: {', '.join(DIMENSIONS)}")
            values[dim] = parse_scale(val, what=f"emergent_tiers: tier {name!r} {dim}")
        tiers[name] = ScaleRequirement(**values)
    return tiers


def build_requirement(
    params: ScaleValue | None = None,
    *,
    tokens: ScaleValue | None = None,
    compute: ScaleValue | None = None,
    step: ScaleValue | None = None,
    tiers: Mapping[str, ScaleRequirement] | None = None,
) -> ScaleRequirement:
    """Turn marker arguments into a requirement; a string naming a tier stands for that tier."""
    tiers = tiers or {}
    given = {"params": params, "tokens": tokens, "compute": compute, "step": step}
    merged: dict[str, float] = {}
    for dim, value in given.items():
        if value is None:
            continue
        if isinstance(value, str) and value.strip() in tiers:
            for tdim, tval in tiers[value.strip()].as_dict().items():
                merged[tdim] = tval
            continue
        if isinstance(value, str) and re.fullmatch(r"[A-Za-z_][\w-]*", value.strip()) and not _NUMBER.match(value):
            known = ", ".join(sorted(tiers)) or "none defined"
            raise ScaleError(f"{dim}: unknown tier {value!r} (tiers in emergent_tiers: {known})")
        merged[dim] = parse_scale(value, what=dim)
    return ScaleRequirement(**merged)


def unmet(requirement: ScaleRequirement, scale: Scale) -> list[str]:
    """The dimensions of `requirement` the model does not meet (unknown counts as not met)."""
    missing = []
    for dim, needed in requirement.as_dict().items():
        have = getattr(scale, dim)
        if have is None or have < needed * (1.0 - TOLERANCE):
            missing.append(dim)
    return missing


def format_number(value: float | None, dim: str = "params") -> str:
    """135M, 1.5B, 2T for counts; 1.6e21 for compute (FLOPs)."""
    if value is None:
        return "unknown"
    if dim == "compute":
        return f"{value:.2g}".replace("e+", "e")
    if dim == "step":
        return f"{value:,.0f}"
    for suffix, factor in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if value >= factor:
            return f"{value / factor:.3g}{suffix}"
    return f"{value:.3g}"


def describe_gap(requirement: ScaleRequirement, scale: Scale, dims: list[str]) -> str:
    """'needs params ≥ 1B; model has 135M' for the unmet dimensions."""
    needs = ", ".join(f"{d} ≥ {format_number(getattr(requirement, d), d)}" for d in dims)
    has = ", ".join(format_number(getattr(scale, d), d) for d in dims)
    return f"needs {needs}; model has {has}"
