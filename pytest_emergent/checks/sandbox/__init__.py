"""Running model-written code in a separate, contained process.

`run_code` runs a solution against its tests under the isolation chosen for this machine
(`policy.py`: bubblewrap, else as root the `nobody` user, else resource limits only), reads the
output as it comes with a bounded tail, and takes the verdict only from the runner's own channel.
What each mode gives is in docs/specs.md, "The code sandbox".
"""

from __future__ import annotations

from .policy import DEFAULT_POLICY, SandboxUnavailable, check_policy, choose_isolation, describe_policy, probe
from .run import run_isolated
from .text import escape_line, escape_output
from .types import BUBBLEWRAP, MODES, NOBODY, POLICIES, RLIMITS, Isolation, Limits, SandboxResult

DEFAULT_LIMITS = Limits()


def run_code(solution: str, tests: str, limits: Limits = DEFAULT_LIMITS,
             isolation: Isolation | None = None) -> SandboxResult:
    """Run `solution` then `tests` (functions named test_*, Hypothesis @given ones included),
    under `isolation`, by default the best this machine gives."""
    return run_isolated(solution, tests, limits, isolation or choose_isolation(DEFAULT_POLICY))


__all__ = ["BUBBLEWRAP", "DEFAULT_POLICY", "MODES", "NOBODY", "POLICIES", "RLIMITS", "Isolation", "Limits",
           "SandboxResult", "SandboxUnavailable", "check_policy", "choose_isolation", "describe_policy",
           "escape_line", "escape_output", "probe", "run_code"]
