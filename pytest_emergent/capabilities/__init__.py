"""Capabilities: what they declare (requirements), what they record (scoresheets, cases, `draw`),
and the YAML capability specs (`specs/`). Python tests and spec items reach the model through
the same `Model` methods."""
