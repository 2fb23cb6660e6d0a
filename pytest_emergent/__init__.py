"""pytest-emergent: capability regression tests of language models, judged by the model's scale."""

from __future__ import annotations

from .backends import Backend, BackendError, RequestError, register_backend  # noqa: E402
from .capabilities.draw import draw  # noqa: E402
from .capabilities.scoresheet import record_case, record_score  # noqa: E402
from .models.framing import Layout, Shot  # noqa: E402
from .models.model import Choice, Model  # noqa: E402
from .outcomes import Change, Status  # noqa: E402
from .scale import Scale, parse_scale  # noqa: E402
from .version import __version__  # noqa: E402

__all__ = [
    "Backend",
    "BackendError",
    "Change",
    "Choice",
    "Layout",
    "Model",
    "RequestError",
    "Scale",
    "Shot",
    "Status",
    "__version__",
    "draw",
    "parse_scale",
    "record_case",
    "record_score",
    "register_backend",
]
