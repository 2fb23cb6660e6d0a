"""How far one YAML item travels: the project's files and functions it passes, runtest to report.

Runs one spec file (an `exact` entry and a `choice` entry) on a tiny random model and traces
(sys.setprofile) every call into `pytest_emergent` made while pytest runs the first spec item,
with a fresh response cache as by default: setup, call (which plans and runs the model's
requests, down to the forward pass) and teardown, with the report hooks. Prints the counts and,
with --list, the functions. Issue 15 measured the flow with it before and after the re-layout.

    .venv/bin/python bench/flow_trace.py [--list] [--no-cache]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

SPEC = """
- id: trace/capital
  description: a fact in the Q/A framing
  formats: [qa]
  prompt: "What is the capital of {{ country }}?"
  examples:
    - {country: France, expected: Paris}
    - {country: Italy, expected: Rome}
  check: exact
- id: trace/choice
  description: a choice by log-likelihood
  prompt: "The sky is"
  choices: [blue, green]
  examples: [{expected: blue}]
  check: choice
"""


# Units of the layout before the re-layout (issue 15), named by the stage they belonged to.
OLD_UNITS = {"specs": "capabilities", "requirements": "capabilities", "scoring": "capabilities",
             "draw": "capabilities", "model": "models", "pool": "models", "session": "state"}


def unit_of(path: str) -> str:
    parts = path.strip(os.sep).split(os.sep)
    unit = parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")
    return OLD_UNITS.get(unit, unit)


class Tracer:
    """Collects (file, function) of calls into the package while `active`, and the calls that go
    back up the layers of the layout (a lower stage calling a higher one: a callback)."""

    def __init__(self, package: str):
        self.package, self.active, self.calls, self.upward = package, False, set(), set()
        from test_layout import LAYERS

        self.rank = {unit: i for i, layer in enumerate(LAYERS) for unit in layer}

    def _project(self, frame):  # noqa: ANN001
        while frame is not None and self.package not in frame.f_code.co_filename:
            frame = frame.f_back
        return frame

    def __call__(self, frame, event, arg):  # noqa: ANN001 - sys.setprofile's signature
        if event != "call" or not self.active:
            return
        path = frame.f_code.co_filename
        if self.package not in path:
            return
        here = path.split(self.package, 1)[1]
        self.calls.add((here, frame.f_code.co_qualname))
        caller = self._project(frame.f_back)
        if caller is None:
            return
        there = caller.f_code.co_filename.split(self.package, 1)[1]
        low, high = unit_of(there), unit_of(here)
        if self.rank.get(high, -1) > self.rank.get(low, 99):
            self.upward.add((f"{there}:{caller.f_code.co_qualname}", f"{here}:{frame.f_code.co_qualname}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print every function passed")
    parser.add_argument("--no-cache", action="store_true", help="response cache off (default: a fresh, empty cache)")
    args = parser.parse_args()
    import pytest
    from tiny import build_llama

    tracer = Tracer(os.sep + "pytest_emergent" + os.sep)

    class Trace:
        """A plugin that switches the tracer on around the first spec item's protocol."""

        seen = False

        @pytest.hookimpl(wrapper=True)
        def pytest_runtest_protocol(self, item, nextitem):
            first = not Trace.seen and item.path.suffix == ".yaml"
            Trace.seen = Trace.seen or first
            tracer.active = first
            try:
                return (yield)
            finally:
                tracer.active = False

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        model = build_llama(root / "tiny")
        (root / "capability_specs").mkdir()
        (root / "capability_specs" / "trace.yaml").write_text(SPEC)
        (root / "emergent-models.yaml").write_text(f"- name: tiny\n  path: {model}\n  params: 1M\n  family: tiny\n")
        sys.setprofile(tracer)
        try:
            pytest.main([str(root / "capability_specs"), "-q", "-p", "no:cacheprovider", f"--rootdir={root}",
                         "--emergent-cache=" + ("off" if args.no_cache else str(root / "cache")), "--emergent-no-ledger"], plugins=[Trace()])
        finally:
            sys.setprofile(None)
    files = sorted({f for f, _ in tracer.calls})
    named = {(f, n) for f, n in tracer.calls if "<" not in n}  # no modules, comprehensions, lambdas
    print(f"one YAML item, runtest to report: {len(files)} files, {len(named)} functions and methods "
          f"({len(tracer.calls)} with comprehensions, lambdas and module bodies) of pytest_emergent; "
          f"{len(tracer.upward)} calls back up the layers")
    for caller, callee in sorted(tracer.upward):
        print(f"  up: {caller} -> {callee}")
    if args.list:
        for path in files:
            names = sorted(n for f, n in tracer.calls if f == path)
            print(f"  {path}: {', '.join(names)}")


if __name__ == "__main__":
    main()
