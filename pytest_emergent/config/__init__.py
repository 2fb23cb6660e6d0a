"""Configuration: the models file, built-in models, and the merged selection."""

from .builtin import BUILTINS, builtin_specs, check_available, locate
from .models import ModelConfigError, ModelSpec, load_models_file, parse_spec_string, select_models, split_selection

__all__ = [
    "BUILTINS",
    "ModelConfigError",
    "ModelSpec",
    "builtin_specs",
    "check_available",
    "load_models_file",
    "locate",
    "parse_spec_string",
    "select_models",
    "split_selection",
]
