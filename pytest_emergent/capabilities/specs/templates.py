"""Prompt templates and expected-answer expressions, in a sandboxed Jinja environment.

Spec text is never `eval`-ed: Jinja's sandbox refuses attribute tricks, and StrictUndefined
turns a misspelt variable into an error instead of an empty string. Repetition and powers are
bounded too (`'a' * 10**9`, `2 ** 10**8`), so a typo cannot hold collection or fill memory.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

MAX_REPEAT = 100_000  # items or characters that `*` may make
MAX_EXPONENT = 10_000  # largest integer power `**` may compute


class TemplateProblem(ValueError):
    """A template that does not compile or render; the message says where in the template."""


def _scramble(word: Any) -> str:
    """The letters of `word` in a fixed shuffled order (the same every run), different from the word when possible."""
    text = str(word)
    letters = list(text)
    rng = random.Random(text)
    for _ in range(10):
        rng.shuffle(letters)
        if "".join(letters) != text:
            break
    return "".join(letters)


class _BoundedEnvironment(SandboxedEnvironment):
    """The sandbox, with `*` and `**` refused where their result would be huge."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > MAX_REPEAT:
                    raise SecurityError(f"repeating {len(seq)} items {times} times would make more than {MAX_REPEAT:,}")
        elif isinstance(right, int) and isinstance(left, int) and abs(left) > 1 and right > MAX_EXPONENT:
            raise SecurityError(f"{left} ** {right}: an exponent above {MAX_EXPONENT:,} is refused")
        return super().call_binop(context, operator, left, right)


def _environment() -> SandboxedEnvironment:
    env = _BoundedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
    env.filters["scramble"] = _scramble
    return env


_ENV = _environment()


@lru_cache(maxsize=4096)
def compile_template(source: str) -> Any:
    """Compile once; a syntax error names the line inside the template."""
    try:
        return _ENV.from_string(source)
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        where = f" (template line {line})" if line and "\n" in source else ""
        raise TemplateProblem(f"template error{where}: {exc}") from None


def render(source: str, variables: Mapping[str, Any]) -> str:
    """Render a template with a case's variables; undefined names and sandbox refusals are errors."""
    template = compile_template(source)
    try:
        return template.render(**variables)
    except TemplateError as exc:  # includes UndefinedError and SecurityError
        raise TemplateProblem(f"template error: {exc}") from None
    except Exception as exc:  # arithmetic on the wrong types, division by zero...
        raise TemplateProblem(f"template error: {type(exc).__name__}: {exc}") from None
