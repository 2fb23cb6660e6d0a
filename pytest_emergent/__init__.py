"""pytest-emergent: capability regression tests of language models, judged by the model's scale."""

from __future__ import annotations

__version__ = "0.1.0"

from .backends import Backend, BackendError, register_backend  # noqa: E402
from .draw import draw  # noqa: E402
from .model import Choice, Model  # noqa: E402
from .outcomes import Change, Status  # noqa: E402
from .scale import Scale, parse_scale  # noqa: E402
from .scoring import record_score  # noqa: E402

__all__ = [
    "Backend",
    "BackendError",
    "Change",
    "Choice",
    "Model",
    "Scale",
    "Status",
    "__version__",
    "draw",
    "parse_scale",
    "record_score",
    "register_backend",
]
