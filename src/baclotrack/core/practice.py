"""Practice outcomes: what happened to a caseload's drinking, counted the way trials count it.

These are observational summaries of the clinic's own clients, not trial results: there is no
control group, clients chose treatment and stay or leave for reasons of their own, so they
describe the caseload and say nothing about what baclofen caused (docs/methods/practice-outcomes.md,
docs/decisions/0120-practice-outcomes-window-and-coverage.md).

Every figure comes from :func:`baclotrack.core.endpoints.compute_endpoints` on two windows per
client:

- **baseline**: the ``window_days`` days before the treatment start (study days -28..-1 by
  default, the 28-day Timeline Followback baseline of the clinic's calendar, decision 0081);
- **recent**: the last ``window_days`` days up to and including ``today``.

A client is *eligible* once the recent window lies wholly in treatment (treatment day
``window_days`` or later). A window *counts* for a client when at least ``min_reported_share`` of
its days are reported; an unreported day is never taken as abstinent (Hallgren & Witkiewitz 2013).

- ``abstinent``: recent window counts and no drinking day in it (the complement of "return to
  any drinking", the Cochrane 2023 primary outcome, over a shorter window);
- ``who_reduced``: both windows count, the baseline WHO risk level is at least ``levels_reduced``
  and the recent level is at least ``levels_reduced`` lower (a 1- or 2-level reduction is a
  validated endpoint: Witkiewitz et al. 2017, ACER 41:179; WHO levels in core/guidelines.py);
- ``pda_change``: both windows count; recent percent days abstinent minus baseline, per client,
  then the mean with a t interval (scipy).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import polars as pl
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from baclotrack.core.endpoints import Window, compute_endpoints
from baclotrack.core.errors import InputError
from baclotrack.core.guidelines import DEFAULT_HEAVY_DAY, HeavyDayDefinition, WhoRiskLevel

#: Length of the baseline and recent windows: four weeks, as the 28-day Timeline Followback
#: baseline and the 4-week treatment windows of core/endpoints.py (DEFAULT_WINDOWS).
DEFAULT_WINDOW_DAYS: Final = 28
#: Share of a window's days that must be reported for the window to count. No guideline fixes
#: one for routine care; trials impute instead (Hallgren & Witkiewitz 2013). Three weeks of four
#: is baclotrack's choice (decision 0120): enough that one missing week cannot hide a relapse.
DEFAULT_MIN_REPORTED_SHARE: Final = 0.75
#: WHO risk levels a client must fall for the reduction outcome (Witkiewitz et al. 2017 validate
#: 1- and 2-level reductions; 1 is the more common endpoint, 2 is stricter).
DEFAULT_LEVELS_REDUCED: Final = 1
#: Confidence level of the intervals shown beside the practice numbers.
CONFIDENCE_LEVEL: Final = 0.95

_BASELINE, _RECENT = "baseline", "recent"


class PracticeInputError(InputError):
    """A setting of the practice summary that cannot be used."""


@dataclass(frozen=True, slots=True)
class Proportion:
    """``events`` of ``n`` clients, as a percentage with a Wilson interval (None when n is 0)."""

    events: int
    n: int
    percent: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True, slots=True)
class MeanChange:
    """Mean of per-client changes (recent minus baseline) over ``n`` clients, with a t interval."""

    n: int
    baseline_mean: float | None
    recent_mean: float | None
    mean_change: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True, slots=True)
class PracticeOutcomes:
    """A caseload's practice outcomes; see the module docstring for every definition."""

    clients: int
    eligible: int
    window_days: int
    min_reported_share: float
    levels_reduced: int
    heavy_source: str
    baseline_reported_percent: float | None
    recent_reported_percent: float | None
    abstinent: Proportion
    who_reduced: Proportion
    pda_change: MeanChange

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.__slots__:
            value = getattr(self, name)
            out[name] = (
                {k: getattr(value, k) for k in value.__slots__}
                if isinstance(value, Proportion | MeanChange)
                else value
            )
        return out


def _check_settings(window_days: int, min_reported_share: float, levels_reduced: int) -> None:
    if isinstance(window_days, bool) or not isinstance(window_days, int) or not 7 <= window_days <= 365:
        raise PracticeInputError(
            f"window_days: must be a whole number of days from 7 to 365, got {window_days!r}"
        )
    if not 0 < min_reported_share <= 1:
        raise PracticeInputError(
            f"min_reported_share: must be above 0 and at most 1, got {min_reported_share}"
        )
    if levels_reduced not in (1, 2):
        raise PracticeInputError(f"levels_reduced: must be 1 or 2, got {levels_reduced!r}")


def proportion(events: int, n: int, level: float = CONFIDENCE_LEVEL) -> Proportion:
    """Percentage with a Wilson score interval (statsmodels), which stays inside 0-100 for small n."""
    if n == 0:
        return Proportion(events, 0, None, None, None)
    low, high = proportion_confint(events, n, alpha=1 - level, method="wilson")
    return Proportion(events, n, 100.0 * events / n, 100.0 * float(low), 100.0 * float(high))


def mean_change(baseline: list[float], recent: list[float], level: float = CONFIDENCE_LEVEL) -> MeanChange:
    """Mean of paired changes with a t interval (scipy); no interval for fewer than 2 clients."""
    n = len(baseline)
    if n == 0:
        return MeanChange(0, None, None, None, None, None)
    change = np.asarray(recent, dtype=np.float64) - np.asarray(baseline, dtype=np.float64)
    mean = float(change.mean())
    low: float | None = None
    high: float | None = None
    if n >= 2:
        sem = float(stats.sem(change))
        if sem == 0:
            low = high = mean
        else:
            lo, hi = stats.t.interval(level, n - 1, loc=mean, scale=sem)
            low, high = float(lo), float(hi)
    return MeanChange(n, float(np.mean(baseline)), float(np.mean(recent)), mean, low, high)


def _window_endpoints(
    diary: pl.DataFrame, eligible: pl.DataFrame, today: dt.date, window_days: int, heavy: HeavyDayDefinition
) -> pl.DataFrame:
    """One row per eligible client: baseline and recent endpoints side by side (suffix _recent)."""
    baseline = compute_endpoints(diary, eligible, [Window(_BASELINE, -window_days, -1)], heavy)
    # The recent window is study days 1..window_days of a start moved to window_days - 1 days ago.
    first = today - dt.timedelta(days=window_days - 1)
    recent_patients = eligible.with_columns(start_date=pl.lit(first, dtype=pl.Date))
    recent = compute_endpoints(diary, recent_patients, [Window(_RECENT, 1, window_days)], heavy)
    return baseline.join(recent, on="patient_id", suffix="_recent")


def practice_outcomes(
    diary: pl.DataFrame,
    patients: pl.DataFrame,
    today: dt.date,
    *,
    window_days: int = DEFAULT_WINDOW_DAYS,
    min_reported_share: float = DEFAULT_MIN_REPORTED_SHARE,
    levels_reduced: int = DEFAULT_LEVELS_REDUCED,
    heavy: HeavyDayDefinition = DEFAULT_HEAVY_DAY,
) -> PracticeOutcomes:
    """Practice outcomes of the caseload in ``patients`` (compute_endpoints' diary and patients
    frames) on ``today``. Diary days after ``today`` are ignored by the windows."""
    _check_settings(window_days, min_reported_share, levels_reduced)
    latest_start = today - dt.timedelta(days=window_days - 1)
    eligible = patients.filter(pl.col("start_date") <= latest_start)
    settings = (
        patients.height,
        eligible.height,
        window_days,
        min_reported_share,
        levels_reduced,
        heavy.source,
    )
    if eligible.height == 0:
        nobody = proportion(0, 0)
        return PracticeOutcomes(*settings, None, None, nobody, nobody, mean_change([], []))
    # compute_endpoints refuses diary rows of unknown patients; those not yet eligible are dropped here.
    diary = diary.filter(pl.col("patient_id").is_in(eligible["patient_id"].implode()))
    both = _window_endpoints(diary, eligible, today, window_days, heavy)
    needed = math.ceil(min_reported_share * window_days)
    both = both.with_columns(
        base_ok=pl.col("days_reported") >= needed, recent_ok=pl.col("days_reported_recent") >= needed
    )
    recent = both.filter("recent_ok")
    paired = both.filter("base_ok", "recent_ok")
    can_fall = paired.filter(pl.col("who_level") >= int(WhoRiskLevel.ABSTINENT) + levels_reduced)
    fell = can_fall.filter(pl.col("who_level_recent") <= pl.col("who_level") - levels_reduced)
    return PracticeOutcomes(
        *settings,
        baseline_reported_percent=_reported_percent(both["days_reported"], window_days),
        recent_reported_percent=_reported_percent(both["days_reported_recent"], window_days),
        abstinent=proportion(recent.filter(pl.col("drinking_days_recent") == 0).height, recent.height),
        who_reduced=proportion(fell.height, can_fall.height),
        pda_change=mean_change(paired["pda"].to_list(), paired["pda_recent"].to_list()),
    )


def _reported_percent(days_reported: pl.Series, window_days: int) -> float | None:
    """Mean share of the window's days that eligible clients reported, as a percentage."""
    mean = days_reported.mean()
    return None if mean is None else 100.0 * float(mean) / window_days  # type: ignore[arg-type]
