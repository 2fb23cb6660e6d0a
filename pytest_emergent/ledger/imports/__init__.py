"""Results of other harnesses as ledger runs: lm-evaluation-harness and BIG-bench files.

One file is one run of one model, so an existing sweep over sizes becomes a history with
curves at once, and later pytest-emergent runs of the same family compare against it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import bigbench, lmeval
from .common import ImportFormatError, ImportOptions, build_document
from .known import known_model
from .names import family_from_name, params_from_name

__all__ = ["ImportFormatError", "ImportOptions", "family_from_name", "import_file", "known_model", "params_from_name"]


def import_file(path: Path | str, options: ImportOptions | None = None) -> dict[str, Any]:
    """Read one results file into a run document (no run id, no changes yet)."""
    path = Path(path)
    options = options or ImportOptions()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ImportFormatError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ImportFormatError(f"{path}: not valid JSON ({exc or 'nested too deeply'})") from None
    if lmeval.is_lm_eval(data):
        reader, kind = lmeval, "lm-eval"
    elif bigbench.is_bigbench(data):
        reader, kind = bigbench, "bigbench"
    else:
        raise ImportFormatError(
            f"{path}: neither an lm-evaluation-harness results file (an object with 'results' and 'config') "
            "nor a BIG-bench scores file (an object with 'model' and a 'scores' list)")
    model = reader.read_model(data, path, options)
    scores = reader.read_scores(data, path, options)

    return build_document(model, scores, options, source={"format": kind, "file": str(path)}, path=path)
