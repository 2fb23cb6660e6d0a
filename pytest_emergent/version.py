"""The version of pytest-emergent, a leaf every layer may read (run records name it)."""

__version__ = "0.1.0"
