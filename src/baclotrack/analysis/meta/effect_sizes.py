"""Effect sizes per study, as metafor's ``escalc`` computes them.

Binary outcomes (2x2 counts) give the log risk ratio (RR), log odds ratio (OR) or risk difference (RD);
continuous outcomes (means, SDs, group sizes) give the raw mean difference (MD) or the standardised mean
difference (SMD, Hedges' g); or the caller gives yi and vi directly (GEN).

Formulas follow Viechtbauer W (2010), "Conducting meta-analyses in R with the metafor package",
J Stat Softw 36(3), doi:10.18637/jss.v036.i03, and the escalc() help page of metafor 3.8 (defaults:
``add=1/2, to="only0", drop00=FALSE, vtype="LS"``):

- zero cells: a study with a zero in any of its four cells gets ``add`` (1/2) added to all four cells
  (to="only0"); a study with no events (or only events) in both arms is kept (drop00=False) unless
  ``drop00=True`` (rma.mh uses drop00=True for the study-level estimates it shows and tests).
- RR: yi = log(a/n1) - log(c/n2), vi = 1/a - 1/n1 + 1/c - 1/n2.
- OR: yi = log(a d / (b c)), vi = 1/a + 1/b + 1/c + 1/d.
- RD: yi = a/n1 - c/n2, vi = p1 (1-p1)/n1 + p2 (1-p2)/n2 (large-sample, vtype="LS").
- MD: yi = m1 - m2, vi = sd1^2/n1 + sd2^2/n2 (vtype="LS", unequal variances).
- SMD: Hedges' g = J(m) (m1 - m2)/s_pooled with the exact bias correction
  J(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)), m = n1 + n2 - 2 (Hedges 1981, J Educ Stat 6:107);
  vi = 1/n1 + 1/n2 + g^2 / (2 (n1 + n2)) (vtype="LS").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

import numpy as np
import polars as pl
from numpy.typing import NDArray
from scipy.special import gammaln

from baclotrack.analysis.meta.errors import MetaInputError

FloatArray = NDArray[np.float64]

#: escalc's default continuity correction: 1/2 added to each cell of a study with a zero cell.
ZERO_CELL_ADD: Final = 0.5


class Measure(StrEnum):
    RR = "RR"
    OR = "OR"
    RD = "RD"
    MD = "MD"
    SMD = "SMD"
    GEN = "GEN"

    @property
    def is_binary(self) -> bool:
        return self in (Measure.RR, Measure.OR, Measure.RD)

    @property
    def is_log_scale(self) -> bool:
        """RR and OR are pooled on the log scale and shown back-transformed."""
        return self in (Measure.RR, Measure.OR)


BINARY_COLUMNS: Final = ("study", "events_t", "n_t", "events_c", "n_c")
CONTINUOUS_COLUMNS: Final = ("study", "mean_t", "sd_t", "n_t", "mean_c", "sd_c", "n_c")
GENERIC_COLUMNS: Final = ("study", "yi", "vi")


def parse_measure(value: str | Measure) -> Measure:
    try:
        return Measure(str(value).strip().upper())
    except ValueError:
        known = ", ".join(m.value for m in Measure)
        raise MetaInputError(f"measure: unknown {value!r} (known: {known})") from None


@dataclass(frozen=True)
class BinaryTable:
    """2x2 counts per study: events and group sizes in the treated (t) and control (c) arms."""

    study: tuple[str, ...]
    events_t: FloatArray
    n_t: FloatArray
    events_c: FloatArray
    n_c: FloatArray

    def __post_init__(self) -> None:
        k = len(self.study)
        for name in ("events_t", "n_t", "events_c", "n_c"):
            values = getattr(self, name)
            if values.shape != (k,):
                raise MetaInputError(f"{name}: expected {k} values (one per study), got {values.shape}")
            for index, value in enumerate(values):
                _check_count(self.study, index, name, float(value))
        for events, n in (("events_t", "n_t"), ("events_c", "n_c")):
            if (i := _first(getattr(self, events) > getattr(self, n))) is not None:
                raise MetaInputError(f"{_row(self.study, i)}, column {events}: more events than {n}")
        for n in ("n_t", "n_c"):
            if (i := _first(getattr(self, n) == 0)) is not None:
                raise MetaInputError(f"{_row(self.study, i)}, column {n}: group size is 0")

    def cells(self) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """(a, b, c, d): events and non-events in the treated arm, then in the control arm."""
        return self.events_t, self.n_t - self.events_t, self.events_c, self.n_c - self.events_c


@dataclass(frozen=True)
class EffectSizes:
    """One effect size yi and its sampling variance vi per study, on the analysis scale."""

    study: tuple[str, ...]
    yi: FloatArray
    vi: FloatArray
    measure: Measure
    table: BinaryTable | None = None

    def __post_init__(self) -> None:
        k = len(self.study)
        if k == 0:
            raise MetaInputError("studies: no study to analyse")
        for name in ("yi", "vi"):
            values = getattr(self, name)
            if values.shape != (k,):
                raise MetaInputError(f"{name}: expected {k} values (one per study), got {values.shape}")
            if (i := _first(~np.isfinite(values))) is not None:
                raise MetaInputError(f"{_row(self.study, i)}, column {name}: not a finite number")
        if (i := _first(self.vi <= 0)) is not None:
            raise MetaInputError(f"{_row(self.study, i)}, column vi: sampling variance must be > 0")

    @property
    def k(self) -> int:
        return len(self.study)

    @property
    def sei(self) -> FloatArray:
        return np.sqrt(self.vi)

    def without(self, index: int) -> EffectSizes:
        """The same studies minus one (leave-one-out); the 2x2 table is not carried over."""
        keep = np.arange(self.k) != index
        study = tuple(s for i, s in enumerate(self.study) if i != index)
        return EffectSizes(study, self.yi[keep], self.vi[keep], self.measure)

    def subset(self, mask: NDArray[np.bool_]) -> EffectSizes:
        study = tuple(s for s, m in zip(self.study, mask, strict=True) if m)
        return EffectSizes(study, self.yi[mask], self.vi[mask], self.measure)


def _first(mask: NDArray[np.bool_]) -> int | None:
    """Index of the first study flagged by ``mask`` (errors name the first bad row)."""
    flagged = np.flatnonzero(mask)
    return int(flagged[0]) if flagged.size else None


def _row(study: Sequence[str], index: int) -> str:
    return f"row {index + 1} (study {study[index]!r})"


def _check_count(study: Sequence[str], index: int, column: str, value: float) -> None:
    if not np.isfinite(value):
        raise MetaInputError(f"{_row(study, index)}, column {column}: missing or not a number")
    # Fractional counts are allowed, as escalc allows them: a placebo arm shared by two dose arms is
    # split between the comparisons (Cochrane Handbook 23.3.4; docs/decisions/0050-multi-arm-trials.md).
    if value < 0:
        raise MetaInputError(f"{_row(study, index)}, column {column}: must not be negative (got {value:g})")


def _zero_cell_corrected(
    table: BinaryTable, add: float, drop00: bool
) -> tuple[tuple[FloatArray, FloatArray, FloatArray, FloatArray], NDArray[np.bool_]]:
    """Cells with ``add`` added to every cell of a study with a zero cell, and the studies kept."""
    a, b, c, d = (x.astype(np.float64, copy=True) for x in table.cells())
    keep = np.ones(len(a), dtype=bool)
    if drop00:
        keep = ~(((a == 0) & (c == 0)) | ((b == 0) & (d == 0)))
    zero = (a == 0) | (b == 0) | (c == 0) | (d == 0)
    for cell in (a, b, c, d):
        cell[zero] += add
    return (a, b, c, d), keep


def binary_effect_sizes(
    table: BinaryTable, measure: Measure, *, add: float = ZERO_CELL_ADD, drop00: bool = False
) -> EffectSizes:
    """RR, OR (log scale) or RD per study from 2x2 counts, with escalc's zero-cell handling."""
    if not measure.is_binary:
        raise MetaInputError(f"measure: {measure} needs means and SDs, not event counts")
    (a, b, c, d), keep = _zero_cell_corrected(table, add, drop00)
    n1, n2 = a + b, c + d
    p1, p2 = a / n1, c / n2
    with np.errstate(divide="ignore", invalid="ignore"):
        if measure is Measure.RR:
            yi = np.log(p1) - np.log(p2)
            vi = 1 / a - 1 / n1 + 1 / c - 1 / n2
        elif measure is Measure.OR:
            yi = np.log(p1 / (1 - p1)) - np.log(p2 / (1 - p2))
            vi = 1 / a + 1 / b + 1 / c + 1 / d
        else:
            yi = p1 - p2
            vi = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
    # RD of a study with all or no events in both arms has vi = 0 without a correction: say so.
    if (i := _first(keep & ~(np.isfinite(yi) & (vi > 0)))) is not None:
        raise MetaInputError(f"{_row(table.study, i)}: {measure} has no finite variance for these counts")
    study = tuple(s for s, k in zip(table.study, keep, strict=True) if k)
    kept_table = table if keep.all() else None
    return EffectSizes(study, yi[keep], vi[keep], measure, kept_table)


def hedges_correction(df: FloatArray) -> FloatArray:
    """Exact small-sample bias correction J(m) of Hedges (1981) for m degrees of freedom."""
    correction: FloatArray = np.exp(gammaln(df / 2) - np.log(np.sqrt(df / 2)) - gammaln((df - 1) / 2))
    return correction


def continuous_effect_sizes(
    study: Sequence[str],
    mean_t: FloatArray,
    sd_t: FloatArray,
    n_t: FloatArray,
    mean_c: FloatArray,
    sd_c: FloatArray,
    n_c: FloatArray,
    measure: Measure,
) -> EffectSizes:
    """MD or SMD (Hedges' g) per study from group means, SDs and sizes."""
    if measure not in (Measure.MD, Measure.SMD):
        raise MetaInputError(f"measure: {measure} needs event counts, not means and SDs")
    study = tuple(study)
    for column, values in (("mean_t", mean_t), ("sd_t", sd_t), ("mean_c", mean_c), ("sd_c", sd_c)):
        if (i := _first(~np.isfinite(values))) is not None:
            raise MetaInputError(f"{_row(study, i)}, column {column}: missing or not a number")
    for column, values in (("sd_t", sd_t), ("sd_c", sd_c)):
        if (i := _first(values <= 0)) is not None:
            raise MetaInputError(f"{_row(study, i)}, column {column}: standard deviation must be > 0")
    for column, values in (("n_t", n_t), ("n_c", n_c)):
        for index, value in enumerate(values):
            _check_count(study, index, column, float(value))
            if value < 2:
                raise MetaInputError(f"{_row(study, index)}, column {column}: need at least 2 participants")
    if measure is Measure.MD:
        return EffectSizes(study, mean_t - mean_c, sd_t**2 / n_t + sd_c**2 / n_c, measure)
    df = n_t + n_c - 2
    sd_pooled = np.sqrt(((n_t - 1) * sd_t**2 + (n_c - 1) * sd_c**2) / df)
    g = hedges_correction(df) * (mean_t - mean_c) / sd_pooled
    return EffectSizes(study, g, 1 / n_t + 1 / n_c + g**2 / (2 * (n_t + n_c)), measure)


def _column(frame: pl.DataFrame, name: str) -> FloatArray:
    raw = frame.get_column(name)
    numbers = raw.cast(pl.Float64, strict=False)
    not_numeric = (numbers.is_null() & raw.is_not_null()).to_numpy()
    if (i := _first(not_numeric)) is not None:
        study = frame.get_column("study").cast(pl.String).to_list()
        raise MetaInputError(f"{_row(study, i)}, column {name}: {raw[i]!r} is not a number")
    return np.asarray(numbers.fill_null(np.nan).to_numpy(), dtype=np.float64)


def _require_columns(frame: pl.DataFrame, columns: Sequence[str], measure: Measure) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise MetaInputError(f"columns: {measure} needs {', '.join(columns)}; missing {', '.join(missing)}")
    if frame.height == 0:
        raise MetaInputError("studies: the table has no rows")


def binary_table_from_frame(frame: pl.DataFrame) -> BinaryTable:
    _require_columns(frame, BINARY_COLUMNS, Measure.RR)
    study = tuple(str(s) for s in frame.get_column("study").to_list())
    return BinaryTable(study, *(_column(frame, c) for c in BINARY_COLUMNS[1:]))


def effect_sizes_from_frame(frame: pl.DataFrame, measure: Measure | str) -> EffectSizes:
    """Effect sizes from a study table with the columns of ``baclotrack meta --studies``."""
    measure = parse_measure(measure)
    if measure.is_binary:
        return binary_effect_sizes(binary_table_from_frame(frame), measure)
    columns = CONTINUOUS_COLUMNS if measure in (Measure.MD, Measure.SMD) else GENERIC_COLUMNS
    _require_columns(frame, columns, measure)
    study = tuple(str(s) for s in frame.get_column("study").to_list())
    if measure is Measure.GEN:
        return EffectSizes(study, _column(frame, "yi"), _column(frame, "vi"), measure)
    mean_t, sd_t, n_t, mean_c, sd_c, n_c = (_column(frame, c) for c in columns[1:])
    return continuous_effect_sizes(study, mean_t, sd_t, n_t, mean_c, sd_c, n_c, measure)
