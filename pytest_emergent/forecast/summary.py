"""The compact `emergent forecast`: counts per verdict, the next crossings, the inversions.

A ledger of a few hundred series makes a table of hundreds of lines wider than a terminal;
what a reader wants first is what will light up next, and whether something passed before
what it builds on. The full table and the emergence orders stay one option away (`--details`).
"""

from __future__ import annotations

from collections import Counter

from . import table
from .ledger import LedgerForecast
from .types import CROSSING, VERDICTS

SHOWN = 15  # crossings listed before "and N more"
SHORT_VERDICTS = {**table.SHORT, CROSSING: "crossing"}


def _fit(text: str, width: int) -> str:
    """`text` cut in the middle to `width` characters (ids differ at both ends)."""
    if len(text) <= width:
        return text
    keep = max(width - 1, 2)
    return text[: (keep + 1) // 2] + "…" + text[len(text) - keep // 2:]


def format_summary(result: LedgerForecast, width: int = 100, shown: int = SHOWN) -> str:
    """A few lines that fit `width` columns; `emergent forecast --details` has the rest."""
    if not result.series:
        return "no results in the ledger match"
    families = {s.family for s in result.series}
    axes = ", ".join(sorted({s.axis for s in result.series}))
    counts = Counter(s.main.verdict for s in result.series)
    lines = [f"forecast of {len(result.series)} series in {len(families)} famil{'y' if len(families) == 1 else 'ies'} "
             f"({axes}); method {result.method}, 90% intervals",
             "  " + " · ".join(f"{SHORT_VERDICTS.get(v, v)} {counts[v]}" for v in VERDICTS if counts[v])]
    crossing = [s for s in result.series if s.main.verdict == CROSSING]
    if crossing:
        plural = "s" if len(crossing) > 1 else ""
        lines += ["", f"next to emerge ({min(shown, len(crossing))} of {len(crossing)} crossing{plural}, by predicted "
                      "scale):"]
        cells = [["capability", "family", "threshold", "chance", "predicted", "90% interval"]]
        cells += [[s.capability, s.family, f"{s.threshold:.3g}", "–" if s.chance is None else f"{s.chance:.3g}",
                   table.predicted(s) + (table.PRIOR_MARK if s.main.prior else ""), table.interval(s)]
                  for s in crossing[:shown]]
        others = sum(max(len(r[i]) for r in cells) + 2 for i in range(1, len(cells[0])))
        room = max(width - others, 24)
        lines += table.format_table([[_fit(r[0], room), *r[1:]] for r in cells])
        if any(s.main.prior for s in crossing[:shown]):
            lines.append(table.PRIOR_NOTE)
    inversions = [(e, o) for o in result.orders for e in o.inversions]
    if inversions:
        lines += ["", f"inversions ({len(inversions)}): a capability passed before one it builds on"]
        lines += [f"  {_fit(table.inversion(e, o), width - 2)}" for e, o in inversions[:shown]]
    lines += [f"note: {note}" for note in result.notes]
    lines += ["", "--details: every series, the other method, the emergence orders",
              "-v: why each verdict · --json: everything, at full precision"]
    return "\n".join(lines)
