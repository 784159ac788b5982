"""Heavy-day and WHO risk level definitions against FDA, EMA and WHO."""

from __future__ import annotations

import pytest

from baclotrack.core.guidelines import HEAVY_DAY_EMA, HEAVY_DAY_FDA, WhoRiskLevel, who_risk_level


def test_fda_heavy_day_is_four_or_five_us_drinks_inclusive() -> None:
    assert HEAVY_DAY_FDA.is_heavy(56, "F") and not HEAVY_DAY_FDA.is_heavy(55.9, "F")
    assert HEAVY_DAY_FDA.is_heavy(70, "M") and not HEAVY_DAY_FDA.is_heavy(69.9, "M")


def test_ema_heavy_day_is_more_than_40_or_60_grams() -> None:
    assert not HEAVY_DAY_EMA.is_heavy(40, "F") and HEAVY_DAY_EMA.is_heavy(40.1, "F")
    assert not HEAVY_DAY_EMA.is_heavy(60, "M") and HEAVY_DAY_EMA.is_heavy(60.1, "M")


@pytest.mark.parametrize(
    ("grams", "sex", "level"),
    [
        (0, "F", WhoRiskLevel.ABSTINENT),
        (20, "F", WhoRiskLevel.LOW),
        (20.5, "F", WhoRiskLevel.MEDIUM),
        (40, "F", WhoRiskLevel.MEDIUM),
        (60, "F", WhoRiskLevel.HIGH),
        (60.1, "F", WhoRiskLevel.VERY_HIGH),
        (40, "M", WhoRiskLevel.LOW),
        (60, "M", WhoRiskLevel.MEDIUM),
        (100, "M", WhoRiskLevel.HIGH),
        (100.1, "M", WhoRiskLevel.VERY_HIGH),
    ],
)
def test_who_levels_use_inclusive_upper_bounds(grams: float, sex: str, level: WhoRiskLevel) -> None:
    assert who_risk_level(grams, sex) is level  # type: ignore[arg-type]


def test_negative_consumption_is_refused() -> None:
    with pytest.raises(ValueError, match="grams_per_day"):
        who_risk_level(-1, "M")


def test_float_rounding_never_moves_a_day_across_a_threshold() -> None:
    # 0.7 x 80 g is 56.00000000000001 and 0.1 x 3 x ... can land a hair below: the
    # scalar rule and the vectorised one in core/endpoints.py share one tolerance.
    just_below_by_rounding = 56 - 1e-12
    assert HEAVY_DAY_FDA.is_heavy(just_below_by_rounding, "F")
    assert not HEAVY_DAY_EMA.is_heavy(40 + 1e-12, "F")
    assert who_risk_level(20 + 1e-12, "F") is WhoRiskLevel.LOW
