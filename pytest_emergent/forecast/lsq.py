"""Small, dependency-free fitting routines (numpy only) used by the forecast methods.

Written here rather than taken from scipy because each is a few lines and the forecast must stay
importable wherever numpy is. Every routine fits along the last axis, so the same code fits one
series or, with a leading batch axis, all bootstrap refits of it at once; a fit that has no
answer (all weight on one scale) gives NaN rather than an error, so one bad refit spoils only
its own row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .series import sigmoid

_MAX_STEEPNESS = 50.0  # per decade; steeper fits are a step in disguise and say nothing more

Number = float | np.ndarray  # one value per fit: a float, or an array over the batch


@dataclass(frozen=True)
class Line:
    """y = a + b·x; `sxx` is the weighted spread of x it was fitted on (for the slope's error),
    `tau2` the extra between-point variance the data asked for."""

    a: Number
    b: Number
    sxx: Number = 0.0
    tau2: Number = 0.0

    def at(self, x: np.ndarray | float) -> np.ndarray:
        """The line at the points `x`; with a batch of lines, one row per line."""
        return np.asarray(self.a)[..., None] + np.asarray(self.b)[..., None] * np.asarray(x, dtype=float)


def weighted_line(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> Line:
    """Weighted least squares; NaN where the weight sits on one scale (no line is defined)."""
    sw, swx, swy = w.sum(-1), (w * x).sum(-1), (w * y).sum(-1)
    swxx, swxy = (w * x * x).sum(-1), (w * x * y).sum(-1)
    det = sw * swxx - swx * swx
    degenerate = det <= 1e-12 * np.maximum(sw * swxx, 1e-300)
    det = np.where(degenerate, np.nan, det)
    b = (sw * swxy - swx * swy) / det
    return Line(a=(swy - b * swx) / sw, b=b, sxx=det / sw)


# One-sided 80% quantiles of Student's t for 1..10 degrees of freedom, then the normal's.
_T80 = (1.376, 1.061, 0.978, 0.941, 0.920, 0.906, 0.896, 0.889, 0.883, 0.879)


def rises(slope: Number, variance: Number, sxx: Number, dof: int) -> np.ndarray:
    """Whether a fitted slope is above zero with 80% confidence (Student's t on `dof`).

    `variance` is the per-point variance the weights were scaled by (1 for inverse-variance
    weights). With no degree of freedom left there is no evidence either way: it does not rise.
    """
    if dof < 1:
        return np.zeros(np.shape(slope), dtype=bool)
    critical = _T80[dof - 1] if dof <= len(_T80) else 0.842
    with np.errstate(all="ignore"):
        return (np.asarray(sxx) > 0.0) & (slope >= critical * np.sqrt(variance / np.asarray(sxx)))


def scatter_dof(points: int) -> int:
    """Degrees of freedom left for the scatter: a parabola from five points on, else a line."""
    return points - (3 if points >= 5 else 2)


def _solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Batched linear solve; a singular system gives NaN in its own row only."""
    try:
        return np.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        flat_a, flat_b = a.reshape(-1, *a.shape[-2:]), b.reshape(-1, *b.shape[-2:])
        out = np.full(flat_b.shape, np.nan)
        for i in range(flat_a.shape[0]):
            try:
                out[i] = np.linalg.solve(flat_a[i], flat_b[i])
            except np.linalg.LinAlgError:
                pass
        return out.reshape(b.shape)


def between_model_scatter(x: np.ndarray, y: np.ndarray, v: np.ndarray, weight: np.ndarray) -> Number:
    """How much the points scatter beyond their sampling variances v around a smooth curve.

    The Paule-Mandel estimate: the tau2 at which the weighted residuals are as large as chance
    allows. The curve is a parabola when there are points to spare (else a line), so that the
    upward bend of an emerging capability is not mistaken for scatter, while a zig-zag still is.
    """
    weight = weight / weight.mean(-1, keepdims=True)
    dof = scatter_dof(np.shape(x)[-1])
    batch = np.broadcast_shapes(np.shape(x)[:-1], np.shape(y)[:-1])
    if dof <= 0:
        return np.zeros(batch)[()]
    centred = x - x.mean(-1, keepdims=True)
    design = np.stack([centred**power for power in range(np.shape(x)[-1] - dof - 1, -1, -1)], axis=-1)

    def excess(tau2: np.ndarray) -> np.ndarray:
        w = weight / (v + tau2[..., None])
        normal = np.einsum("...i,...ij,...ik->...jk", w, design, design)
        coef = _solve(normal, np.einsum("...i,...ij,...i->...j", w, design, y)[..., None])
        return (w * (y - (design @ coef)[..., 0]) ** 2).sum(-1) - dof

    scattered = excess(np.zeros(batch)) > 0.0
    lo, hi = np.zeros(batch), np.var(y, axis=-1) * 10.0 + 1.0
    active = np.array(scattered)
    while active.any():  # bisection, row by row: the excess falls as tau2 grows
        mid = 0.5 * (lo + hi)
        up = excess(mid) > 0.0
        lo, hi = np.where(active & up, mid, lo), np.where(active & ~up, mid, hi)
        active &= hi - lo > 1e-3 * hi
    return np.where(scattered, hi, 0.0)[()]


def random_effects_line(x: np.ndarray, y: np.ndarray, v: np.ndarray, tau2: Number, weight: np.ndarray) -> Line:
    """Straight line through points with sampling variances v plus a between-model scatter tau2.

    Points measured on many cases are trusted more, but only until model-to-model scatter
    dominates; then every model counts about equally, so one precisely measured outlier cannot
    steer the extrapolation. `weight` multiplies the weights (bootstrap, emphasis).
    """
    w = weight / (v + np.asarray(tau2)[..., None])
    line = weighted_line(x, y, w)
    return Line(line.a, line.b, line.sxx, tau2)


def weighted_sse(line: Line, x: np.ndarray, y: np.ndarray, w: np.ndarray) -> Number:
    return (w * (y - line.at(x)) ** 2).sum(-1)


def sigmoid_least_squares(x: np.ndarray, p: np.ndarray, w: np.ndarray, start: Line, chance: float = 0.0) -> Line:
    """Weighted least squares of pass rate = chance + (1 − chance)·sigmoid(a + b·x) (Levenberg-Marquardt).

    Two parameters, so the damped normal equations are solved by hand, for every row of a batch
    at once; each row stops on its own. x is centred while fitting, which decorrelates a and b.
    """
    centre = float(x.mean())
    x = x - centre
    b = np.clip(start.b, -_MAX_STEEPNESS, _MAX_STEEPNESS)
    a = start.a + b * centre
    floor, span = chance, 1.0 - chance

    def sse(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return (w * (floor + span * sigmoid(a[..., None] + b[..., None] * x) - p) ** 2).sum(-1)

    damping, current = np.full(np.shape(a), 1e-3), sse(a, b)
    active = np.ones(np.shape(a), dtype=bool)
    for _ in range(100):
        if not active.any():
            break
        s = sigmoid(a[..., None] + b[..., None] * x)
        residual, slope = p - (floor + span * s), span * s * (1.0 - s)
        ja, jb = w * slope, w * slope * x
        haa, hab, hbb = (ja * slope).sum(-1), (jb * slope).sum(-1), (jb * slope * x).sum(-1)
        ga, gb = (ja * residual).sum(-1), (jb * residual).sum(-1)
        daa, dbb = haa * (1.0 + damping) + 1e-12, hbb * (1.0 + damping) + 1e-12
        det = daa * dbb - hab * hab
        trial_a = a + (dbb * ga - hab * gb) / det
        trial_b = np.clip(b + (daa * gb - hab * ga) / det, -_MAX_STEEPNESS, _MAX_STEEPNESS)
        value = sse(trial_a, trial_b)
        better = active & (value < current)
        done = better & (current - value < 1e-10 * current + 1e-15)
        a, b = np.where(better, trial_a, a), np.where(better, trial_b, b)
        damping = np.where(better, damping / 3.0, np.where(active, damping * 4.0, damping))
        current = np.where(better, value, current)
        active &= ~done & ~(~better & (damping > 1e8))
    return Line(a=(a - b * centre)[()], b=b[()])
