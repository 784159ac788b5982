"""Caps, renal reduction bands (Vlavonou 2014) and Cockcroft-Gault."""

from __future__ import annotations

import pytest

from baclotrack.core.guidelines import Country
from baclotrack.core.titration.caps import (
    HIGHEST_STUDIED_CAP,
    CapError,
    Jurisdiction,
    cockcroft_gault,
    effective_cap,
    get_regulatory_cap,
    jurisdiction_of_drink_country,
    parse_jurisdiction,
    protocol_caps,
    regulatory_caps_for_jurisdiction,
    renal_band,
    renal_cap,
    user_cap,
)
from baclotrack.core.titration.protocols import get_protocol


@pytest.mark.parametrize(
    ("crcl", "rule_id", "fraction"),
    [
        (120, None, None),
        (80.01, None, None),
        (80, "RENAL-MILD", 2 / 3),
        (60, "RENAL-MILD", 2 / 3),
        (50, "RENAL-MODERATE", 1 / 2),
        (30.5, "RENAL-MODERATE", 1 / 2),
        (30, "RENAL-SEVERE", 1 / 3),
        (0, "RENAL-SEVERE", 1 / 3),
    ],
)
def test_renal_band_edges_go_to_the_larger_reduction(
    crcl: float, rule_id: str | None, fraction: float | None
) -> None:
    band = renal_band(crcl)
    assert (band.rule_id if band else None) == rule_id
    assert (band.dose_fraction if band else None) == (pytest.approx(fraction) if fraction else None)


def test_renal_cap_is_the_normal_cap_times_the_band_fraction() -> None:
    cap = renal_cap(40, 80.0)
    assert cap is not None and cap.mg_per_day == 40.0
    assert "CrCl 40 ml/min" in cap.label and "Vlavonou 2014" in cap.label


def test_no_renal_cap_with_normal_function_or_unknown_clearance() -> None:
    assert renal_cap(95, 300.0) is None
    assert renal_cap(None, 300.0) is None


def test_dialysis_caps_at_about_5_mg_per_day() -> None:
    cap = renal_cap(None, 300.0, dialysis=True)
    assert cap is not None and cap.mg_per_day == 5.0 and cap.rule_id == "RENAL-DIALYSIS"


@pytest.mark.parametrize("crcl", [-1, 251, float("nan")])
def test_impossible_clearance_is_rejected_naming_crcl(crcl: float) -> None:
    with pytest.raises(CapError, match="crcl"):
        renal_band(crcl)


def test_fr_2017_cap_is_80_mg_and_names_ansm_and_the_date() -> None:
    cap = get_regulatory_cap("FR-2017")
    assert cap.mg_per_day == 80.0
    assert cap.describe() == "capped at 80 mg/day: FR-2017 regulatory cap (ANSM, 24 July 2017)"


def test_regulatory_caps_as_data() -> None:
    assert get_regulatory_cap("fr-rtu-2014").mg_per_day == 300.0
    assert get_regulatory_cap("baclocur-label").mg_per_day == 80.0
    (french,) = regulatory_caps_for_jurisdiction(Jurisdiction.FR)
    assert (french.rule_id, french.mg_per_day) == ("FR-2017", 80.0)
    assert regulatory_caps_for_jurisdiction(Jurisdiction.US) == ()
    assert regulatory_caps_for_jurisdiction(Jurisdiction.BE) == ()


def test_a_cap_applied_for_the_prescribing_country_names_it() -> None:
    (french,) = regulatory_caps_for_jurisdiction(Jurisdiction.FR)
    assert french.jurisdiction == "FR"
    assert french.label == "FR-2017 regulatory cap (ANSM, 24 July 2017); prescribing country: FR"
    assert french.source == get_regulatory_cap("fr-2017").source
    assert get_regulatory_cap("fr-2017").jurisdiction is None  # asked for by id (CLI): no jurisdiction


@pytest.mark.parametrize(
    ("country", "jurisdiction"),
    [(Country.FR, Jurisdiction.FR), (Country.UK, Jurisdiction.UK), (Country.WHO, Jurisdiction.ZZ)],
)
def test_prescribing_country_defaults_to_the_drink_country_and_who_to_none_in_particular(
    country: Country, jurisdiction: Jurisdiction
) -> None:
    assert jurisdiction_of_drink_country(country) is jurisdiction


def test_every_drink_country_has_a_default_jurisdiction() -> None:
    assert {jurisdiction_of_drink_country(c) for c in Country} <= set(Jurisdiction)


def test_prescribing_country_codes_are_read_in_any_case_and_unknown_ones_listed() -> None:
    assert parse_jurisdiction(" be ") is Jurisdiction.BE
    with pytest.raises(CapError, match=r"prescribing country: unknown code .WHO.*known: AU, BE"):
        parse_jurisdiction("WHO")


def test_unknown_regulatory_cap_lists_known_ids() -> None:
    with pytest.raises(CapError, match="known: fr-rtu-2014, fr-2017, baclocur-label"):
        get_regulatory_cap("de-2020")


def test_effective_cap_is_the_lowest_and_first_on_ties() -> None:
    fr, label = get_regulatory_cap("fr-2017"), get_regulatory_cap("baclocur-label")
    assert effective_cap([HIGHEST_STUDIED_CAP, fr, label]) is fr
    assert effective_cap([user_cap(60), fr]).rule_id == "USER-MAX"


def test_user_cap_must_be_positive() -> None:
    with pytest.raises(CapError, match="max_mg_per_day"):
        user_cap(0)


def test_ameisen_weight_ceiling_is_4_mg_per_kg() -> None:
    caps = protocol_caps(get_protocol("ameisen-2005"), weight_kg=60)
    assert effective_cap(caps).mg_per_day == 240.0


def test_cockcroft_gault_reference_man_in_mg_dl() -> None:
    # (140 - 40) x 72 / (72 x 1.0) = 100 ml/min (Cockcroft & Gault 1976).
    assert cockcroft_gault(40, 72, "M", serum_creatinine_mg_dl=1.0) == pytest.approx(100.0)


def test_cockcroft_gault_woman_is_085_times_and_umol_l_converts_by_88_4() -> None:
    man = cockcroft_gault(60, 70, "M", serum_creatinine_umol_l=88.4)
    woman = cockcroft_gault(60, 70, "F", serum_creatinine_umol_l=88.4)
    assert man == pytest.approx(80 * 70 / 72)
    assert woman == pytest.approx(0.85 * man)


def test_cockcroft_gault_needs_exactly_one_creatinine() -> None:
    with pytest.raises(CapError, match="exactly one"):
        cockcroft_gault(50, 70, "M")
    with pytest.raises(CapError, match="exactly one"):
        cockcroft_gault(50, 70, "M", serum_creatinine_umol_l=80, serum_creatinine_mg_dl=0.9)


def test_cockcroft_gault_rejects_zero_creatinine_naming_the_field() -> None:
    with pytest.raises(CapError, match="serum_creatinine_umol_l"):
        cockcroft_gault(50, 70, "M", serum_creatinine_umol_l=0)
