"""The libraries' own progress bars, off while a model loads.

tqdm bars (transformers' shard loading and GGUF dequantisation, huggingface_hub's downloads,
vLLM's weight loading) write to stderr: under pytest, into the captured output of whichever test
happened to load the model, as one line thousands of characters long. Not every library honours
its own switch (transformers' GGUF loader calls tqdm directly) and tqdm reads `TQDM_DISABLE` only
when it is imported, so every bar is turned off at its source for the block, then tqdm is as it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_DISABLE_POSITION = 10  # tqdm(iterable, desc, total, leave, file, ncols, mininterval, maxinterval, miniters, ascii, disable, ...)


@contextmanager
def quiet_library_bars() -> Iterator[None]:
    try:
        from tqdm import std
    except ImportError:  # no tqdm, no bars
        yield
        return
    cls = std.tqdm
    raw = cls.__dict__["__init__"]  # what goes back afterwards (tqdm wraps it for its environment variables)
    original = cls.__init__

    def quiet(self: Any, *args: Any, **kwargs: Any) -> None:
        if len(args) > _DISABLE_POSITION:
            args = (*args[:_DISABLE_POSITION], True, *args[_DISABLE_POSITION + 1:])
        else:
            kwargs["disable"] = True
        original(self, *args, **kwargs)

    cls.__init__ = quiet  # type: ignore[method-assign]
    try:
        yield
    finally:
        cls.__init__ = raw  # type: ignore[method-assign]
