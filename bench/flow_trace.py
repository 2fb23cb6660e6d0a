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


class Tracer:
    """Collects (file, function) of calls into the package while `active`."""

    def __init__(self, package: str):
        self.package, self.active, self.calls = package, False, set()

    def __call__(self, frame, event, arg):  # noqa: ANN001 - sys.setprofile's signature
        if event == "call" and self.active:
            path = frame.f_code.co_filename
            if self.package in path:
                self.calls.add((path.split(self.package, 1)[1], frame.f_code.co_qualname))


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
          f"({len(tracer.calls)} with comprehensions, lambdas and module bodies) of pytest_emergent")
    if args.list:
        for path in files:
            names = sorted(n for f, n in tracer.calls if f == path)
            print(f"  {path}: {', '.join(names)}")


if __name__ == "__main__":
    main()
