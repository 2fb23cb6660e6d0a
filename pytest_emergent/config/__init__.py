"""Configuration: the models file, built-in models, the merged selection, and the defaults.

The pytest options live in `config.options` (imported by the plugin only: the `emergent`
command uses the rest without pytest)."""

from .builtin import BUILTINS, builtin_models, check_available, locate
from .models import (
    ModelConfig,
    ModelConfigError,
    load_models_file,
    parse_spec_string,
    select_models,
    split_selection,
    with_batch_size,
)

__all__ = [
    "BUILTINS",
    "ModelConfigError",
    "ModelConfig",
    "builtin_models",
    "check_available",
    "load_models_file",
    "locate",
    "parse_spec_string",
    "select_models",
    "split_selection",
    "with_batch_size",
]
