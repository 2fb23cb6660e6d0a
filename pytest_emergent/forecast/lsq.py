"""Small, dependency-free fitting routines (numpy only) used by the forecast methods.

Written here rather than taken from scipy because each is a few lines and the forecast must stay
importable wherever numpy is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .series import sigmoid

_MAX_STEEPNESS = 50.0  # per decade; steeper fits are a step in disguise and say nothing more


@dataclass(frozen=True)
class Line:
    """y = a + b·x; `sxx` is the weighted spread of x it was fitted on (for the slope's error),
    `tau2` the extra between-point variance the data asked for."""

    a: float
    b: float
    sxx: float = 0.0
    tau2: float = 0.0

    def at(self, x: np.ndarray | float) -> np.ndarray:
        return self.a + self.b * np.asarray(x, dtype=float)


def weighted_line(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> Line:
    sw, swx, swy = w.sum(), (w * x).sum(), (w * y).sum()
    swxx, swxy = (w * x * x).sum(), (w * x * y).sum()
    det = sw * swxx - swx * swx
    if det <= 1e-12 * max(sw * swxx, 1e-300):
        raise np.linalg.LinAlgError("all points at one scale")
    b = (sw * swxy - swx * swy) / det
    return Line(a=float((swy - b * swx) / sw), b=float(b), sxx=float(det / sw))


# One-sided 80% quantiles of Student's t for 1..10 degrees of freedom, then the normal's.
_T80 = (1.376, 1.061, 0.978, 0.941, 0.920, 0.906, 0.896, 0.889, 0.883, 0.879)


def rises(slope: float, variance: float, sxx: float, dof: int) -> bool:
    """Whether a fitted slope is above zero with 80% confidence (Student's t on `dof`).

    `variance` is the per-point variance the weights were scaled by (1 for inverse-variance
    weights). With no degree of freedom left there is no evidence either way: it does not rise.
    """
    if dof < 1 or sxx <= 0.0:
        return False
    critical = _T80[dof - 1] if dof <= len(_T80) else 0.842
    return slope >= critical * float(np.sqrt(variance / sxx))


def scatter_dof(points: int) -> int:
    """Degrees of freedom left for the scatter: a parabola from five points on, else a line."""
    return points - (3 if points >= 5 else 2)


def between_model_scatter(x: np.ndarray, y: np.ndarray, v: np.ndarray, weight: np.ndarray) -> float:
    """How much the points scatter beyond their sampling variances v around a smooth curve.

    The Paule-Mandel estimate: the tau2 at which the weighted residuals are as large as chance
    allows. The curve is a parabola when there are points to spare (else a line), so that the
    upward bend of an emerging capability is not mistaken for scatter, while a zig-zag still is.
    """
    weight = weight / weight.mean()
    dof = scatter_dof(x.size)
    design = np.vander(x - x.mean(), x.size - dof)

    def excess(tau2: float) -> float:
        w = weight / (v + tau2)
        weighted = design * w[:, None]
        coef = np.linalg.solve(weighted.T @ design, weighted.T @ y)
        return float((w * (y - design @ coef) ** 2).sum()) - dof

    if dof <= 0 or excess(0.0) <= 0.0:
        return 0.0
    lo, hi = 0.0, float(np.var(y) * 10.0 + 1.0)
    while hi - lo > 1e-3 * hi:  # bisection: the excess falls as tau2 grows
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if excess(mid) > 0.0 else (lo, mid)
    return hi


def random_effects_line(x: np.ndarray, y: np.ndarray, v: np.ndarray, tau2: float, weight: np.ndarray) -> Line:
    """Straight line through points with sampling variances v plus a between-model scatter tau2.

    Points measured on many cases are trusted more, but only until model-to-model scatter
    dominates; then every model counts about equally, so one precisely measured outlier cannot
    steer the extrapolation. `weight` multiplies the weights (bootstrap, emphasis).
    """
    w = weight / (v + tau2)
    line = weighted_line(x, y, w)
    return Line(line.a, line.b, line.sxx, tau2)


def weighted_sse(line: Line, x: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    return float((w * (y - line.at(x)) ** 2).sum())


def sigmoid_least_squares(x: np.ndarray, p: np.ndarray, w: np.ndarray, start: Line) -> Line:
    """Weighted least squares of pass rate = sigmoid(a + b·x) in pass-rate units (Levenberg-Marquardt).

    Two parameters, so the damped normal equations are solved by hand (this runs inside every
    bootstrap refit of the baseline). x is centred while fitting, which decorrelates a and b.
    """
    centre = float(x.mean())
    x = x - centre
    b = min(max(start.b, -_MAX_STEEPNESS), _MAX_STEEPNESS)
    a = start.a + b * centre

    def sse(a: float, b: float) -> float:
        return float((w * (sigmoid(a + b * x) - p) ** 2).sum())

    damping, current = 1e-3, sse(a, b)
    for _ in range(100):
        mu = sigmoid(a + b * x)
        slope = mu * (1.0 - mu)
        ja, jb = w * slope, w * slope * x
        haa, hab, hbb = (ja * slope).sum(), (jb * slope).sum(), (jb * slope * x).sum()
        ga, gb = (ja * (p - mu)).sum(), (jb * (p - mu)).sum()
        daa, dbb = haa * (1.0 + damping) + 1e-12, hbb * (1.0 + damping) + 1e-12
        det = daa * dbb - hab * hab
        trial_a = a + (dbb * ga - hab * gb) / det
        trial_b = min(max(b + (daa * gb - hab * ga) / det, -_MAX_STEEPNESS), _MAX_STEEPNESS)
        value = sse(trial_a, trial_b)
        if value < current:
            a, b, damping = trial_a, trial_b, damping / 3.0
            if current - value < 1e-10 * current + 1e-15:
                break
            current = value
        else:
            damping *= 4.0
            if damping > 1e8:
                break
    return Line(a=float(a - b * centre), b=float(b))
