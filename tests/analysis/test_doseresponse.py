"""N-of-1 dose-response: lagged pairing, the core's indifference dose, honest Emax results."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from matplotlib.figure import Figure

from baclotrack.analysis.doseresponse import DoseResponse, DoseResponseError, plot_dose_response
from baclotrack.analysis.simulate import ameisen_2005_case
from baclotrack.core.diary import DiaryDay, DiaryError
from baclotrack.core.titration.indifference import find_indifference_dose

START = dt.date(2026, 3, 2)
PATIENT = {"patient_id": "P1", "sex": "M", "weight_kg": 80.0, "country": "FR"}


def _diary(
    doses: list[float], craving: list[int | None], drinks: list[float | None] | None = None
) -> pl.DataFrame:
    n = len(doses)
    return pl.DataFrame(
        {
            "patient_id": ["P1"] * n,
            "date": [START + dt.timedelta(days=i) for i in range(n)],
            "dose_mg": doses,
            "craving": craving,
            "drinks": drinks if drinks is not None else [0.0] * n,
        },
        schema_overrides={"craving": pl.Int64, "dose_mg": pl.Float64, "drinks": pl.Float64},
    )


def _titration() -> pl.DataFrame:
    """Seven-day steps 0, 30, 60, 90, 120 mg/day; craving falls along an Emax curve, small noise."""
    doses = [float(d) for d in np.repeat([0, 30, 60, 90, 120], 7)]
    wobble = np.tile([0, 1, -1, 0, 1, -1, 0], 5)
    craving = [
        int(c) for c in np.clip(np.rint(8 - 7 * np.array(doses) / (40 + np.array(doses))) + wobble, 0, 10)
    ]
    return _diary(doses, craving)


def test_lag_pairs_each_day_with_the_dose_taken_lag_days_before() -> None:
    diary = _diary([0.0, 30.0, 60.0, 90.0], [8, 7, 5, 4])
    points = DoseResponse(lag_days=1).fit(diary, PATIENT).points_
    paired = dict(zip(points["date"].to_list(), points["dose_mg"].to_list(), strict=True))
    assert paired[START] is None  # no dose is known for the day before the diary
    assert paired[START + dt.timedelta(days=2)] == 30.0


def test_indifference_dose_is_the_core_functions_answer() -> None:
    doses = [0.0] * 7 + [30.0] * 7 + [60.0] * 20
    craving = [8] * 7 + [5] * 7 + [1] * 20
    diary = _diary(doses, craving)
    result = DoseResponse().fit(diary, PATIENT).indifference_
    days = [
        DiaryDay(date=d, grams=0.0, craving=c, dose_taken_mg=m)
        for d, c, m in diary.select("date", "craving", "dose_mg").iter_rows()
    ]
    assert result == find_indifference_dose(days, "M")
    assert result.reached and result.dose_mg == 60.0
    assert result.date_reached == START + dt.timedelta(days=14 + 13)


def test_drinks_are_turned_into_grams_with_the_patients_standard_drink() -> None:
    # Six French drinks are 60 g: a heavy day for a woman under the FDA rule (>= 56 g) breaks the run.
    doses = [60.0] * 14
    diary = _diary(doses, [1] * 14, [0.0] * 7 + [6.0] + [0.0] * 6)
    woman = DoseResponse().fit(diary, {**PATIENT, "sex": "F"})
    man = DoseResponse().fit(diary, PATIENT)
    assert not woman.indifference_.reached
    assert man.indifference_.reached


def test_emax_fit_reports_ed50_in_mg_and_per_kilogram() -> None:
    fit = DoseResponse().fit(_titration(), PATIENT)
    out = fit.to_dict()["emax"]
    assert out["identifiable"] is True
    assert out["ed50_mg_per_kg"]["estimate"] == pytest.approx(out["ed50"]["estimate"] / 80.0)
    assert out["ed50"]["ci_lower"] < out["ed50"]["estimate"] < out["ed50"]["ci_upper"]
    assert "ED50" in fit.summary() and "mg/kg/day" in fit.summary()


def test_unidentifiable_fit_says_why_and_carries_no_numbers() -> None:
    diary = _diary([0.0] * 10 + [30.0] * 10, [8] * 10 + [3] * 10)
    fit = DoseResponse().fit(diary, PATIENT)
    out = fit.to_dict()["emax"]
    assert out["identifiable"] is False
    assert "distinct dose" in out["reason"]
    assert fit.emax_.reason_message is not None and out["reason"] == fit.emax_.reason_message.text()
    assert not {"e0", "emax", "ed50", "ed50_mg_per_kg"} & set(out)
    assert fit.emax_.estimate is None
    assert "not identifiable" in fit.summary()


def test_dose_levels_count_days_craving_and_heavy_days() -> None:
    diary = _diary([0.0, 0.0, 30.0, 30.0, 30.0], [8, 6, 4, 3, 2], [8.0, 0.0, 2.0, 0.0, 0.0])
    levels = DoseResponse().fit(diary, PATIENT).levels_
    first = levels.row(0, named=True)
    assert (first["dose_mg"], first["days"], first["craving_mean"], first["heavy_days"]) == (0.0, 2, 7.0, 1)
    assert levels.row(1, named=True)["days_abstinent"] == 2
    assert levels["dose_mg_per_kg"].to_list() == [0.0, 30.0 / 80.0]


def test_escalation_only_leaves_out_the_step_down_after_indifference() -> None:
    case = ameisen_2005_case()
    patient = case.patients.row(0, named=True)
    whole = DoseResponse().fit(case.diary, patient).emax_.estimate
    way_up = DoseResponse(escalation_only=True).fit(case.diary, patient).emax_.estimate
    assert whole is not None and way_up is not None
    # The reconstruction's curve has ED50 100 mg/day; the suppressed maintenance days pull
    # the whole-course fit far below it, the escalation-only fit lands near it.
    assert 90 < way_up.ed50 < 130
    assert whole.ed50 < 60


def test_other_patients_rows_are_ignored_and_an_absent_patient_is_named() -> None:
    diary = pl.concat(
        [_titration(), _titration().with_columns(patient_id=pl.lit("P2"), craving=pl.lit(0, dtype=pl.Int64))]
    )
    fit = DoseResponse().fit(diary, PATIENT)
    assert fit.points_.height == 35
    with pytest.raises(DoseResponseError, match="no rows for patient 'P3'"):
        DoseResponse().fit(diary, {**PATIENT, "patient_id": "P3"})


def test_bad_input_is_named() -> None:
    with pytest.raises(DoseResponseError, match="column 'craving' is missing"):
        DoseResponse().fit(_titration().drop("craving"), PATIENT)
    with pytest.raises(DoseResponseError, match="lag_days"):
        DoseResponse(lag_days=-1)
    with pytest.raises(DoseResponseError, match="sex must be F or M"):
        DoseResponse().fit(_titration(), {**PATIENT, "sex": "X"})
    with pytest.raises(DiaryError, match="craving"):
        DoseResponse().fit(_diary([0.0, 30.0], [8, 11]), PATIENT)
    with pytest.raises(DoseResponseError, match="two entries for the same date"):
        DoseResponse().fit(pl.concat([_titration(), _titration().head(1)]), PATIENT)


def test_figure_shows_days_curve_band_and_indifference_dose() -> None:
    case = ameisen_2005_case()
    fit = DoseResponse(escalation_only=True).fit(case.diary, case.patients.row(0, named=True))
    fig = plot_dose_response(fit, per_kg=True)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert any(label.startswith("Emax fit") for label in labels)
    assert any(label.startswith("indifference dose") for label in labels)
    assert any(label.endswith("band") for label in labels)
    assert ax.get_xlabel().startswith("daily dose (mg/kg/day)")


def test_figure_without_a_curve_says_why_in_its_title() -> None:
    fit = DoseResponse().fit(_diary([0.0] * 5 + [30.0] * 5, [8] * 5 + [3] * 5), PATIENT)
    ax = plot_dose_response(fit).axes[0]
    assert "not identifiable" in ax.get_title()
    assert not ax.lines


def test_summary_says_unbounded_for_an_open_interval() -> None:
    # Drinks fall most of the way on the first dose (ED50 2 mg/day, first dose 15 mg/day): the
    # fit of drinks on dose bounds ED50 above but not below.
    dose = np.repeat([0.0, 15, 30, 60, 90], 6)
    drinks = 7 - 6 * dose / (2 + dose) + np.tile([0.8, -0.8, 0.4, -0.4, 0.0, 0.0], 5)
    diary = _diary([float(d) for d in dose], [5] * 30, [float(x) for x in drinks])
    fit = DoseResponse(outcome="drinks").fit(diary, PATIENT)
    assert fit.emax_.estimate is not None and fit.emax_.estimate.ci["ed50"][0] is None
    assert "Emax curve (drinks" in fit.summary() and "(unbounded to" in fit.summary()
    assert fit.to_dict()["emax"]["ed50"]["ci_lower"] is None
