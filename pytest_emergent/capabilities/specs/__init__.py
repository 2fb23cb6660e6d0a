"""YAML capability specs: schema, validation, cases, planning and the pytest items they become."""

from .entry import Spec
from .schema import json_schema
from .validate import SpecFileError, load_specs
from .yamlio import SpecError

__all__ = ["Spec", "SpecError", "SpecFileError", "json_schema", "load_specs"]
