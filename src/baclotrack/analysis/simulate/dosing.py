"""The dose each synthetic client takes, day by day: fixed arms, placebo, and titration.

Titrated clients follow the day-by-day plan of a protocol from :mod:`baclotrack.core.titration`
(its caps and tablet rounding included) and stop escalating in one of two ways:

- at the first plan dose that reaches their latent indifference dose (expected craving at or
  below the indifference threshold), which they then keep; the prescriber is idealised as
  noticing at once, so the detection lag of a real diary is left to the analysis to show;
- at the first plan dose whose leading side effect is intolerable (expected severity at or
  above moderate), which they take for a few days before stepping back to the last tolerated
  dose, which they keep (RESAB: step back to the last tolerated dose on persistent side
  effects; FACTS.md). If both happen at the same dose, the side effects win.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from baclotrack.analysis.simulate.latent import FloatArray
from baclotrack.core.titration.plan import generate_plan
from baclotrack.core.titration.protocols import get_protocol

#: Plans are computed once per protocol (and weight, when the protocol has a mg/kg ceiling)
#: from this nominal start; a plan's doses depend on its day number, not its dates.
_PLAN_START = dt.date(2000, 1, 3)


@dataclass(frozen=True, slots=True)
class DoseCourse:
    """Doses taken on treatment days 0..T-1 (rows: clients) and how escalation ended."""

    taken_mg: FloatArray
    reached: NDArray[np.bool_]
    limited: NDArray[np.bool_]
    stop_day: NDArray[np.int64]
    dose_at_stop_mg: FloatArray


def plan_doses(protocol_id: str, days: int, weights_kg: FloatArray) -> FloatArray:
    """Daily doses (mg/day) of the protocol's plan for each client, shape (n, days)."""
    protocol = get_protocol(protocol_id)
    by_weight = protocol.ceiling_mg_per_kg is not None
    cache: dict[float | None, FloatArray] = {}
    rows = []
    for weight in weights_kg:
        key = round(float(weight), 1) if by_weight else None
        if key not in cache:
            plan = generate_plan(protocol, _PLAN_START, days=days, weight_kg=key)
            cache[key] = np.array([step.mg_per_day for step in plan.steps], dtype=np.float64)
        rows.append(cache[key])
    return np.vstack(rows) if rows else np.zeros((0, days))


def _first_true(mask: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Index of the first True in each row; the row length when there is none."""
    first = np.argmax(mask, axis=1).astype(np.int64)
    found: NDArray[np.int64] = np.where(mask.any(axis=1), first, np.int64(mask.shape[1]))
    return found


def titrate(
    plan_mg: FloatArray,
    indifference_mg: FloatArray,
    intolerable_mg: FloatArray,
    days_on_intolerable: int,
) -> DoseCourse:
    """Follow each client's plan until indifference or intolerance, then hold (see module doc).

    A client who reaches an intolerable dose takes it for ``days_on_intolerable`` days (the
    side effects have to be felt and reported) before stepping back.
    """
    n, days = plan_mg.shape
    rows = np.arange(n)
    t_reach = _first_true(plan_mg >= indifference_mg[:, None] - 1e-9)
    t_limit = _first_true(plan_mg >= intolerable_mg[:, None])
    limited = (t_limit <= t_reach) & (t_limit < days)
    reached = (t_reach < t_limit) & (t_reach < days)
    stop = np.where(reached, t_reach, np.where(limited, t_limit, days))
    last = np.minimum(stop, days - 1)
    top = plan_mg[rows, last]
    held = np.where(limited, plan_mg[rows, np.maximum(last - 1, 0)], top)
    day = np.arange(days)[None, :]
    on_top = limited[:, None] & (day < (stop + days_on_intolerable)[:, None])
    taken = np.where(day < stop[:, None], plan_mg, np.where(on_top, top[:, None], held[:, None]))
    return DoseCourse(taken, reached, limited, stop, held)


def fixed(
    dose_mg: FloatArray, days: int, indifference_mg: FloatArray, intolerable_mg: FloatArray
) -> DoseCourse:
    """A fixed daily dose from day 0 (0 for placebo); no escalation to stop.

    The Addolorato 2011 lead-in is not verified (core/titration/protocols.py), so the arm's
    dose starts on day 0.
    """
    taken = np.repeat(dose_mg[:, None], days, axis=1)
    reached = (dose_mg > 0) & (dose_mg >= indifference_mg - 1e-9)
    limited = (dose_mg > 0) & (dose_mg >= intolerable_mg) & ~reached
    stop = np.where(reached, 0, days).astype(np.int64)
    return DoseCourse(taken, reached, limited, stop, dose_mg.copy())
