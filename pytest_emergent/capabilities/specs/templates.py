"""Prompt templates and expected-answer expressions, in a sandboxed Jinja environment.

Spec text is never `eval`-ed: Jinja's sandbox refuses attribute tricks, and StrictUndefined
turns a misspelt variable into an error instead of an empty string. Repetition and powers are
bounded too (`'a' * 10**9`, `2 ** 10**8`), so a typo cannot hold collection or fill memory.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError, Undefined
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


def _findall(text: Any, pattern: str) -> list[str]:
    """Every match of `pattern` in `text`, `^` and `$` at each line (the group when it has one):
    how a case's options are read out of its input, as `{{ input | findall("^\\([A-Z]\\)") }}`."""
    try:
        return [m if isinstance(m, str) else m[0] for m in re.findall(pattern, str(text), re.MULTILINE)]
    except re.error as exc:
        raise TemplateError(f"findall: bad pattern {pattern!r}: {exc}") from None


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
    env.filters["findall"] = _findall
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


_ONE_EXPRESSION = re.compile(r"\A\{\{(?P<expression>(?:(?!\}\}|\{\{).)*)\}\}\Z", re.S)


def evaluate(source: str, variables: Mapping[str, Any]) -> Any:
    """A template that is one `{{ expression }}` gives the expression's value itself (a list stays
    a list); any other template gives its rendered text."""
    match = _ONE_EXPRESSION.match(source.strip())
    if match is None:
        return render(source, variables)
    compile_template(source)  # syntax errors reported as for any template
    try:
        value = _ENV.compile_expression(match["expression"], undefined_to_none=False)(**variables)
        if isinstance(value, Undefined):
            str(value)  # raises: the name is undefined, or the sandbox refused it
        return value
    except TemplateError as exc:
        raise TemplateProblem(f"template error: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - as render: any failure of the expression is the template's
        raise TemplateProblem(f"template error: {type(exc).__name__}: {exc}") from None


def render(source: str, variables: Mapping[str, Any]) -> str:
    """Render a template with a case's variables; undefined names and sandbox refusals are errors."""
    template = compile_template(source)
    try:
        return template.render(**variables)
    except TemplateError as exc:  # includes UndefinedError and SecurityError
        raise TemplateProblem(f"template error: {exc}") from None
    except Exception as exc:  # arithmetic on the wrong types, division by zero...
        raise TemplateProblem(f"template error: {type(exc).__name__}: {exc}") from None
