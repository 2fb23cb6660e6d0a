"""What a capability declares (scale, traits, prerequisites), and its assessment against one model.

Like pytest's skipping module: a pure evaluation of the marks into a frozen dataclass, then a
pure comparison with a model's scale and traits. A `Capability` is what both kinds of
capability (a Python test, a YAML spec entry) become for the rest of the flow: its id, its
requirement and the fingerprint of its definition.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..scale import Scale, ScaleError, ScaleRequirement, build_requirement, describe_gap, unmet


@dataclass(frozen=True)
class Requirement:
    scale: ScaleRequirement
    traits: tuple[str, ...] = ()
    reason: str | None = None
    capability: str | None = None
    # Capabilities this one builds on: it should not pass before them (reports flag an inversion).
    prerequisites: tuple[str, ...] = ()

    def declared(self) -> dict[str, Any]:
        """The declaration as it goes into reports."""
        out: dict[str, Any] = dict(self.scale.as_dict())
        if self.traits:
            out["traits"] = list(self.traits)
        if self.prerequisites:
            out["requires_capabilities"] = list(self.prerequisites)
        return out


@dataclass(frozen=True)
class Capability:
    """One capability as reports and the ledger know it.

    `fingerprint` hashes what the capability measures (a YAML entry's measuring fields and
    cases, a Python test's source), so a changed definition is not mistaken for a changed model."""

    id: str
    requirement: Requirement
    fingerprint: str | None = None
    kind: str = "python"  # or "spec"


@dataclass(frozen=True)
class Assessment:
    """Whether a model meets a requirement, and if not, the words that say why."""

    meets: bool
    reason: str = ""


def evaluate_marks(marks: Iterable[Any], tiers: Mapping[str, ScaleRequirement]) -> Requirement:
    """Fold `requires_scale`, `requires_traits` and `capability` marks (closest first) into one."""
    dims: dict[str, float] = {}
    traits: list[str] = []
    prerequisites: list[str] = []
    reason = capability = None
    for mark in marks:
        if mark.name == "requires_scale":
            if len(mark.args) > 1:
                raise ScaleError("requires_scale takes one positional value (params); use tokens=, compute=, step=")
            unknown = set(mark.kwargs) - {"params", "tokens", "compute", "step", "reason"}
            if unknown:
                raise ScaleError(f"requires_scale: unknown argument {sorted(unknown)[0]!r}")
            kwargs = {k: v for k, v in mark.kwargs.items() if k != "reason"}
            if mark.args:
                kwargs["params"] = mark.args[0]
            if not any(v is not None for v in kwargs.values()):
                raise ScaleError("requires_scale needs a value, e.g. requires_scale('7B') or requires_scale(tokens='2T')")
            for dim, value in build_requirement(**kwargs, tiers=tiers).as_dict().items():
                dims.setdefault(dim, value)
            reason = reason or mark.kwargs.get("reason")
        elif mark.name == "requires_traits":
            for trait in mark.args:
                if not isinstance(trait, str) or not trait:
                    raise ScaleError(f"requires_traits takes words, got {trait!r}")
                if trait not in traits:
                    traits.append(trait)
        elif mark.name == "capability":
            if len(mark.args) > 1 or (mark.args and not isinstance(mark.args[0], str)) or set(mark.kwargs) - {"requires"}:
                raise ScaleError("capability takes one string, the capability id, and requires=[ids it builds on]")
            if mark.args:
                capability = capability or mark.args[0]
            needs = mark.kwargs.get("requires", ())
            needs = [needs] if isinstance(needs, str) else list(needs)
            if not all(isinstance(n, str) and n for n in needs):
                raise ScaleError(f"capability(requires=...) takes capability ids, got {needs!r}")
            prerequisites += [n for n in needs if n not in prerequisites]
    return Requirement(ScaleRequirement(**dims), tuple(traits), reason, capability, tuple(prerequisites))


def assess(requirement: Requirement, scale: Scale, traits: Iterable[str]) -> Assessment:
    """Compare a requirement with a model; the reason names both sides."""
    parts = []
    missing_dims = unmet(requirement.scale, scale)
    if missing_dims:
        parts.append(describe_gap(requirement.scale, scale, missing_dims))
    have = set(traits)
    missing_traits = [t for t in requirement.traits if t not in have]
    if missing_traits:
        parts.append(f"needs trait {', '.join(missing_traits)}; model has {', '.join(sorted(have)) or 'none'}")
    if not parts:
        return Assessment(True)
    if requirement.reason:
        parts.append(requirement.reason)
    return Assessment(False, "; ".join(parts))
