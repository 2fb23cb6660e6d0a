"""The `emergent` command: lists models for now (`emergent models`)."""

from __future__ import annotations

import argparse
import sys

from .config import BUILTINS, ModelConfigError, check_available


def _models(_args: argparse.Namespace) -> int:
    for name, builtin in BUILTINS.items():
        try:
            check_available(name)
            state = "available"
        except ModelConfigError:
            state = f"not installed ({builtin.install})"
        print(f"{name:16} {builtin.description:36} {state}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="emergent", description="pytest-emergent: capability tests across model scales")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("models", help="list the built-in models and whether each is installed").set_defaults(func=_models)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
