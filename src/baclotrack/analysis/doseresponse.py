"""One client's dose-response (N-of-1): dose against craving and drinking, the indifference
dose, and an Emax curve with profile-likelihood intervals.

    dr = DoseResponse(lag_days=1).fit(diary, patient)
    print(dr.summary())
    dr.to_dict()                     # for JSON, the dashboard and the report
    plot_dose_response(dr)           # a matplotlib Figure

``diary`` is a polars frame with date, dose_mg and craving, and grams or drinks (drinks are
converted with the patient's country, core/alcohol.py); rows of other patients are ignored.
``patient`` is a mapping with patient_id, sex and, for mg/kg/day, weight_kg.

The lag pairs the craving and drinking of day t with the dose taken on day t - lag (0: the same
day). The indifference dose is found by core.titration.indifference.find_indifference_dose on
the same-day diary (it judges doses held, so no lag applies). The Emax fit is in mg/day; the
curve in mg/kg/day is the same curve with D divided by the weight, so ED50 in mg/kg/day is
ED50 / weight with the same interval. ``escalation_only`` limits the dose levels and the fit
to the way up (see :func:`_escalation`). When the data cannot identify the curve the result
says why and carries no numbers (docs/methods/dose-response.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
import polars as pl
from matplotlib.figure import Figure

from baclotrack.analysis.emax import EmaxEstimate, EmaxNotIdentifiable, fit_emax
from baclotrack.core.alcohol import parse_country, standard_drink_grams
from baclotrack.core.diary import DiaryDay
from baclotrack.core.endpoints import heavy_day_expr
from baclotrack.core.errors import InputError
from baclotrack.core.guidelines import DEFAULT_COUNTRY, DEFAULT_HEAVY_DAY, HeavyDayDefinition, Sex
from baclotrack.core.i18n import N_, Message, Param, Translate
from baclotrack.core.titration.indifference import (
    DEFAULT_CRAVING_THRESHOLD,
    DEFAULT_MIN_DAYS,
    IndifferenceResult,
    find_indifference_dose,
)

Outcome = Literal["craving", "drinks"]
OUTCOMES: Final = ("craving", "drinks")
#: A lag longer than four weeks pairs a dose with days it cannot plausibly act on
#: (baclofen's half-life is 3-4 hours; FACTS.md).
MAX_LAG_DAYS: Final = 28


class DoseResponseError(InputError):
    """A diary or patient record the dose-response analysis cannot use."""


@dataclass(frozen=True, slots=True)
class EmaxResult:
    """The Emax fit, or why there is none. ``estimate`` is None exactly when not identifiable."""

    outcome: str
    identifiable: bool
    #: Why the curve is not identifiable, as a translatable message (decision 0170).
    reason_message: Message | None
    days: int
    distinct_doses: int
    estimate: EmaxEstimate | None
    weight_kg: float | None

    @property
    def reason(self) -> str | None:
        """Why the curve is not identifiable, in English (command line, JSON, report)."""
        return None if self.reason_message is None else self.reason_message.text()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "outcome": self.outcome,
            "identifiable": self.identifiable,
            "reason": self.reason,
            "days": self.days,
            "distinct_doses": self.distinct_doses,
        }
        est = self.estimate
        if est is None:
            return out
        out |= {
            "model": f"{self.outcome} = E0 - Emax x D / (ED50 + D), D in mg/day",
            "level": est.level,
            "residual_sd": est.sigma,
            "df": est.df,
        }
        for name in ("e0", "emax", "ed50"):
            lower, upper = est.ci[name]
            out[name] = {
                "estimate": getattr(est, name),
                "se": est.se[name],
                "ci_lower": lower,
                "ci_upper": upper,
            }
        if self.weight_kg is not None:
            lower, upper = est.ci["ed50"]
            w = self.weight_kg
            out["ed50_mg_per_kg"] = {
                "estimate": est.ed50 / w,
                "ci_lower": None if lower is None else lower / w,
                "ci_upper": None if upper is None else upper / w,
            }
        return out


def _require(frame: pl.DataFrame, column: str) -> None:
    if column not in frame.columns:
        raise DoseResponseError(f"diary: column {column!r} is missing (columns: {', '.join(frame.columns)})")


def _patient_fields(patient: Mapping[str, Any]) -> tuple[str, Sex, float | None, str]:
    pid = patient.get("patient_id")
    if not isinstance(pid, str) or not pid:
        raise DoseResponseError("patient: patient_id is missing")
    sex = patient.get("sex")
    if sex not in ("F", "M"):
        raise DoseResponseError(f"patient {pid}: sex must be F or M, got {sex!r}")
    weight = patient.get("weight_kg")
    if weight is not None and (not isinstance(weight, int | float) or not 20 <= float(weight) <= 400):
        raise DoseResponseError(f"patient {pid}: weight_kg must be a number from 20 to 400, got {weight!r}")
    country = parse_country(patient.get("country") or DEFAULT_COUNTRY).value
    return pid, "F" if sex == "F" else "M", None if weight is None else float(weight), country


def client_days(diary: pl.DataFrame, patient_id: str, country: str) -> pl.DataFrame:
    """The client's diary rows with date, dose_mg, craving, grams and drinks, in date order."""
    for column in ("date", "dose_mg", "craving"):
        _require(diary, column)
    if "grams" not in diary.columns and "drinks" not in diary.columns:
        raise DoseResponseError("diary: needs a grams or a drinks column")
    rows = diary.filter(pl.col("patient_id") == patient_id) if "patient_id" in diary.columns else diary
    if rows.height == 0:
        raise DoseResponseError(f"diary: no rows for patient {patient_id!r}")
    size = standard_drink_grams(country)
    if "grams" not in rows.columns:
        rows = rows.with_columns(grams=pl.col("drinks").cast(pl.Float64) * size)
    if "drinks" not in rows.columns:
        rows = rows.with_columns(drinks=pl.col("grams").cast(pl.Float64) / size)
    if rows.schema["date"] != pl.Date:
        raise DoseResponseError(
            f"diary: column 'date' must hold dates (YYYY-MM-DD), got {rows.schema['date']}"
        )
    rows = rows.select(
        "date",
        pl.col("dose_mg").cast(pl.Float64),
        pl.col("craving").cast(pl.Float64),
        pl.col("grams").cast(pl.Float64),
        pl.col("drinks").cast(pl.Float64),
    ).sort("date")
    duplicate = rows.filter(pl.col("date").is_duplicated())
    if duplicate.height:
        raise DoseResponseError(f"diary {duplicate['date'][0]}: two entries for the same date")
    return rows


def _diary_days(rows: pl.DataFrame) -> list[DiaryDay]:
    """Core diary records; DiaryDay validates every value and names the date and field."""
    days = []
    for row in rows.iter_rows(named=True):
        craving = row["craving"]
        if craving is not None and craving != int(craving):
            raise DoseResponseError(f"diary {row['date']}: craving: must be a whole number, got {craving:g}")
        days.append(
            DiaryDay(
                date=row["date"],
                grams=row["grams"],
                craving=None if craving is None else int(craving),
                dose_taken_mg=row["dose_mg"],
            )
        )
    return days


def _escalation(rows: pl.DataFrame) -> pl.DataFrame:
    """Rows up to the end of the first stretch at the highest dose taken.

    A course that steps down after indifference (Ameisen 2005: 270 then 120 mg/day) often
    keeps craving suppressed on the lower dose; pooling those days with the escalation mixes
    two dose-response relations, so the fit can be limited to the way up.
    """
    top = rows["dose_mg"].max()
    if top is None:
        return rows
    at_top = rows.with_row_index("i").filter(pl.col("dose_mg") == top)["i"].to_list()
    end = at_top[0]
    while end + 1 < rows.height and rows["dose_mg"][end + 1] == top:
        end += 1
    return rows.head(end + 1)


def _lagged(rows: pl.DataFrame, lag_days: int) -> pl.DataFrame:
    """Each day's craving and drinks beside the dose taken ``lag_days`` earlier (by calendar date)."""
    doses = rows.select(pl.col("date") + pl.duration(days=lag_days), pl.col("dose_mg").alias("dose"))
    return rows.drop("dose_mg").join(doses, on="date", how="left").rename({"dose": "dose_mg"})


class DoseResponse:
    """N-of-1 dose-response of one client. ``fit()`` returns self; results end in ``_``."""

    def __init__(
        self,
        *,
        lag_days: int = 0,
        outcome: Outcome = "craving",
        level: float = 0.95,
        craving_threshold: int = DEFAULT_CRAVING_THRESHOLD,
        min_days: int = DEFAULT_MIN_DAYS,
        heavy: HeavyDayDefinition = DEFAULT_HEAVY_DAY,
        escalation_only: bool = False,
    ) -> None:
        if isinstance(lag_days, bool) or not isinstance(lag_days, int) or not 0 <= lag_days <= MAX_LAG_DAYS:
            raise DoseResponseError(
                f"lag_days: must be a whole number from 0 to {MAX_LAG_DAYS}, got {lag_days!r}"
            )
        if outcome not in OUTCOMES:
            raise DoseResponseError(f"outcome: must be one of {', '.join(OUTCOMES)}, got {outcome!r}")
        if not 0.5 <= level < 1:
            raise DoseResponseError(f"level: must be from 0.5 to below 1, got {level}")
        self.lag_days = lag_days
        self.outcome = outcome
        self.level = level
        self.craving_threshold = craving_threshold
        self.min_days = min_days
        self.heavy = heavy
        self.escalation_only = escalation_only

    def fit(self, diary: pl.DataFrame, patient: Mapping[str, Any]) -> DoseResponse:
        pid, sex, weight, country = _patient_fields(patient)
        rows = client_days(diary, pid, country)
        self.indifference_: IndifferenceResult = find_indifference_dose(
            _diary_days(rows),
            sex,
            craving_threshold=self.craving_threshold,
            min_days=self.min_days,
            heavy=self.heavy,
        )
        self.patient_id_, self.sex_, self.weight_kg_, self.country_ = pid, sex, weight, country
        points = _lagged(_escalation(rows) if self.escalation_only else rows, self.lag_days)
        if weight is not None:
            points = points.with_columns(dose_mg_per_kg=pl.col("dose_mg") / weight)
        self.points_: pl.DataFrame = points
        self.levels_: pl.DataFrame = self._levels(points, sex)
        self.emax_: EmaxResult = self._fit_emax(points)
        return self

    def _levels(self, points: pl.DataFrame, sex: Sex) -> pl.DataFrame:
        """Per dose level: days, mean craving, drinks per day, abstinent and heavy days."""
        heavy = heavy_day_expr(pl.col("grams"), pl.lit(self.heavy.threshold(sex)), self.heavy)
        per_kg = [pl.col("dose_mg_per_kg").first()] if "dose_mg_per_kg" in points.columns else []
        return (
            points.filter(pl.col("dose_mg").is_not_null())
            .group_by("dose_mg")
            .agg(
                *per_kg,
                days=pl.len(),
                first_date=pl.col("date").min(),
                craving_mean=pl.col("craving").mean(),
                drinks_per_day=pl.col("drinks").mean(),
                days_abstinent=(pl.col("grams") == 0).sum(),
                heavy_days=heavy.sum(),
            )
            .sort("dose_mg")
        )

    def _fit_emax(self, points: pl.DataFrame) -> EmaxResult:
        usable = points.drop_nulls(["dose_mg", self.outcome])
        dose = usable["dose_mg"].to_numpy().astype(np.float64)
        response = usable[self.outcome].to_numpy().astype(np.float64)
        distinct = int(np.unique(dose).size)
        try:
            estimate = fit_emax(dose, response, level=self.level)
        except EmaxNotIdentifiable as exc:
            return EmaxResult(
                self.outcome, False, exc.message, usable.height, distinct, None, self.weight_kg_
            )
        return EmaxResult(self.outcome, True, None, usable.height, distinct, estimate, self.weight_kg_)

    def to_dict(self) -> dict[str, Any]:
        """Plain values for JSON: patient, lag, indifference, dose levels and the Emax fit."""
        ind = self.indifference_
        return {
            "patient_id": self.patient_id_,
            "lag_days": self.lag_days,
            "weight_kg": self.weight_kg_,
            "indifference": {
                "reached": ind.reached,
                "dose_mg": ind.dose_mg,
                "dose_mg_per_kg": None
                if ind.dose_mg is None or self.weight_kg_ is None
                else ind.dose_mg / self.weight_kg_,
                "date_reached": None if ind.date_reached is None else ind.date_reached.isoformat(),
                "reason": ind.reason,
            },
            "dose_levels": [
                {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in row.items()}
                for row in self.levels_.iter_rows(named=True)
            ],
            "emax": self.emax_.to_dict(),
        }

    def summary(self) -> str:
        """A short plain-text account for the clinician."""
        ind, fit = self.indifference_, self.emax_
        lines = [f"Dose-response for {self.patient_id_} (dose lag {self.lag_days} day(s))"]
        if ind.reached and ind.dose_mg is not None:
            kg = f" ({ind.dose_mg / self.weight_kg_:.2f} mg/kg/day)" if self.weight_kg_ else ""
            lines.append(f"Indifference dose: {ind.dose_mg:g} mg/day{kg}, reached {ind.date_reached}")
        else:
            lines.append("Indifference dose: not reached")
        lines.append(f"  {ind.reason}")
        lines.append("Dose levels (mg/day: days, mean craving, drinks/day, heavy days):")
        for row in self.levels_.iter_rows(named=True):
            craving = "-" if row["craving_mean"] is None else f"{row['craving_mean']:.1f}"
            drinks = "-" if row["drinks_per_day"] is None else f"{row['drinks_per_day']:.1f}"
            lines.append(
                f"  {row['dose_mg']:g}: {row['days']} days, {craving}, {drinks}, {row['heavy_days']}"
            )
        lines.extend(_emax_lines(fit))
        return "\n".join(lines)


def _fmt_ci(lower: float | None, upper: float | None, scale: float = 1.0) -> str:
    low = "unbounded" if lower is None else f"{lower / scale:.3g}"
    high = "unbounded" if upper is None else f"{upper / scale:.3g}"
    return f"{low} to {high}"


def _emax_lines(fit: EmaxResult) -> list[str]:
    est = fit.estimate
    if est is None:
        return [f"Emax curve ({fit.outcome}): not identifiable: {fit.reason}"]
    pct = f"{est.level * 100:g} %"
    lines = [
        f"Emax curve ({fit.outcome} = E0 - Emax x D / (ED50 + D)), {fit.days} days, {pct} profile intervals:",
        f"  E0   {est.e0:.3g} ({_fmt_ci(*est.ci['e0'])})",
        f"  Emax {est.emax:.3g} ({_fmt_ci(*est.ci['emax'])})",
        f"  ED50 {est.ed50:.3g} mg/day ({_fmt_ci(*est.ci['ed50'])})",
    ]
    if fit.weight_kg is not None:
        lines.append(
            f"  ED50 {est.ed50 / fit.weight_kg:.3g} mg/kg/day ({_fmt_ci(*est.ci['ed50'], fit.weight_kg)})"
        )
    return lines


#: The figure's texts (:func:`plot_dose_response`), English templates the web layer translates.
_PLOT_TEXT: Final = {
    "points": N_("diary days (area: number of days)"),
    "band": N_("{level} band"),
    "fit": N_("Emax fit, ED50 {ed50}"),
    "not_identifiable": N_("Emax curve not identifiable: {reason}"),
    "indifference": N_("indifference dose ({date})"),
    "x": N_("daily dose ({unit}), lag {lag} day(s)"),
    "title": N_("{patient}: dose and {outcome}"),
}
#: Axis label and title word of each outcome.
_OUTCOME_TEXT: Final = {
    "craving": (N_("craving (0-10)"), N_("craving")),
    "drinks": (N_("standard drinks per day"), N_("drinks")),
}


def plot_dose_response(
    result: DoseResponse, *, per_kg: bool = False, translate: Translate | None = None
) -> Figure:
    """Observed days (area by count), fitted curve with its band, and the indifference dose.

    Uses ``matplotlib.figure.Figure`` directly (no pyplot state), so the web app can render it
    from any thread; ``per_kg`` puts mg/kg/day on the x axis (needs the weight). The texts are
    English unless ``translate`` (the web layer's catalogue lookup) is given (decision 0170).
    """
    weight = result.weight_kg_
    if per_kg and weight is None:
        raise DoseResponseError(f"patient {result.patient_id_}: weight_kg is needed to plot mg/kg/day")

    def say(template: str, **params: Param) -> str:
        return Message(template, params).show(translate)

    scale = weight if per_kg and weight is not None else 1.0
    unit = Message(N_("mg/kg/day") if per_kg else N_("mg/day"))
    outcome = result.emax_.outcome
    fig = Figure(figsize=(6.4, 4.2), layout="constrained")
    ax = fig.add_subplot()
    counts = result.points_.drop_nulls(["dose_mg", outcome]).group_by("dose_mg", outcome).len()
    ax.scatter(
        counts["dose_mg"].to_numpy() / scale,
        counts[outcome].to_numpy(),
        s=12 * np.sqrt(counts["len"].to_numpy()),
        alpha=0.5,
        color="tab:blue",
        label=say(_PLOT_TEXT["points"]),
    )
    est = result.emax_.estimate
    top = float(np.max(counts["dose_mg"].to_numpy(), initial=1.0))
    if est is not None:
        grid = np.linspace(0.0, top, 200)
        lower, upper = est.band(grid)
        ax.fill_between(
            grid / scale,
            lower,
            upper,
            color="tab:orange",
            alpha=0.25,
            label=say(_PLOT_TEXT["band"], level=f"{est.level:.0%}"),
        )
        ax.plot(
            grid / scale,
            est.predict(grid),
            color="tab:orange",
            label=say(_PLOT_TEXT["fit"], ed50=f"{est.ed50 / scale:.3g}"),
        )
    else:
        why = result.emax_.reason_message
        reason: Param = why if why is not None else ""
        ax.set_title(say(_PLOT_TEXT["not_identifiable"], reason=reason), fontsize=8, wrap=True)
    ind = result.indifference_
    if ind.reached and ind.dose_mg is not None:
        ax.axvline(
            ind.dose_mg / scale,
            color="tab:green",
            linestyle="--",
            label=say(_PLOT_TEXT["indifference"], date=str(ind.date_reached)),
        )
    axis_label, title_word = _OUTCOME_TEXT[outcome]
    ax.set_xlabel(say(_PLOT_TEXT["x"], unit=unit, lag=result.lag_days))
    ax.set_ylabel(say(axis_label))
    ax.set_xlim(left=0)
    ax.legend(fontsize=8, loc="upper right")
    fig.suptitle(
        say(_PLOT_TEXT["title"], patient=result.patient_id_, outcome=Message(title_word)), fontsize=10
    )
    return fig
