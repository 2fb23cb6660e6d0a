"""Result records: one per (capability, model), from the test report to every writer and the ledger.

They travel between processes as plain dicts (on test reports under pytest-xdist) and are
turned into records once, by the session; the run document is their JSON form.
"""

from .document import build_document, write_json
from .records import SCHEMA_VERSION, CaseRecord, ModelHeader, Result
from .summary import count_statuses, natural_key, ordered_models

__all__ = ["SCHEMA_VERSION", "CaseRecord", "ModelHeader", "Result", "build_document", "count_statuses",
           "natural_key", "ordered_models", "write_json"]
