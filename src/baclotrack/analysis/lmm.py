"""Linear mixed models with one grouping factor, fitted as R's lme4 fits them.

The model is ``y = X beta + Z b + e`` with, for each group g (a patient), random effects
``b_g ~ N(0, sigma^2 Lambda Lambda')`` and residuals ``e ~ N(0, sigma^2 I)``. ``Lambda`` is the
lower-triangular relative covariance factor whose non-zero elements, taken column by column,
are lme4's ``theta``. For each ``theta`` the penalised least-squares problem is solved exactly
and the profiled (REML or ML) deviance is evaluated; ``theta`` is then found by bounded
quasi-Newton optimisation from several starts (docs/decisions/0061-lmm-optimiser.md). This is
the formulation of Bates, Maechler, Bolker and Walker (2015), "Fitting Linear Mixed-Effects
Models Using lme4", J Stat Softw 67(1), section 3: equations (35) and (42) for the profiled
deviance and REML criterion, (49)-(53) for the penalised least squares, and (55) for the
fixed-effect covariance
``sigma^2 (R_X' R_X)^-1`` *conditional on the variance components*, which is what lme4's
``vcov()`` returns (statsmodels' MixedLM inverts the joint Hessian instead, so its standard
errors differ; docs/methods/trial-analysis.md).

Because there is one grouping factor, ``Z' Z`` is block diagonal with one ``q x q`` block per
group and every step is a batched ``q x q`` operation over groups: the work grows linearly with
the number of patients. The per-group sufficient statistics are computed once per fit.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Self

import numpy as np
from numpy.typing import NDArray
from scipy import linalg, optimize

FloatArray = NDArray[np.float64]

#: lme4's default gradient check (``lmerControl(check.conv.grad = .makeCC("warning", tol = 2e-3))``):
#: a fit whose scaled deviance gradient (see _scaled_gradient) exceeds this is not converged.
GRADIENT_TOLERANCE: Final = 2e-3

#: Optimiser runs from the best optimum's reflections and boundary restarts, at most.
_MAX_RESTARTS: Final = 6

#: Value a zero diagonal element of Lambda restarts from (a relative SD of 0.1: small, but far
#: enough from zero for the deviance's slope to show which way the optimum lies).
_BOUNDARY_RESTART: Final = 0.1

#: A diagonal element of Lambda below this counts as on the boundary for the restarts (lme4's
#: ``isSingular`` uses the same tolerance, 1e-4).
_NEAR_BOUNDARY: Final = 1e-4

#: Deviance decrease by which a restart's optimum counts as a different, lower one.
_DISTINCT_OPTIMUM: Final = 1e-6

#: Newton steps after the quasi-Newton search, and the relative step of the difference
#: derivatives they use (about the cube root of machine epsilon, for central differences).
_NEWTON_STEPS: Final = 3
_DIFFERENCE_STEP: Final = 1e-5


class ConvergenceError(RuntimeError):
    """The variance components could not be estimated; the message says what to try."""


@dataclass(frozen=True, slots=True)
class _GroupStats:
    """Sufficient statistics of the data, summed within groups (``G`` groups, ``q`` random effects)."""

    ztz: FloatArray  # (G, q, q)
    ztxy: FloatArray  # (G, q, p + 1): Z_g' [X_g y_g]
    xtx: FloatArray  # (p, p)
    xty: FloatArray  # (p,)
    yty: float
    n: int


@dataclass(frozen=True, slots=True)
class _Solution:
    """Penalised least-squares solution at one ``theta``."""

    deviance: float
    beta: FloatArray
    rx_chol: FloatArray  # upper Cholesky factor R_X of the fixed-effect block (Schur complement)
    pwrss: float  # penalised weighted residual sum of squares


def _group_sums(values: FloatArray, codes: NDArray[np.intp], n_groups: int) -> FloatArray:
    """Sum the rows of ``values`` (n, ...) within groups; ``codes`` are sorted group indices."""
    starts = np.searchsorted(codes, np.arange(n_groups))
    sums: FloatArray = np.add.reduceat(values, starts, axis=0)
    return sums


def _forward_solve(lower: NDArray[np.floating[Any]], rhs: NDArray[np.floating[Any]]) -> FloatArray:
    """Solve L_g x_g = b_g for every group g by forward substitution, vectorised over groups.

    ``lower``: (G, q, q) lower-triangular; ``rhs``: (G, q, m). For the small q of a random-
    effects block, q passes over arrays of length G are much faster than G LAPACK calls.
    """
    out = np.empty(rhs.shape, dtype=np.float64)
    for i in range(lower.shape[1]):
        partial = rhs[:, i, :] - np.einsum("gk,gkm->gm", lower[:, i, :i], out[:, :i, :])
        out[:, i, :] = partial / lower[:, i, i, None]
    return out


def _lower_tri_indices(q: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Row and column of each theta element, column by column as lme4 orders them."""
    rows, cols = np.tril_indices(q)
    order = np.lexsort((rows, cols))
    return rows[order], cols[order]


def _free_derivatives(
    deviance: Callable[[FloatArray], float], theta: FloatArray, free: NDArray[np.bool_]
) -> tuple[FloatArray, FloatArray]:
    """Central-difference gradient and Hessian of the deviance in the free elements of theta."""
    index = np.flatnonzero(free)
    k = len(index)
    steps = _DIFFERENCE_STEP * np.maximum(1.0, np.abs(theta[index]))

    def at(*moves: tuple[int, float]) -> float:
        point = theta.copy()
        for i, delta in moves:
            point[index[i]] += delta
        return deviance(point)

    centre = deviance(theta)
    gradient = np.empty(k)
    hessian = np.empty((k, k))
    for i in range(k):
        up, down = at((i, steps[i])), at((i, -steps[i]))
        gradient[i] = (up - down) / (2 * steps[i])
        hessian[i, i] = (up - 2 * centre + down) / steps[i] ** 2
        for j in range(i):
            corners = (
                at((i, steps[i]), (j, steps[j]))
                - at((i, steps[i]), (j, -steps[j]))
                - at((i, -steps[i]), (j, steps[j]))
                + at((i, -steps[i]), (j, -steps[j]))
            )
            hessian[i, j] = hessian[j, i] = corners / (4 * steps[i] * steps[j])
    return gradient, hessian


def _scaled_gradient(gradient: FloatArray, hessian: FloatArray) -> FloatArray:
    """lme4's convergence measure: min(|R^-1 g|, |g|) elementwise, H = R'R (lme4 ``checkConv``).

    lme4 skips the check for a singular fit and warns when the Hessian is not positive definite;
    here the check covers the elements off their bounds, and without a positive definite Hessian
    the raw gradient is used.
    """
    try:
        upper = linalg.cholesky(hessian, lower=False)
    except linalg.LinAlgError:
        return np.abs(gradient)
    scaled = linalg.solve_triangular(upper, gradient, lower=False)
    smaller: FloatArray = np.minimum(np.abs(scaled), np.abs(gradient))
    return smaller


def _polish(
    deviance: Callable[[FloatArray], float], theta: FloatArray, lower: FloatArray
) -> tuple[FloatArray, float]:
    """Newton steps on the elements of theta that are off their bounds; returns theta and lme4's
    convergence measure (largest scaled gradient) there.

    A quasi-Newton optimiser with difference gradients stops within ~1e-6 of the optimum when
    the deviance is large (thousands of patients); two or three Newton steps with a difference
    Hessian of the three elements finish the job for the price of a few dozen evaluations.
    """
    current = deviance(theta)
    for _ in range(_NEWTON_STEPS + 1):
        free = theta > lower + _NEAR_BOUNDARY
        if not free.any():
            return theta, 0.0
        gradient, hessian = _free_derivatives(deviance, theta, free)
        largest = float(np.max(_scaled_gradient(gradient, hessian)))
        try:
            step = linalg.solve(hessian, gradient, assume_a="pos")
        except (linalg.LinAlgError, ValueError):
            return theta, largest
        trial = theta.copy()
        trial[free] = np.maximum(theta[free] - step, lower[free])
        value = deviance(trial)
        if not value < current:
            return theta, largest
        theta, current = trial, value
    return theta, largest


class LinearMixedModel:
    """``y ~ X + (Z | group)`` by REML (default) or maximum likelihood, with lme4's numbers.

    Usage: ``LinearMixedModel().fit(y, X, Z, groups, fixed_names=..., random_names=...)``;
    results are the attributes ending in ``_``; :meth:`summary` prints them and
    :meth:`to_dict` exports them.
    """

    fe_params_: FloatArray
    cov_fe_: FloatArray
    bse_: FloatArray
    theta_: FloatArray
    sigma_: float
    criterion_: float
    random_cov_: FloatArray
    converged_: bool
    n_obs_: int
    n_groups_: int

    def __init__(self, *, reml: bool = True) -> None:
        self.reml = reml
        self.fixed_names: tuple[str, ...] = ()
        self.random_names: tuple[str, ...] = ()

    def fit(
        self,
        y: FloatArray,
        X: FloatArray,
        Z: FloatArray,
        groups: Sequence[Any] | NDArray[Any],
        *,
        fixed_names: Sequence[str],
        random_names: Sequence[str],
    ) -> Self:
        """Fit the model; raise :class:`ConvergenceError` if the optimum cannot be found."""
        y, X, Z = (np.asarray(a, dtype=np.float64) for a in (y, X, Z))
        n, p = X.shape
        q = Z.shape[1]
        if len(fixed_names) != p or len(random_names) != q:
            raise ValueError("fixed_names and random_names must name every column of X and Z")
        if np.linalg.matrix_rank(X) < p:
            raise ConvergenceError(
                "the fixed-effect design is rank deficient (a term is constant or duplicates others): "
                "drop the redundant term or check that every arm has patients with data"
            )
        if n <= p:
            raise ConvergenceError(
                f"{n} observations cannot estimate {p} fixed effects: more data are needed"
            )
        residual = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
        if float(residual @ residual) <= 1e-20 * max(1.0, float(y @ y)):
            raise ConvergenceError(
                "the deviance is not finite: the fixed effects fit the outcome exactly (is it constant?), "
                "so there is no variation left to model"
            )
        self.fixed_names, self.random_names = tuple(fixed_names), tuple(random_names)
        stats = self._group_stats(y, X, Z, np.asarray(groups))
        theta = self._optimise(stats, q)
        self._store(stats, theta, q)
        return self

    def _group_stats(self, y: FloatArray, X: FloatArray, Z: FloatArray, groups: NDArray[Any]) -> _GroupStats:
        labels, codes = np.unique(groups, return_inverse=True)
        order = np.argsort(codes, kind="stable")
        codes, y, X, Z = codes[order], y[order], X[order], Z[order]
        g = len(labels)
        self.n_groups_ = g
        return _GroupStats(
            ztz=_group_sums(Z[:, :, None] * Z[:, None, :], codes, g),
            ztxy=_group_sums(Z[:, :, None] * np.column_stack([X, y])[:, None, :], codes, g),
            xtx=X.T @ X,
            xty=X.T @ y,
            yty=float(y @ y),
            n=len(y),
        )

    def _lambda(self, theta: FloatArray, q: int) -> FloatArray:
        lam = np.zeros((q, q))
        lam[_lower_tri_indices(q)] = theta
        return lam

    def _solve(self, stats: _GroupStats, theta: FloatArray, q: int) -> _Solution:
        """Profiled deviance and fixed effects at ``theta`` (Bates et al. 2015, eqs. 35, 42, 49-53)."""
        lam = self._lambda(theta, q)
        # A_g = Lambda' Z_g' Z_g Lambda + I and its Cholesky factor L_g, for all groups at once.
        chol = np.linalg.cholesky(lam.T @ stats.ztz @ lam + np.eye(q))
        # One forward solve for L_g^-1 Lambda' Z_g' [X_g y_g], (G, q, p + 1).
        solved = _forward_solve(chol, lam.T @ stats.ztxy)
        flat = solved.reshape(-1, solved.shape[2])
        cross = flat.T @ flat
        schur = stats.xtx - cross[:-1, :-1]
        rhs = stats.xty - cross[:-1, -1]
        try:
            rx = linalg.cholesky(schur, lower=False, check_finite=False)
        except linalg.LinAlgError as exc:
            raise ConvergenceError("the fixed-effect block is not positive definite at this theta") from exc
        beta = linalg.cho_solve((rx, False), rhs, check_finite=False)
        pwrss = stats.yty - float(cross[-1, -1]) - float(rhs @ beta)
        log_det_l = 2.0 * float(np.sum(np.log(np.diagonal(chol, axis1=1, axis2=2))))
        log_det_rx = 2.0 * float(np.sum(np.log(np.diag(rx))))
        p = stats.xtx.shape[0]
        dof = stats.n - p if self.reml else stats.n
        deviance = log_det_l + dof * (1.0 + math.log(2.0 * math.pi * pwrss / dof))
        if self.reml:
            deviance += log_det_rx
        return _Solution(deviance=deviance, beta=beta, rx_chol=rx, pwrss=pwrss)

    def _bounds(self, q: int) -> list[tuple[float | None, float | None]]:
        """Diagonal elements of Lambda are non-negative (lme4's lower bounds); others are free."""
        rows, cols = _lower_tri_indices(q)
        return [(0.0, None) if r == c else (None, None) for r, c in zip(rows, cols, strict=True)]

    def _optimise(self, stats: _GroupStats, q: int) -> FloatArray:
        bounds = self._bounds(q)
        lower = np.array([b[0] if b[0] is not None else -math.inf for b in bounds])

        def deviance(theta: FloatArray) -> float:
            try:
                return self._solve(stats, theta, q).deviance
            except (ConvergenceError, np.linalg.LinAlgError, ValueError):
                return math.inf

        # The profiled deviance can have several local minima, some on the bounds (where its
        # slope in a diagonal element is exactly zero, see _reflections). lme4 runs BOBYQA once
        # from Lambda = I and can stop in one of them (docs/decisions/0061); baclotrack starts
        # from a fixed set of points (a rough survey), refines the lowest optimum, then tries
        # restarts from it.
        survey = [self._minimise(deviance, start, bounds, rough=True) for start in self._starts(q)]
        best = self._minimise(deviance, min(survey, key=lambda r: float(r.fun)).x, bounds)
        restarts = self._reflections(deviance, np.asarray(best.x, dtype=np.float64), q, lower)
        for _ in range(_MAX_RESTARTS):
            if not restarts:
                break
            result = self._minimise(deviance, restarts.pop(), bounds)
            # A restart must find a distinctly lower optimum, not a polish of the same one
            # (the Newton finish does that), or boundary fits would use up every restart.
            if result.fun < best.fun - _DISTINCT_OPTIMUM:
                best = result
                restarts = self._reflections(deviance, np.asarray(best.x, dtype=np.float64), q, lower)
        if not math.isfinite(best.fun):
            raise ConvergenceError(
                "the deviance is not finite at any tried variance components: check the data for "
                "constant outcomes or patients with a single observation only"
            )
        theta, largest = _polish(deviance, np.asarray(best.x, dtype=np.float64), lower)
        self.converged_ = largest < GRADIENT_TOLERANCE
        if not self.converged_:
            raise ConvergenceError(
                f"the variance components did not converge (largest scaled gradient {largest:.3g}, "
                f"optimiser: {best.message}): simplify the random effects (e.g. a random intercept "
                "only) or check for patients with too few weeks of data"
            )
        return theta

    @staticmethod
    def _minimise(
        deviance: Callable[[FloatArray], float],
        start: FloatArray,
        bounds: list[tuple[float | None, float | None]],
        *,
        rough: bool = False,
    ) -> optimize.OptimizeResult:
        """L-BFGS-B from ``start``; ``rough`` for a quick survey with forward differences.

        The final runs use central differences, which keep the gradient accurate to ~1e-9
        relative, so the optimum is located well inside the 1e-5 agreement with lme4.
        """
        return optimize.minimize(
            deviance,
            start,
            method="L-BFGS-B",
            jac="2-point" if rough else "3-point",
            bounds=bounds,
            options={"ftol": 1e-9, "gtol": 1e-5}
            if rough
            else {"ftol": 1e-15, "gtol": 1e-10, "maxiter": 2000},
        )

    def _reflections(
        self, deviance: Callable[[FloatArray], float], theta: FloatArray, q: int, lower: FloatArray
    ) -> list[FloatArray]:
        """Restart points for a fit that stopped where a diagonal element of Lambda is zero.

        Two traps exist there. The deviance depends on a column of Lambda only through
        Lambda Lambda', so it is even in that column's sign: at theta_jj = 0 its slope in
        theta_jj is exactly zero although the minimum may lie inside (a gradient method then
        stops, and from a restart it can overshoot back onto the bound). And with the column's
        lower elements non-zero, the mirror point (those elements negated) has the same
        deviance but the opposite slope in theta_jj, one of the two pointing out of bounds.
        Restarts: the best theta_jj along the line from 0 (others fixed), a fixed positive
        theta_jj with and without the mirrored column, and the point itself, to polish.
        """
        rows, cols = _lower_tri_indices(q)
        restarts = [theta.copy()]
        for j in range(q):
            diag = int(np.flatnonzero((rows == j) & (cols == j))[0])
            if theta[diag] > lower[diag] + _NEAR_BOUNDARY:
                continue
            below = (cols == j) & (rows > j)
            inside = theta.copy()
            inside[diag] = _BOUNDARY_RESTART
            if np.any(theta[below] != 0):
                mirrored = inside.copy()
                mirrored[below] = -mirrored[below]
                restarts.append(mirrored)
            restarts.append(inside)
            restarts.append(self._line_escape(deviance, theta, diag))
        return restarts

    @staticmethod
    def _line_escape(deviance: Callable[[FloatArray], float], theta: FloatArray, diag: int) -> FloatArray:
        """theta with element ``diag`` moved to the lowest deviance on [0, 1], the others fixed."""

        def along(value: float) -> float:
            point = theta.copy()
            point[diag] = value
            return deviance(point)

        found = optimize.minimize_scalar(along, bounds=(0.0, 1.0), method="bounded", options={"xatol": 1e-6})
        escaped = theta.copy()
        escaped[diag] = float(found.x)
        return escaped

    def _starts(self, q: int) -> list[FloatArray]:
        """Starting points: lme4's Lambda = I first, then diagonal Lambdas mixing 0.1 and 1.

        Relative SDs of 0.1 and 1 bracket the usual range (random effects a tenth of, or as
        large as, the residual SD); with the lme4 start they reach the lowest optimum in all
        the reference datasets, where any one start alone does not.
        """
        rows, cols = _lower_tri_indices(q)
        diagonal = rows == cols
        levels = (
            [(1.0,) * q, *itertools.product((0.1, 1.0), repeat=q)] if q <= 3 else [(1.0,) * q, (0.1,) * q]
        )
        starts = []
        for level in dict.fromkeys(levels):
            start = np.zeros(len(rows))
            start[diagonal] = level
            starts.append(start)
        return starts

    def _store(self, stats: _GroupStats, theta: FloatArray, q: int) -> None:
        solution = self._solve(stats, theta, q)
        p = stats.xtx.shape[0]
        dof = stats.n - p if self.reml else stats.n
        self.theta_ = theta
        self.sigma_ = math.sqrt(solution.pwrss / dof)
        self.criterion_ = solution.deviance
        self.fe_params_ = solution.beta
        rx_inv = linalg.solve_triangular(solution.rx_chol, np.eye(p), lower=False)
        self.cov_fe_ = self.sigma_**2 * (rx_inv @ rx_inv.T)
        self.bse_ = np.sqrt(np.diag(self.cov_fe_))
        lam = self._lambda(theta, q)
        self.random_cov_ = self.sigma_**2 * (lam @ lam.T)
        self.n_obs_ = stats.n

    @property
    def random_sd_(self) -> FloatArray:
        """Standard deviations of the random effects, as lme4's VarCorr prints them."""
        sd: FloatArray = np.sqrt(np.diag(self.random_cov_))
        return sd

    @property
    def random_corr_(self) -> FloatArray:
        """Correlation matrix of the random effects (NaN where an SD is zero, as in lme4)."""
        sd = self.random_sd_
        with np.errstate(invalid="ignore", divide="ignore"):
            corr: FloatArray = self.random_cov_ / np.outer(sd, sd)
        return corr

    def contrast(self, weights: Sequence[float]) -> tuple[float, float]:
        """Estimate and standard error of ``weights . beta`` from the lme4 covariance."""
        w = np.asarray(weights, dtype=np.float64)
        return float(w @ self.fe_params_), math.sqrt(float(w @ self.cov_fe_ @ w))

    def to_dict(self) -> dict[str, Any]:
        """Results as plain Python values (JSON-ready)."""
        q = len(self.random_names)
        corr = self.random_corr_
        return {
            "fixed_effects": [
                {"term": t, "estimate": float(b), "se": float(s)}
                for t, b, s in zip(self.fixed_names, self.fe_params_, self.bse_, strict=True)
            ],
            "n_obs": self.n_obs_,
            "n_groups": self.n_groups_,
            "reml": self.reml,
            "criterion": self.criterion_,
            "theta": [float(t) for t in self.theta_],
            "random_sd": {
                name: float(sd) for name, sd in zip(self.random_names, self.random_sd_, strict=True)
            },
            "random_corr": [
                {"terms": [self.random_names[i], self.random_names[j]], "corr": _finite_or_none(corr[i, j])}
                for i in range(q)
                for j in range(i)
            ],
            "residual_sd": self.sigma_,
            "converged": self.converged_,
        }

    def summary(self) -> str:
        """Fixed effects and variance components as a readable table."""
        label = "REML criterion" if self.reml else "deviance"
        lines = [
            f"Linear mixed model: {self.n_obs_} observations, {self.n_groups_} groups; "
            f"{label} {self.criterion_:.4f}; converged: {'yes' if self.converged_ else 'NO'}",
            f"{'term':<24}{'estimate':>12}{'std. error':>12}",
        ]
        lines += [
            f"{t:<24}{b:>12.5f}{s:>12.5f}"
            for t, b, s in zip(self.fixed_names, self.fe_params_, self.bse_, strict=True)
        ]
        lines.append(
            "random effects (SD): "
            + ", ".join(f"{n} {sd:.4f}" for n, sd in zip(self.random_names, self.random_sd_, strict=True))
            + f"; residual {self.sigma_:.4f}"
        )
        q = len(self.random_names)
        corr = self.random_corr_
        correlations = [
            f"{self.random_names[i]} ~ {self.random_names[j]} "
            + ("undefined" if not math.isfinite(corr[i, j]) else f"{corr[i, j]:.3f}")
            for i in range(q)
            for j in range(i)
        ]
        if correlations:
            lines.append("random-effect correlation: " + ", ".join(correlations))
        return "\n".join(lines)


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None
