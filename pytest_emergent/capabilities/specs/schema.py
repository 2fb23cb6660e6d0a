"""The spec schema in one place: the fields of an entry, the options of each check, and the
JSON Schema that editors use for completion (`emergent schema`).

Validation (validate.py) reads the same tables, so the editor's view and the plugin's errors
cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from ...checks.types import CHECK_OPTIONS, CHECKS
from ...models.framing import FORMATS
from .layout import LAYOUT_FIELDS
from .strategies import STRATEGIES

SCALE_DIMENSIONS = ("params", "tokens", "compute", "step")

# entry field -> (JSON Schema, one-line description)
_TEMPLATE = {"type": "string"}
_PER_FORMAT = {"type": "object", "propertyNames": {"enum": [*FORMATS, "default"]}}
_SCALE_VALUE = {"type": ["string", "number"]}
_CHOICES = {"anyOf": [{"type": "array", "items": _TEMPLATE}, _TEMPLATE]}
_STOPS = {"anyOf": [{"type": "string", "minLength": 1}, {"type": "array", "items": {"type": "string", "minLength": 1}}]}

ENTRY_FIELDS: dict[str, tuple[dict[str, Any], str]] = {
    "id": ({"type": "string", "pattern": r"^[A-Za-z0-9_][A-Za-z0-9_./:-]*$"}, "capability id, unique in the file"),
    "description": ({"type": "string", "minLength": 1}, "what is tested, and the source of the declared scale"),
    "requires_scale": ({"anyOf": [_SCALE_VALUE, {"type": "object", "additionalProperties": False,
                                                  "properties": {d: _SCALE_VALUE for d in SCALE_DIMENSIONS}}]},
                       "'7B', 7e9, a tier name, or {params, tokens, compute, step}"),
    "requires_traits": ({"type": "array", "items": {"type": "string"}}, "traits the model needs (instruct, chat, ...)"),
    "requires_capabilities": ({"type": "array", "items": {"type": "string"}},
                              "capability ids this one builds on (reports flag one passing before them)"),
    "formats": ({"anyOf": [{"enum": list(FORMATS)}, {"type": "array", "items": {"enum": list(FORMATS)}, "minItems": 1}]},
                "framings to run: qa, t5, instruct, raw (default raw)"),
    "prompt": ({"anyOf": [_TEMPLATE, {**_PER_FORMAT, "additionalProperties": _TEMPLATE}]},
               "Jinja template of the prompt, or one per format"),
    "t5_prefix": ({"type": "string"}, "task prefix of the t5 framing, e.g. 'cola sentence'"),
    "prefix": ({"type": "string"}, "text put once before the few-shot examples and the case"),
    "system": ({"type": "string"}, "system message of the instruct framing"),
    "examples": ({"type": "array", "items": {"type": "object"}, "minItems": 1}, "inline cases: maps of template variables"),
    "data": ({"type": "string"}, "cases from a .jsonl, .csv or BIG-bench task .json file, relative to the spec"),
    "generate": ({"type": "object", "additionalProperties": {"$ref": "#/$defs/strategy"}},
                 "cases drawn from Hypothesis strategies, one per variable"),
    "count": ({"type": "integer", "minimum": 1}, "number of generated cases (or the first N of examples/data)"),
    "seed": ({"type": "integer"}, "seed of generation and of the choice of few-shot examples"),
    "shots": ({"type": "integer", "minimum": 0},
              "few-shot examples drawn from the other cases; with shots_from, how many of its exemplars (default all)"),
    "shots_from": ({"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "object"}, "minItems": 1}]},
                   "fixed few-shot exemplars, in order, never scored: inline maps of template variables, or a file "
                   "(.jsonl, .csv, .json, or a BIG-Bench Hard prompt .txt whose description is the default prefix)"),
    "expected": ({"anyOf": [_TEMPLATE, {"type": "array", "items": _TEMPLATE},
                            {**_PER_FORMAT, "additionalProperties": {"anyOf": [_TEMPLATE, {"type": "array"}]}}]},
                 "expected answer template(s); any of a list counts"),
    "choices": ({"anyOf": [_CHOICES, {**_PER_FORMAT, "additionalProperties": _CHOICES}]},
                "options of the choice check: a list of templates (one rendering empty is no option), or one "
                "template of the case (its lines, or the list '{{ expression }}' gives); or one per format"),
    "check": ({"anyOf": [{"enum": list(CHECKS)}, {"$ref": "#/$defs/check"}]}, "how an answer is graded"),
    "normalize": ({"$ref": "#/$defs/normalize"}, "how text is made comparable"),
    "threshold": ({"anyOf": [{"type": "number", "minimum": 0, "maximum": 1},
                             {"type": "object", "required": ["tau"], "additionalProperties": False,
                              "properties": {"tau": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                                             "chance": {"type": "number", "minimum": 0, "exclusiveMaximum": 1}}}]},
                  "pass rate at which the capability passes (default 1), or {tau, chance}: chance + tau·(1 − chance), "
                  "chance defaulting to 1/choices for the choice check, else 0"),
    "max_new_tokens": ({"type": "integer", "minimum": 1}, "generation budget (default 32)"),
    "stop": ({"anyOf": [_STOPS, {**_PER_FORMAT, "additionalProperties": _STOPS}]},
             "stop strings, or one list per format (default: a newline for qa and t5)"),
    "layout": ({"type": "object", "additionalProperties": False,
                "properties": {k: {"type": "string", "description": v} for k, v in LAYOUT_FIELDS.items()}},
               "separators of the few-shot prompt: shot_separator, answer_separator, prefix_separator"),
}
REQUIRED = ("id", "description")

NORMALIZE_OPTIONS = {"strip": "strip surrounding whitespace (default true)",
                     "ignore_case": "compare case-insensitively (default false)",
                     "collapse_whitespace": "runs of whitespace count as one space (default true)"}


def _strategy_schema() -> dict[str, Any]:
    ref = {"$ref": "#/$defs/strategy"}
    bounds = {"anyOf": [{"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
                        {"type": "object", "properties": {"min": {"type": "number"}, "max": {"type": "number"},
                                                          "places": {"type": "integer"}}, "additionalProperties": False}]}
    sizes = {"min_size": {"type": "integer", "minimum": 0}, "max_size": {"type": "integer", "minimum": 0}}
    forms = {
        "integers": bounds, "floats": bounds, "sampled_from": {"type": "array", "minItems": 1}, "just": {},
        "text": {"type": "object", "required": ["alphabet"], "additionalProperties": False,
                 "properties": {"alphabet": {"type": "string", "minLength": 1}, **sizes}},
        "lists": {"type": "object", "required": ["elements"], "additionalProperties": False,
                  "properties": {"elements": ref, "unique": {"type": "boolean"}, **sizes}},
        "tuples": {"type": "array", "items": ref, "minItems": 1},
        "one_of": {"type": "array", "items": ref, "minItems": 1},
    }
    assert set(forms) == set(STRATEGIES)
    return {"oneOf": [{"type": "object", "properties": {name: schema}, "required": [name], "additionalProperties": False}
                      for name, schema in forms.items()]}


def _check_schema() -> dict[str, Any]:
    variants = []
    for name, options in CHECK_OPTIONS.items():
        props: dict[str, Any] = {"type": {"const": name}, "normalize": {"$ref": "#/$defs/normalize"}}
        for option, (kind, _req, _tmpl, text) in options.items():
            props[option] = {"type": kind, "description": text}
        required = ["type", *(o for o, spec in options.items() if spec[1])]
        variants.append({"type": "object", "properties": props, "required": required, "additionalProperties": False})
    return {"oneOf": variants}


def json_schema() -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) of a spec file, for editors' completion and validation."""
    entry = {
        "type": "object",
        "properties": {name: {**schema, "description": text} for name, (schema, text) in ENTRY_FIELDS.items()},
        "required": list(REQUIRED),
        "additionalProperties": False,
        "anyOf": [{"required": ["examples"]}, {"required": ["data"]}, {"required": ["generate"]}],
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "pytest-emergent capability spec",
        "description": "A list of capability entries, or {capabilities: [...]}.",
        "anyOf": [
            {"type": "array", "items": {"$ref": "#/$defs/entry"}},
            {"type": "object", "properties": {"capabilities": {"type": "array", "items": {"$ref": "#/$defs/entry"}}},
             "required": ["capabilities"], "additionalProperties": False},
        ],
        "$defs": {
            "entry": entry,
            "check": _check_schema(),
            "normalize": {"type": "object", "additionalProperties": False,
                          "properties": {k: {"type": "boolean", "description": v} for k, v in NORMALIZE_OPTIONS.items()}},
            "strategy": _strategy_schema(),
        },
    }
