"""The defaults of every option, in one place: file and folder names, the default model.

The plugin's options, the `emergent` command and the docs read them from here.
"""

from __future__ import annotations

from pathlib import Path

from .paths import cache_root

DEFAULT_MODEL = "smollm2-135m"  # runs when nothing is selected and there is no models file
MODELS_FILE = "emergent-models.yaml"  # looked up from the invocation folder up to the rootdir
LEDGER_FOLDER = ".emergent"  # relative to the rootdir
SPEC_GLOBS = ("capability_specs/**/*.yaml",)  # relative to the rootdir (ini key emergent_specs)
# Drawing a case from a `generate:` strategy takes milliseconds; more than this many per entry
# would hold collection for minutes: such suites keep their cases in a `data:` file.
MAX_GENERATED_CASES = 1000


def default_cache_folder() -> Path:
    """The response cache when neither `--emergent-cache` nor `$EMERGENT_CACHE` names one."""
    return cache_root() / "responses"
