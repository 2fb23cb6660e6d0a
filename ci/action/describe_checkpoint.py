"""Write a one-model models file for the checkpoint the CI run tests.

A spec string (`hf:org/model@rev`) cannot carry a family or a step, and without them the
ledger could not tell that two checkpoints belong together, or which comes first. The values
come from environment variables (CHECKPOINT, REVISION, STEP, FAMILY), never from the command
line of a shell script, so no input can inject a command.
"""

from __future__ import annotations

import json
import os
import sys


def describe(environ: dict[str, str]) -> dict[str, object]:
    checkpoint = environ.get("CHECKPOINT", "").strip()
    if not checkpoint:
        raise SystemExit("no checkpoint given: set the 'checkpoint' input (or client_payload.checkpoint)")
    revision, step = environ.get("REVISION", "").strip(), environ.get("STEP", "").strip()
    base = checkpoint.rstrip("/").rsplit("/", 1)[-1]
    model: dict[str, object] = {
        "name": base + (f"@{revision}" if revision and revision != "main" else ""),
        "backend": "hf",
        "path": checkpoint,
        "family": environ.get("FAMILY", "").strip() or base,
    }
    if revision:
        model["revision"] = revision
    if step:
        try:
            model["step"] = float(step)
        except ValueError:
            raise SystemExit(f"step {step!r} is not a number") from None
    return model


def main(argv: list[str]) -> int:
    target = argv[1] if len(argv) > 1 else "emergent-ci-models.yaml"
    model = describe(dict(os.environ))
    with open(target, "w", encoding="utf-8") as handle:
        json.dump([model], handle, indent=2)  # JSON is YAML
    github_env = os.environ.get("GITHUB_ENV")
    if github_env:
        with open(github_env, "a", encoding="utf-8") as handle:
            handle.write(f"EMERGENT_MODEL_NAME={model['name']}\n")
    print(f"{target}: {model}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
