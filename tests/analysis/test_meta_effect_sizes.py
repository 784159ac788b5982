"""Effect sizes as metafor::escalc computes them, and input checks that name the row and column."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from baclotrack.analysis.meta import (
    BinaryTable,
    EffectSizes,
    Measure,
    MetaInputError,
    binary_effect_sizes,
    continuous_effect_sizes,
    effect_sizes_from_frame,
    hedges_correction,
)


def table(*rows: tuple[float, float, float, float]) -> BinaryTable:
    a, n1, c, n2 = (np.array(col, dtype=float) for col in zip(*rows, strict=True))
    return BinaryTable(tuple(f"S{i + 1}" for i in range(len(rows))), a, n1, c, n2)


def test_zero_cell_adds_one_half_to_every_cell_of_that_study_only() -> None:
    es = binary_effect_sizes(table((0, 10, 3, 10), (2, 10, 3, 10)), Measure.OR)
    # Study 1: a, b, c, d = 0.5, 10.5, 3.5, 7.5; study 2 untouched.
    assert es.yi[0] == pytest.approx(math.log(0.5 * 7.5 / (10.5 * 3.5)))
    assert es.vi[0] == pytest.approx(1 / 0.5 + 1 / 10.5 + 1 / 3.5 + 1 / 7.5)
    assert es.yi[1] == pytest.approx(math.log(2 * 7 / (8 * 3)))


def test_study_without_events_in_either_arm_is_kept_unless_drop00() -> None:
    counts = table((0, 12, 0, 11), (2, 10, 3, 10), (4, 20, 6, 21))
    kept = binary_effect_sizes(counts, Measure.RR)
    dropped = binary_effect_sizes(counts, Measure.RR, drop00=True)
    assert kept.k == 3
    assert kept.yi[0] == pytest.approx(math.log((0.5 / 13) / (0.5 / 12)))
    assert dropped.study == ("S2", "S3")


def test_risk_difference_uses_the_large_sample_variance() -> None:
    es = binary_effect_sizes(table((3, 10, 6, 12)), Measure.RD)
    assert es.yi[0] == pytest.approx(0.3 - 0.5)
    assert es.vi[0] == pytest.approx(0.3 * 0.7 / 10 + 0.5 * 0.5 / 12)


def test_hedges_correction_is_close_to_the_usual_approximation_for_large_samples() -> None:
    m = np.array([10.0, 40.0, 200.0])
    exact = hedges_correction(m)
    assert np.all(exact < 1)
    np.testing.assert_allclose(exact, 1 - 3 / (4 * m - 1), rtol=1e-3)


def test_smd_is_hedges_g_with_the_large_sample_variance() -> None:
    one = np.array([1.0])
    es = continuous_effect_sizes(("S1",), 5 * one, 2 * one, 20 * one, 4 * one, 2 * one, 22 * one, Measure.SMD)
    g = float(hedges_correction(np.array([40.0]))[0]) * 0.5
    assert es.yi[0] == pytest.approx(g)
    assert es.vi[0] == pytest.approx(1 / 20 + 1 / 22 + g**2 / (2 * 42))


def test_mean_difference_uses_each_arms_own_variance() -> None:
    one = np.array([1.0])
    es = continuous_effect_sizes(("S1",), 5 * one, 2 * one, 20 * one, 4 * one, 3 * one, 30 * one, Measure.MD)
    assert (es.yi[0], es.vi[0]) == pytest.approx((1.0, 4 / 20 + 9 / 30))


BINARY = pl.DataFrame(
    {
        "study": ["A", "B", "C"],
        "events_t": [3, 4, 5],
        "n_t": [10, 12, 14],
        "events_c": [5, 6, 7],
        "n_c": [10, 12, 14],
    }
)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("events_t", 13, "row 2 (study 'B'), column events_t: more events than n_t"),
        ("n_c", -4, "row 2 (study 'B'), column n_c: must not be negative"),
        ("n_t", None, "row 2 (study 'B'), column n_t: missing"),
    ],
)
def test_bad_counts_name_the_row_and_column(column: str, value: float | None, message: str) -> None:
    frame = BINARY.with_columns(
        pl.when(pl.col("study") == "B").then(pl.lit(value)).otherwise(pl.col(column)).alias(column)
    )
    with pytest.raises(MetaInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        effect_sizes_from_frame(frame, "OR")


def test_fractional_counts_of_a_split_placebo_arm_are_accepted_as_escalc_does() -> None:
    # R: escalc("RR", ai=17, n1i=43, ci=8.5, n2i=20) -- half of a placebo arm shared by two doses.
    es = binary_effect_sizes(table((17, 43, 8.5, 20)), Measure.RR)
    assert es.yi[0] == pytest.approx(math.log((17 / 43) / (8.5 / 20)))
    assert es.vi[0] == pytest.approx(1 / 17 - 1 / 43 + 1 / 8.5 - 1 / 20)


def test_text_in_a_number_column_names_the_row() -> None:
    frame = BINARY.with_columns(pl.Series("n_t", ["10", "twelve", "14"]))
    with pytest.raises(MetaInputError, match=r"row 2 \(study 'B'\), column n_t: 'twelve' is not a number"):
        effect_sizes_from_frame(frame, "RR")


def test_missing_column_is_named() -> None:
    with pytest.raises(MetaInputError, match="missing n_c"):
        effect_sizes_from_frame(BINARY.drop("n_c"), "RR")


def test_continuous_measure_asks_for_means_and_sds() -> None:
    with pytest.raises(MetaInputError, match="MD needs study, mean_t, sd_t"):
        effect_sizes_from_frame(BINARY, "MD")


def test_standard_deviation_must_be_positive() -> None:
    frame = pl.DataFrame(
        {"study": ["A", "B"], "mean_t": [5.0, 6.0], "sd_t": [2.0, 0.0], "n_t": [20, 20],
         "mean_c": [5.5, 6.5], "sd_c": [2.0, 2.0], "n_c": [20, 20]}
    )  # fmt: skip
    with pytest.raises(
        MetaInputError, match=r"row 2 \(study 'B'\), column sd_t: standard deviation must be > 0"
    ):
        effect_sizes_from_frame(frame, "SMD")


def test_generic_effect_sizes_need_a_positive_variance() -> None:
    frame = pl.DataFrame({"study": ["A", "B"], "yi": [0.2, 0.1], "vi": [0.04, 0.0]})
    with pytest.raises(
        MetaInputError, match=r"row 2 \(study 'B'\), column vi: sampling variance must be > 0"
    ):
        effect_sizes_from_frame(frame, "GEN")


def test_unknown_measure_lists_the_known_ones() -> None:
    with pytest.raises(MetaInputError, match=r"measure: unknown 'HR'.*RR, OR, RD, MD, SMD, GEN"):
        effect_sizes_from_frame(BINARY, "HR")


def test_effect_sizes_refuse_an_empty_table() -> None:
    with pytest.raises(MetaInputError, match="no study"):
        EffectSizes((), np.array([]), np.array([]), Measure.GEN)
