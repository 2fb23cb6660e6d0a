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
    """y = a + b·x, with the extra between-point variance tau2 the data asked for."""

    a: float
    b: float
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
    return Line(a=float((swy - b * swx) / sw), b=float(b))


def random_effects_line(x: np.ndarray, y: np.ndarray, v: np.ndarray) -> Line:
    """Straight line through points with known sampling variances v plus a shared excess tau2.

    Points measured on many cases are trusted more, but only until model-to-model scatter
    (tau2, Paule-Mandel estimate) dominates; then every model counts about equally. This keeps
    one precisely measured outlier from steering the extrapolation.
    """
    dof = x.size - 2

    def fit(tau2: float) -> tuple[Line, float]:
        w = 1.0 / (v + tau2)
        line = weighted_line(x, y, w)
        return line, float((w * (y - line.at(x)) ** 2).sum())

    line, q = fit(0.0)
    if dof <= 0 or q <= dof:
        return line
    lo, hi = 0.0, float(np.var(y) * 10.0 + 1.0)
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if fit(mid)[1] > dof:
            lo = mid
        else:
            hi = mid
    line, _ = fit(hi)
    return Line(line.a, line.b, tau2=hi)


def ols_line(x: np.ndarray, y: np.ndarray) -> tuple[Line, float]:
    """Ordinary least squares, with the residual variance (n-2 degrees of freedom)."""
    line = weighted_line(x, y, np.ones_like(x))
    dof = max(x.size - 2, 1)
    return line, float(((y - line.at(x)) ** 2).sum() / dof)


def logistic_link(m: np.ndarray, p: np.ndarray, n: np.ndarray, ridge: float = 1.0) -> Line:
    """Binomial maximum likelihood for pass rate = sigmoid(a + b·m), by Newton steps.

    The metric is standardised first and a weak ridge keeps the slope finite when the pass rates
    separate perfectly (all fail below some metric value, all pass above).
    """
    centre, spread = float(m.mean()), float(m.std()) or 1.0
    z = (m - centre) / spread
    k = p * n
    beta = np.array([float(np.log((k.sum() + 0.5) / (n.sum() - k.sum() + 0.5))), 0.0])
    design = np.column_stack([np.ones_like(z), z])
    for _ in range(100):
        mu = sigmoid(design @ beta)
        grad = design.T @ (k - n * mu) - np.array([0.0, ridge * beta[1]])
        hess = (design * (n * mu * (1 - mu))[:, None]).T @ design + np.diag([1e-9, ridge])
        step = np.linalg.solve(hess, grad)
        beta = beta + step
        if np.abs(step).max() < 1e-10:
            break
    b = beta[1] / spread
    return Line(a=float(beta[0] - b * centre), b=float(b))


def sigmoid_least_squares(x: np.ndarray, p: np.ndarray, start: Line) -> Line:
    """Least squares of pass rate = sigmoid(a + b·x) in pass-rate space (Levenberg-Marquardt)."""
    theta = np.array([start.a, np.clip(start.b, -_MAX_STEEPNESS, _MAX_STEEPNESS)])
    design = np.column_stack([np.ones_like(x), x])

    def sse(t: np.ndarray) -> float:
        return float(((sigmoid(design @ t) - p) ** 2).sum())

    damping, current = 1e-3, sse(theta)
    for _ in range(200):
        mu = sigmoid(design @ theta)
        jac = design * (mu * (1 - mu))[:, None]
        normal = jac.T @ jac
        step = np.linalg.solve(normal + damping * np.diag(np.diag(normal) + 1e-12), jac.T @ (p - mu))
        trial = theta + step
        trial[1] = np.clip(trial[1], -_MAX_STEEPNESS, _MAX_STEEPNESS)
        value = sse(trial)
        if value < current:
            theta, damping = trial, damping / 3
            if current - value < 1e-14:
                break
            current = value
        else:
            damping *= 4
            if damping > 1e8:
                break
    return Line(a=float(theta[0]), b=float(theta[1]))
