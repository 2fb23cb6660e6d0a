"""YAML capability specs: schema, loading, case generation, prompt framings, planning, collection."""

from .schema import json_schema
from .types import CHECKS, FORMATS, CheckSpec, Normalize, Rendered, Spec
from .validate import SpecFileError, load_specs
from .yamlio import SpecError

__all__ = ["CHECKS", "FORMATS", "CheckSpec", "Normalize", "Rendered", "Spec", "SpecError", "SpecFileError",
           "json_schema", "load_specs"]
