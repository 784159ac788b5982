"""Trial analysis behaviour: data preparation, validation, contrasts and the secondary GEE."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl
import pytest
import statsmodels.api as sm

from baclotrack.analysis.simulate import simulate
from baclotrack.analysis.trial import (
    BASELINE_WINDOW,
    Arm,
    TrialAnalysis,
    TrialDataError,
    patient_outcomes,
    trial_arms,
    wald,
)
from baclotrack.analysis.trial_gee import fit_gee
from baclotrack.core.errors import InputError

START = dt.date(2024, 1, 8)
ARMS = (("placebo", 0.0), ("low", 30.0), ("high", 60.0))


def cohort(per_arm: int = 6, seed: int = 5) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A small three-arm trial: 28 baseline days and 84 treatment days per patient."""
    rng = np.random.default_rng(seed)
    patients, diary = [], []
    for arm, dose in ARMS:
        for i in range(per_arm):
            pid = f"{arm}-{i}"
            patients.append(
                {
                    "patient_id": pid,
                    "sex": "M",
                    "start_date": START,
                    "country": "US",
                    "arm": arm,
                    "dose_mg": dose,
                }
            )
            level = rng.gamma(6.0, 1.0)
            for day in [*range(-28, 0), *range(1, 85)]:
                mean = level * (1.0 if day < 0 else 1.0 - dose / 120.0)
                date = START + dt.timedelta(days=day if day < 0 else day - 1)
                diary.append({"patient_id": pid, "date": date, "drinks": float(rng.poisson(mean))})
    return pl.DataFrame(diary), pl.DataFrame(patients)


def test_arms_are_ordered_by_dose_with_the_zero_dose_arm_as_reference() -> None:
    _, patients = cohort()
    shuffled = patients.sample(fraction=1.0, shuffle=True, seed=1)
    assert trial_arms(shuffled) == [("placebo", 0.0), ("low", 30.0), ("high", 60.0)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (pl.col("dose_mg").replace({0.0: 10.0}), "exactly one arm must have dose_mg 0"),
        (pl.col("dose_mg").replace({30.0: 0.0}), "exactly one arm must have dose_mg 0"),
        (
            pl.when(pl.col("patient_id") == "low-0").then(45.0).otherwise(pl.col("dose_mg")),
            "more than one dose_mg",
        ),
        (pl.when(pl.col("patient_id") == "high-2").then(-5.0).otherwise(pl.col("dose_mg")), "data row 15"),
        (pl.lit(0.0), "at least two arms"),
    ],
)
def test_bad_arm_or_dose_is_rejected_with_what_to_fix(change: pl.Expr, message: str) -> None:
    _, patients = cohort()
    patients = patients.with_columns(dose_mg=change)
    if message == "at least two arms":
        patients = patients.with_columns(arm=pl.lit("placebo"))
    with pytest.raises(TrialDataError, match=message):
        trial_arms(patients)


def test_missing_arm_column_is_named() -> None:
    _, patients = cohort()
    with pytest.raises(TrialDataError, match="column 'arm' is missing"):
        trial_arms(patients.drop("arm"))


def test_weeks_without_a_reported_day_are_absent_from_the_model_data() -> None:
    diary, patients = cohort()
    week3 = (pl.col("patient_id") == "low-1") & pl.col("date").is_between(
        START + dt.timedelta(days=14), START + dt.timedelta(days=20)
    )
    diary = diary.with_columns(drinks=pl.when(week3).then(None).otherwise(pl.col("drinks")))
    _, weekly = patient_outcomes(diary, patients)
    weeks = weekly.filter(pl.col("patient_id") == "low-1").get_column("week").to_list()
    assert weeks == [1, 2, *range(4, 13)]
    assert weekly.height == 18 * 12 - 1


def test_weekly_outcome_is_the_mean_over_reported_days_only() -> None:
    diary, patients = cohort()
    first_week = (pl.col("patient_id") == "high-0") & pl.col("date").is_between(
        START, START + dt.timedelta(days=6)
    )
    diary = diary.with_columns(
        drinks=pl.when(first_week & (pl.col("date") < START + dt.timedelta(days=5)))
        .then(None)
        .when(first_week)
        .then(4.0)
        .otherwise(pl.col("drinks"))
    )
    _, weekly = patient_outcomes(diary, patients)
    row = weekly.filter((pl.col("patient_id") == "high-0") & (pl.col("week") == 1))
    assert row.get_column("y").item() == pytest.approx(4.0)


def test_patient_without_baseline_diary_is_left_out_of_the_model_but_counted_in_the_arm() -> None:
    diary, patients = cohort()
    before = START + dt.timedelta(days=BASELINE_WINDOW.first)
    diary = diary.filter(~((pl.col("patient_id") == "placebo-2") & (pl.col("date") < START)))
    assert diary.filter(pl.col("date") < before).height == 0
    analysis = TrialAnalysis(secondary=False).fit(diary, patients)
    assert "placebo-2" not in analysis.weekly_.get_column("patient_id").to_list()
    assert analysis.primary_.n_groups_ == 17
    assert analysis.arms_[0].n == 6


def test_percent_reduction_is_relative_to_the_arm_baseline() -> None:
    analysis = TrialAnalysis(secondary=False).fit(*cohort())
    for arm in analysis.arms_:
        expected = 100.0 * (1.0 - arm.treatment_drinks_per_day / arm.baseline_drinks_per_day)
        assert arm.percent_reduction == pytest.approx(expected)
    high = analysis.arms_[2]
    assert high.percent_reduction == pytest.approx(50.0, abs=8.0)  # simulated: half the baseline


def test_contrasts_list_each_arm_against_placebo_then_adjacent_doses() -> None:
    analysis = TrialAnalysis(secondary=False).fit(*cohort())
    pairs = [(c.arm, c.reference) for c in analysis.contrasts_]
    assert pairs == [("low", "placebo"), ("high", "placebo"), ("high", "low")]
    beta = dict(zip(analysis.primary_.fixed_names, analysis.primary_.fe_params_, strict=True))
    assert analysis.contrasts_[2].estimate == pytest.approx(beta["armhigh"] - beta["armlow"])


def test_wald_interval_and_p_use_the_normal_approximation() -> None:
    low, high, p = wald(1.0, 0.5)
    assert (low, high) == (
        pytest.approx(1.0 - 1.959964 * 0.5, abs=1e-6),
        pytest.approx(1.0 + 1.959964 * 0.5, abs=1e-6),
    )
    assert p == pytest.approx(0.0455003, abs=1e-7)  # 2 * (1 - Phi(2))
    assert wald(1.0, 0.5, confidence=0.9)[1] == pytest.approx(1.0 + 1.644854 * 0.5, abs=1e-6)


def test_json_document_has_the_contract_keys() -> None:
    result = TrialAnalysis().fit(*cohort()).to_dict()
    assert set(result) >= {"arms", "fixed_effects", "contrasts", "dose_trend", "secondary", "model"}
    assert [t["term"] for t in result["fixed_effects"]] == [
        "(Intercept)",
        "armlow",
        "armhigh",
        "week",
        "baseline",
    ]
    assert set(result["dose_trend"]) >= {"estimate_per_mg", "se", "p"}
    assert set(result["model"]) >= {
        "n_obs",
        "n_patients",
        "reml_criterion",
        "random_effects",
        "residual_sd",
        "converged",
    }
    assert result["dose_trend"]["estimate_per_mg"] < 0
    assert len(result["secondary"]["drinks_per_day"]["ratios"]) == 2


def test_secondary_can_be_switched_off() -> None:
    analysis = TrialAnalysis(secondary=False).fit(*cohort())
    assert analysis.secondary_ is None
    assert analysis.to_dict()["secondary"] is None
    assert "Secondary" not in analysis.summary()


def test_diary_of_an_unknown_patient_is_an_input_error() -> None:
    diary, patients = cohort()
    stranger = pl.DataFrame({"patient_id": ["nobody"], "date": [START], "drinks": [1.0]})
    with pytest.raises(InputError, match="nobody"):
        TrialAnalysis().fit(pl.concat([diary, stranger]), patients)


def test_arm_without_treatment_data_is_named() -> None:
    diary, patients = cohort()
    diary = diary.filter(~(pl.col("patient_id").str.starts_with("high") & (pl.col("date") >= START)))
    with pytest.raises(TrialDataError, match="arm 'high'"):
        TrialAnalysis().fit(diary, patients)


def test_gee_on_one_day_per_patient_equals_glm_with_robust_errors() -> None:
    # With one observation per cluster the working correlation has nothing to act on, so the
    # GEE estimates are the GLM's and its sandwich SEs are the GLM's HC0 SEs.
    rng = np.random.default_rng(3)
    n = 300
    arm = np.array(["placebo", "low", "high"])[np.arange(n) % 3]
    baseline = rng.gamma(4.0, 1.5, n)
    rate = np.exp(0.2 + 0.15 * baseline - 0.4 * (arm == "low") - 0.8 * (arm == "high"))
    daily = pl.DataFrame(
        {
            "patient_id": [f"p{i}" for i in range(n)],
            "day": np.ones(n, dtype=int),
            "arm": arm,
            "baseline": baseline,
            "drinks": rng.poisson(rate).astype(float),
        }
    )
    fit = fit_gee(daily, ["placebo", "low", "high"], "drinks", sm.families.Poisson())
    sorted_daily = daily.sort("patient_id", "day")
    s_arm = sorted_daily.get_column("arm").to_numpy()
    X = np.column_stack([np.ones(n), s_arm == "low", s_arm == "high", sorted_daily.get_column("baseline")])
    glm = sm.GLM(sorted_daily.get_column("drinks").to_numpy(), X.astype(float), family=sm.families.Poisson())
    reference = glm.fit(cov_type="HC0")
    np.testing.assert_allclose(fit.estimates, reference.params, rtol=1e-8)
    np.testing.assert_allclose(fit.se, reference.bse, rtol=1e-6)
    assert fit.contrasts[1].ratio == pytest.approx(math.exp(reference.params[2]))


def test_percent_reduction_is_undefined_for_an_abstinent_baseline() -> None:
    assert math.isnan(Arm("placebo", 0.0, 3, 0.0, 1.0).percent_reduction)
    assert Arm("placebo", 0.0, 3, 4.0, 1.0).percent_reduction == pytest.approx(75.0)


def test_titrated_arm_is_compared_with_placebo_but_has_no_dose_trend() -> None:
    sim = simulate("bacloville", seed=11, n=40)
    assert sim.patients.filter(pl.col("arm") == "baclofen")["dose_mg"].null_count() == 20
    analysis = TrialAnalysis(secondary=False).fit(sim.diary, sim.patients)
    assert [(a.arm, a.dose_mg) for a in analysis.arms_] == [("placebo", 0.0), ("baclofen", None)]
    assert analysis.weekly_["week"].max() == 12  # a year of diary, the 12 treatment weeks analysed
    assert [(c.arm, c.reference) for c in analysis.contrasts_] == [("baclofen", "placebo")]
    assert analysis.contrasts_[0].estimate < 0
    result = analysis.to_dict()
    assert result["dose_trend"] is None
    assert "'baclofen' has no fixed dose" in result["dose_trend_reason"]
    assert result["model"]["converged"] is True
    text = analysis.summary()
    assert "Dose trend per mg: not estimated: arm 'baclofen' has no fixed dose" in text
    assert "titrated" in text


def test_fixed_dose_trial_reports_no_reason_for_its_dose_trend() -> None:
    result = TrialAnalysis(secondary=False).fit(*cohort()).to_dict()
    assert result["dose_trend_reason"] is None
    assert result["dose_trend"]["estimate_per_mg"] < 0


def test_titrated_arm_comes_after_fixed_doses_without_an_adjacent_contrast() -> None:
    diary, patients = cohort()
    patients = patients.with_columns(dose_mg=pl.when(pl.col("arm") == "low").then(None).otherwise("dose_mg"))
    assert trial_arms(patients) == [("placebo", 0.0), ("high", 60.0), ("low", None)]
    analysis = TrialAnalysis(secondary=False).fit(diary, patients)
    assert [(c.arm, c.reference) for c in analysis.contrasts_] == [("high", "placebo"), ("low", "placebo")]
    assert analysis.dose_trend_ is None and analysis.dose_model_ is None


@pytest.mark.parametrize(
    ("blank", "message"),
    [
        (pl.col("arm") == "placebo", "exactly one arm must have dose_mg 0"),
        (pl.col("patient_id") == "low-2", "arm 'low' has more than one dose_mg"),
    ],
)
def test_titrated_reference_or_partly_blank_arm_is_rejected(blank: pl.Expr, message: str) -> None:
    _, patients = cohort()
    patients = patients.with_columns(dose_mg=pl.when(blank).then(None).otherwise("dose_mg"))
    with pytest.raises(TrialDataError, match=message):
        trial_arms(patients)
