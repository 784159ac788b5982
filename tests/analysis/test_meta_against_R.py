"""The meta-analysis engine against R metafor 3.8 (tests/reference/meta/reference.json).

The reference values were written by tests/reference/meta/make_reference.R from the CSV files next to
it; these tests never run R. Datasets: dat.bcg (RR, OR, RD), dat.normand1999 (MD, SMD),
dat.nielweise2007 (zero cells and one study with no events in either arm) and two small SYNTHETIC
baclofen-like datasets made up for testing.

Tolerances: every number must agree with metafor within 1e-6 relative (the project's contract). The
engine follows metafor's algorithms step by step (REML's Fisher scoring with the same start, step
halving and stopping rule; PM's Brent root search with R uniroot's tolerance), so in practice the
numbers agree to about 1e-12. Values that are exactly 0 in R (tau^2 at its boundary, I^2 = 0) are
compared with an absolute tolerance of 1e-10 instead, since a relative tolerance means nothing at 0.
JSON stores 15 significant digits, far below the tolerance.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from baclotrack.analysis.meta import (
    EffectSizes,
    MetaAnalysis,
    MetaRegression,
    StatisticalWarning,
    effect_sizes_from_frame,
    egger_test,
    leave_one_out,
    subgroup_analysis,
)

pytestmark = pytest.mark.r_reference

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "reference" / "meta"
RTOL = 1e-6
ATOL_AT_ZERO = 1e-10


@cache
def reference() -> dict[str, Any]:
    result: dict[str, Any] = json.loads((REFERENCE_DIR / "reference.json").read_text())
    return result


@cache
def studies(name: str) -> pl.DataFrame:
    return pl.read_csv(REFERENCE_DIR / f"{name}.csv")


def effects(name: str, measure: str) -> EffectSizes:
    return effect_sizes_from_frame(studies(name), measure)


def assert_matches(actual: Any, expected: Any, what: str) -> None:
    if expected is None:
        assert actual is None, what
        return
    actual_arr = np.asarray(actual, dtype=float)
    expected_arr = np.asarray(expected, dtype=float)
    atol = np.where(expected_arr == 0, ATOL_AT_ZERO, 0.0)
    assert np.all(np.abs(actual_arr - expected_arr) <= atol + RTOL * np.abs(expected_arr)), (
        f"{what}: {actual} != metafor {expected}"
    )


def _pooled_cases() -> list[tuple[str, str, str]]:
    return [
        (name, measure, fit_key)
        for name, by_measure in reference()["datasets"].items()
        for measure, ref in by_measure.items()
        for fit_key in ref["fits"]
    ]


def _dataset_measures() -> list[tuple[str, str]]:
    return [(name, measure) for name, by in reference()["datasets"].items() for measure in by]


@pytest.mark.parametrize(("name", "measure"), _dataset_measures())
def test_effect_sizes_match_escalc_against_R(name: str, measure: str) -> None:
    ref = reference()["datasets"][name][measure]
    es = effects(name, measure)
    assert_matches(es.yi, ref["yi"], f"{name} {measure} yi")
    assert_matches(es.vi, ref["vi"], f"{name} {measure} vi")


@pytest.mark.parametrize(("name", "measure", "fit_key"), _pooled_cases())
def test_pooled_estimate_matches_rma_against_R(name: str, measure: str, fit_key: str) -> None:
    method, test = fit_key.split("_")
    expected = reference()["datasets"][name][measure]["fits"][fit_key]
    with pytest.warns(StatisticalWarning) if (method == "FE" and test == "knha") else _no_warning():
        fit = MetaAnalysis(method, knha=test == "knha").fit(effects(name, measure))
    actual = fit.to_dict()
    for key in (
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "pi_low",
        "pi_high",
        "tau2",
        "i2",
        "h2",
        "q",
        "q_pval",
    ):
        assert_matches(actual[key], expected[key], f"{name} {measure} {fit_key} {key}")
    assert_matches(fit.stat_, expected["zval"], f"{name} {measure} {fit_key} stat")
    assert_matches(fit.pval_, expected["pval"], f"{name} {measure} {fit_key} pval")
    assert fit.k_ == expected["k"]


@contextmanager
def _no_warning() -> Iterator[None]:
    """metafor warns only about Knapp-Hartung with a common-effect model; nothing else may warn."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.mark.parametrize(
    ("name", "measure"), [(n, m) for n, by in reference()["datasets"].items() for m in by if "MH" in by[m]]
)
def test_mantel_haenszel_matches_rma_mh_against_R(name: str, measure: str) -> None:
    expected = reference()["datasets"][name][measure]["MH"]
    fit = MetaAnalysis("MH").fit(effects(name, measure))
    for key in ("estimate", "se", "ci_low", "ci_high", "i2", "h2", "q", "q_pval"):
        assert_matches(fit.to_dict()[key], expected[key], f"{name} {measure} MH {key}")
    assert_matches(fit.pval_, expected["pval"], f"{name} {measure} MH pval")
    assert fit.k_ == expected["k"]
    assert fit.q_df_ == expected["k_yi"] - 1


def test_mantel_haenszel_leaves_double_zero_studies_out_of_q_only() -> None:
    # nielweise2007 has one study without events in either arm: rma.mh pools all 18 tables but tests
    # heterogeneity on the 17 with an estimable log odds ratio.
    fit = MetaAnalysis("MH").fit(effects("nielweise2007", "OR"))
    assert (fit.k_, fit.q_df_) == (18, 16)


@pytest.mark.parametrize("case", list(reference()["leave1out"]))
def test_leave_one_out_matches_leave1out_against_R(case: str) -> None:
    _, measure, method, *rest = case.split("_")
    expected = reference()["leave1out"][case]
    frame = leave_one_out(effects("bcg", measure), method, knha=bool(rest))
    # leave1out() of a common-effect model reports no tau^2 (it is 0 by assumption).
    assert method != "FE" or frame["tau2"].to_list() == [0.0] * 13
    for key in ("estimate", "se", "ci_low", "ci_high", "q", "tau2", "i2"):
        if method == "FE" and key == "tau2":
            continue
        assert_matches(frame[key].to_numpy(), expected[key], f"{case} {key}")


def _metareg_cases() -> list[tuple[str, str]]:
    return [(case, key) for case, fits in reference()["metareg"].items() for key in fits]


METAREG_DATA = {
    "bcg_RR_ablat": ("bcg", "RR", "ablat"),
    "synthetic_binary_OR_dose": ("synthetic_baclofen_binary", "OR", "target_dose_mg"),
    "synthetic_continuous_MD_dose": ("synthetic_baclofen_continuous", "MD", "target_dose_mg"),
}


@pytest.mark.parametrize(("case", "fit_key"), _metareg_cases())
def test_meta_regression_matches_rma_mods_against_R(case: str, fit_key: str) -> None:
    name, measure, column = METAREG_DATA[case]
    method, test = fit_key.split("_")
    expected = reference()["metareg"][case][fit_key]
    with pytest.warns(StatisticalWarning) if (method == "FE" and test == "knha") else _no_warning():
        fit = MetaRegression(method, knha=test == "knha").fit(
            effects(name, measure), studies(name)[column], name=column
        )
    for attr, key in (("coef_", "coef"), ("se_", "se"), ("stat_", "zval"), ("pval_", "pval"),
                      ("ci_low_", "ci_low"), ("ci_high_", "ci_high"), ("qm_", "qm"), ("qm_pval_", "qm_pval"),
                      ("tau2_", "tau2"), ("i2_", "i2"), ("h2_", "h2"), ("qe_", "qe"), ("qe_pval_", "qe_pval"),
                      ("r2_", "r2")):  # fmt: skip
        assert_matches(getattr(fit, attr), expected[key], f"{case} {fit_key} {key}")


def _egger_cases() -> list[tuple[str, str]]:
    return [(case, key) for case, fits in reference()["egger"].items() for key in fits]


@pytest.mark.parametrize(("case", "fit_key"), _egger_cases())
def test_egger_test_matches_regtest_against_R(case: str, fit_key: str) -> None:
    name, measure = {"bcg_RR": ("bcg", "RR"), "synthetic_binary_OR": ("synthetic_baclofen_binary", "OR")}[
        case
    ]
    method, test = fit_key.split("_")
    expected = reference()["egger"][case][fit_key]
    with pytest.warns(StatisticalWarning) if (method == "FE" and test == "knha") else _no_warning():
        result = egger_test(effects(name, measure), method, knha=test == "knha")
    assert_matches(result.stat, expected["zval"], f"{case} {fit_key} stat")
    assert_matches(result.pval, expected["pval"], f"{case} {fit_key} pval")
    assert_matches(result.limit_estimate, expected["limit_estimate"], f"{case} {fit_key} limit estimate")
    assert_matches(result.limit_ci_low, expected["limit_ci_low"], f"{case} {fit_key} limit ci_low")
    assert_matches(result.limit_ci_high, expected["limit_ci_high"], f"{case} {fit_key} limit ci_high")


SUBGROUP_DATA = {
    "bcg_RR_alloc_REML": ("bcg", "RR", "alloc", "REML"),
    "bcg_RR_alloc_DL": ("bcg", "RR", "alloc", "DL"),
    "synthetic_binary_OR_dose_group_REML": ("synthetic_baclofen_binary", "OR", "dose_group", "REML"),
}


@pytest.mark.parametrize("case", list(SUBGROUP_DATA))
def test_subgroup_difference_test_matches_metafor_against_R(case: str) -> None:
    name, measure, column, method = SUBGROUP_DATA[case]
    expected = reference()["subgroups"][case]
    result = subgroup_analysis(effects(name, measure), studies(name)[column].to_numpy(), method)
    assert list(result.fits) == expected["groups"]
    assert result.df == expected["df"]
    assert_matches(result.q_between, expected["q_between"], f"{case} Q between")
    assert_matches(result.pval, expected["pval"], f"{case} p")
    for group, fit in result.fits.items():
        ref = expected["per_group"][group]
        for key in ("estimate", "se", "ci_low", "ci_high", "tau2", "i2", "q"):
            assert_matches(fit.to_dict()[key], ref[key], f"{case} {group} {key}")
