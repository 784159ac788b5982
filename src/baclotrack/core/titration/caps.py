"""Dose caps: protocol ceilings, regulatory caps, a prescriber's maximum, and renal reduction.

The effective cap on a day is the lowest of every cap that applies; a plan never exceeds it
and every capped day names the cap's rule and source. Renal reduction follows Vlavonou et
al. 2014 (J Clin Pharmacol 54:584-592, doi:10.1002/jcph.247): a single-dose pharmacokinetic
study in chronic kidney disease, grouped by Cockcroft-Gault creatinine clearance
(>80, 50-80, 30-50, <30 ml/min), which suggests mean dose reductions of 1/3, 1/2 and 2/3
for mild, moderate and severe impairment to keep exposure equal to normal renal function.
Labels say only "reduce with caution"; the French label suggests about 5 mg/day on dialysis.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final

from baclotrack.core.errors import InputError
from baclotrack.core.guidelines import Country, Sex
from baclotrack.core.i18n import N_, Message
from baclotrack.core.titration.protocols import Protocol


class CapError(InputError):
    """A cap, clearance or laboratory value that cannot be right."""


@dataclass(frozen=True, slots=True)
class Cap:
    """A maximum daily dose, with the rule that sets it.

    ``label_message`` names the cap as a translatable message (decision 0170), so that a page
    can translate it before it goes into a plan note or an alert; ``label`` is it in English.
    ``jurisdiction`` is set on a regulatory cap applied because of where the client is
    prescribed (:func:`regulatory_caps_for_jurisdiction`).
    """

    rule_id: str
    mg_per_day: float
    label_message: Message
    source: str
    #: The prescribing jurisdiction a regulatory cap was applied for (None for other caps).
    jurisdiction: str | None = None

    def __post_init__(self) -> None:
        if not math.isfinite(self.mg_per_day) or self.mg_per_day <= 0:
            raise CapError(f"cap {self.rule_id}: must be a positive number of mg/day, got {self.mg_per_day}")

    @property
    def label(self) -> str:
        """The cap's name in English, such as "FR-2017 regulatory cap (ANSM, 24 July 2017)"."""
        return self.label_message.text()

    def describe(self) -> str:
        """Such as "capped at 80 mg/day: FR-2017 regulatory cap (ANSM, 24 July 2017)"."""
        return self.describe_message().text()

    def describe_message(self) -> Message:
        """:meth:`describe` as a translatable message."""
        return Message(
            N_("capped at {cap:.4g} mg/day: {label}"), {"cap": self.mg_per_day, "label": self.label_message}
        )


#: Regulatory caps, as data. France: the 2014 RTU allowed up to 300 mg/day; on 24 July 2017
#: ANSM lowered the maximum to 80 mg/day after the CNAMTS/ANSM/INSERM cohort found doses
#: above 180 mg/day associated with more than double mortality (ANSM letter to health
#: professionals, 25 July 2017). Baclocur (authorised 22 October 2018) is labelled up to 80 mg/day.
REGULATORY_CAPS: Final[dict[str, Cap]] = {
    c.rule_id.lower(): c
    for c in (
        Cap(
            "FR-RTU-2014",
            300.0,
            Message(N_("FR-RTU-2014 regulatory cap (ANSM RTU, March 2014)")),
            "ANSM, RTU baclofène dans l'alcoolo-dépendance, March 2014 (maximum 300 mg/day)",
        ),
        Cap(
            "FR-2017",
            80.0,
            Message(N_("FR-2017 regulatory cap (ANSM, 24 July 2017)")),
            "ANSM, revised RTU and letter to health professionals, 24-25 July 2017 (maximum 80 mg/day)",
        ),
        Cap(
            "BACLOCUR-LABEL",
            80.0,
            Message(N_("BACLOCUR-LABEL cap (Baclocur SmPC, 2018)")),
            "Baclocur SmPC section 4.2, ANSM 22 October 2018 (maximum 80 mg/day)",
        ),
    )
}


class Jurisdiction(StrEnum):
    """The country whose rules govern the prescription: the prescribing jurisdiction.

    It is not the country whose standard drink the diary counts in
    (:class:`~baclotrack.core.guidelines.Country`): a client treated in Belgium may count French
    drinks, a client treated in France may use WHO drinks (decision 0175). Codes are ISO 3166-1
    alpha-2, except UK (spelt as in :class:`~baclotrack.core.guidelines.Country`) and ZZ, ISO's
    code for an unknown or unlisted region: no country-specific cap is known there.
    """

    AU = "AU"
    BE = "BE"
    CA = "CA"
    CH = "CH"
    DE = "DE"
    ES = "ES"
    FR = "FR"
    IT = "IT"
    LU = "LU"
    NL = "NL"
    UK = "UK"
    US = "US"
    ZZ = "ZZ"


#: Jurisdiction assumed where none is stated (a patient file or context without one): the
#: United States, like :data:`~baclotrack.core.guidelines.DEFAULT_COUNTRY`; no AUD cap applies.
DEFAULT_JURISDICTION: Final = Jurisdiction.US


def jurisdiction_of_drink_country(country: Country) -> Jurisdiction:
    """The jurisdiction a client is assumed to be prescribed in when only the standard-drink
    country is known: the same country, or ZZ for the WHO drink (which is no country's law)."""
    return Jurisdiction.ZZ if country is Country.WHO else Jurisdiction(country.value)


def parse_jurisdiction(code: str | Jurisdiction) -> Jurisdiction:
    """``code`` (any case, surrounding blanks ignored) as a :class:`Jurisdiction`."""
    try:
        return Jurisdiction(str(code).strip().upper())
    except ValueError:
        known = ", ".join(j.value for j in Jurisdiction)
        raise CapError(f"prescribing country: unknown code {code!r} (known: {known})") from None


#: The regulatory caps in force for baclofen in alcohol use disorder, by prescribing
#: jurisdiction. France: the 2017 cap (80 mg/day, also the Baclocur label). No other
#: jurisdiction in :class:`Jurisdiction` has an AUD-specific cap; there the highest-studied cap
#: below still applies in the safety rules.
JURISDICTION_REGULATORY_CAPS: Final[dict[Jurisdiction, tuple[str, ...]]] = {Jurisdiction.FR: ("fr-2017",)}

#: The highest daily dose studied in trials and the highest any protocol here schedules:
#: 300 mg/day (Bacloville, Rigal/Jaury 2020, Addiction 115:1265, up to 300 mg/day; Ameisen
#: 2005 ceiling; French RTU 2014). The safety rules treat doses above it as above a cap.
HIGHEST_STUDIED_MG_PER_DAY: Final = 300.0
HIGHEST_STUDIED_CAP: Final = Cap(
    "HIGHEST-STUDIED",
    HIGHEST_STUDIED_MG_PER_DAY,
    Message(
        N_("HIGHEST-STUDIED cap (no trial has studied more than {cap:g} mg/day)"),
        {"cap": HIGHEST_STUDIED_MG_PER_DAY},
    ),
    "Rigal/Jaury 2020 Bacloville, Addiction 115:1265 (up to 300 mg/day); Ameisen 2005; ANSM RTU 2014",
)


def regulatory_caps_for_jurisdiction(jurisdiction: Jurisdiction) -> tuple[Cap, ...]:
    """Regulatory caps in force where the client is prescribed (empty where none is known).

    Each cap's label names the jurisdiction, so that an alert quoting it says why it applies
    ("FR-2017 regulatory cap (ANSM, 24 July 2017); prescribing country: FR").
    """
    return tuple(
        replace(
            REGULATORY_CAPS[cap_id],
            label_message=Message(
                N_("{cap}; prescribing country: {jurisdiction}"),
                {"cap": REGULATORY_CAPS[cap_id].label_message, "jurisdiction": jurisdiction.value},
            ),
            jurisdiction=jurisdiction.value,
        )
        for cap_id in JURISDICTION_REGULATORY_CAPS.get(jurisdiction, ())
    )


def standing_caps(jurisdiction: Jurisdiction) -> tuple[Cap, ...]:
    """The caps that hold for every client prescribed in ``jurisdiction``, whatever the protocol or
    the prescriber: the highest dose studied and the jurisdiction's regulatory caps. The rules check
    doses against them and plans are generated under them (the same list, decision 0175)."""
    return (HIGHEST_STUDIED_CAP, *regulatory_caps_for_jurisdiction(jurisdiction))


def get_regulatory_cap(cap_id: str) -> Cap:
    """Regulatory cap by id (fr-rtu-2014, fr-2017, baclocur-label)."""
    try:
        return REGULATORY_CAPS[cap_id.strip().lower()]
    except KeyError:
        known = ", ".join(REGULATORY_CAPS)
        raise CapError(f"regulatory cap: unknown cap {cap_id!r} (known: {known})") from None


def user_cap(mg_per_day: float) -> Cap:
    """A prescriber's own maximum for this client."""
    if not math.isfinite(mg_per_day) or mg_per_day <= 0:
        not_positive = N_("max_mg_per_day: must be a positive number, got {dose}")
        raise CapError.said(Message(not_positive, {"dose": mg_per_day}))
    label = Message(N_("the prescriber's maximum for this client"))
    return Cap("USER-MAX", float(mg_per_day), label, "prescriber")


def protocol_caps(protocol: Protocol, weight_kg: float | None = None) -> list[Cap]:
    """The protocol's own ceiling, and its weight-based ceiling when the weight is known."""
    caps = [
        Cap(
            f"CEILING-{protocol.id.upper()}",
            protocol.ceiling_mg_per_day,
            Message(N_("protocol ceiling, {protocol}"), {"protocol": Message(protocol.name)}),
            protocol.source,
        )
    ]
    if protocol.ceiling_mg_per_kg is not None and weight_kg is not None:
        caps.append(
            Cap(
                f"CEILING-PER-KG-{protocol.id.upper()}",
                protocol.ceiling_mg_per_kg * weight_kg,
                Message(
                    N_("protocol ceiling of {per_kg:g} mg/kg at {weight:g} kg, {protocol}"),
                    {
                        "per_kg": protocol.ceiling_mg_per_kg,
                        "weight": weight_kg,
                        "protocol": Message(protocol.name),
                    },
                ),
                protocol.source,
            )
        )
    return caps


def effective_cap(caps: Sequence[Cap]) -> Cap:
    """The lowest cap; on a tie the first listed wins (its rule is the one named)."""
    if not caps:
        raise CapError("caps: at least one cap is needed")
    return min(caps, key=lambda c: c.mg_per_day)


@dataclass(frozen=True, slots=True)
class RenalBand:
    """A clearance band, ``above_ml_min`` < CrCl <= ``up_to_ml_min``: dose times ``dose_fraction``.

    ``name`` and ``reduction`` are English literals marked for translation (decision 0170).
    """

    rule_id: str
    above_ml_min: float
    up_to_ml_min: float
    dose_fraction: float
    name: str
    reduction: str

    def describe(self, crcl_ml_min: float) -> str:
        """Such as "dose halved for CrCl 40 ml/min (RENAL-MODERATE: moderate renal impairment, ...)"."""
        return self.describe_message(crcl_ml_min).text()

    def describe_message(self, crcl_ml_min: float) -> Message:
        """:meth:`describe` as a translatable message."""
        return Message(
            N_("dose {reduction} for CrCl {crcl:g} ml/min ({rule}: {band}, Vlavonou 2014)"),
            {
                "reduction": Message(self.reduction),
                "crcl": crcl_ml_min,
                "rule": self.rule_id,
                "band": Message(self.name),
            },
        )

    def contains(self, crcl_ml_min: float) -> bool:
        return self.above_ml_min < crcl_ml_min <= self.up_to_ml_min


RENAL_SOURCE: Final = (
    "Vlavonou R et al. Pharmacokinetic characterization of baclofen in patients with chronic kidney "
    "disease: dose adjustment recommendations. J Clin Pharmacol 2014;54:584-592, doi:10.1002/jcph.247"
)

#: Vlavonou 2014 bands. The paper's groups share their edges (50-80 and 30-50 both name 50);
#: baclotrack puts each edge in the band with the larger reduction (upper bounds inclusive),
#: so a clearance of exactly 50 ml/min halves the dose (docs/decisions/0030-renal-bands.md).
RENAL_BANDS: Final[tuple[RenalBand, ...]] = (
    RenalBand("RENAL-MILD", 50.0, 80.0, 2.0 / 3.0, N_("mild renal impairment"), N_("reduced by a third")),
    RenalBand("RENAL-MODERATE", 30.0, 50.0, 1.0 / 2.0, N_("moderate renal impairment"), N_("halved")),
    RenalBand(
        "RENAL-SEVERE", -math.inf, 30.0, 1.0 / 3.0, N_("severe renal impairment"), N_("reduced by two thirds")
    ),
)

#: On dialysis: about 5 mg/day (French baclofen label, "insuffisant rénal et hémodialysé: environ
#: 5 mg/j"; FACTS.md, from Vlavonou 2014's discussion).
DIALYSIS_MG_PER_DAY: Final = 5.0

#: Clearances above this are not physiological for an adult and are rejected as typing errors.
MAX_PLAUSIBLE_CRCL_ML_MIN: Final = 250.0


def validate_crcl(crcl_ml_min: float) -> float:
    if not math.isfinite(crcl_ml_min) or not 0 <= crcl_ml_min <= MAX_PLAUSIBLE_CRCL_ML_MIN:
        limit = MAX_PLAUSIBLE_CRCL_ML_MIN
        outside = N_("crcl: creatinine clearance must be between 0 and {limit:g} ml/min, got {crcl}")
        raise CapError.said(Message(outside, {"limit": limit, "crcl": crcl_ml_min}))
    return float(crcl_ml_min)


def renal_band(crcl_ml_min: float, bands: Sequence[RenalBand] = RENAL_BANDS) -> RenalBand | None:
    """The reduction band for a Cockcroft-Gault clearance; None above 80 ml/min."""
    crcl = validate_crcl(crcl_ml_min)
    return next((b for b in bands if b.contains(crcl)), None)


def renal_cap(
    crcl_ml_min: float | None,
    normal_function_cap_mg: float,
    *,
    dialysis: bool = False,
    bands: Sequence[RenalBand] = RENAL_BANDS,
) -> Cap | None:
    """The renal cap: the cap for normal renal function times the band's dose fraction.

    ``normal_function_cap_mg`` is the lowest of the other caps (the most a client with normal
    kidneys could take), so the renal cap keeps exposure at or below that.
    """
    if dialysis:
        return Cap(
            "RENAL-DIALYSIS",
            DIALYSIS_MG_PER_DAY,
            Message(
                N_("on dialysis: about {dose:g} mg/day (French label; Vlavonou 2014)"),
                {"dose": DIALYSIS_MG_PER_DAY},
            ),
            RENAL_SOURCE,
        )
    if crcl_ml_min is None:
        return None
    band = renal_band(crcl_ml_min, bands)
    if band is None:
        return None
    return Cap(
        band.rule_id,
        normal_function_cap_mg * band.dose_fraction,
        Message(
            N_("renal cap, {cap:.4g} mg/day with the {renal}"),
            {"cap": normal_function_cap_mg, "renal": band.describe_message(crcl_ml_min)},
        ),
        RENAL_SOURCE,
    )


#: µmol/l of creatinine in 1 mg/dl (molar mass of creatinine 113.12 g/mol).
CREATININE_UMOL_PER_MG_DL: Final = 88.4


def cockcroft_gault(
    age_years: float,
    weight_kg: float,
    sex: Sex,
    *,
    serum_creatinine_umol_l: float | None = None,
    serum_creatinine_mg_dl: float | None = None,
) -> float:
    """Creatinine clearance in ml/min by Cockcroft-Gault.

    CrCl = (140 - age) x weight / (72 x serum creatinine in mg/dl), x 0.85 for women.
    Source: Cockcroft DW, Gault MH. Prediction of creatinine clearance from serum creatinine.
    Nephron 1976;16:31-41. Give exactly one creatinine, in µmol/l or in mg/dl.

    >>> round(cockcroft_gault(40, 72, "M", serum_creatinine_mg_dl=1.0), 1)
    100.0
    """
    if (serum_creatinine_umol_l is None) == (serum_creatinine_mg_dl is None):
        raise CapError(
            "serum creatinine: give exactly one of serum_creatinine_umol_l or serum_creatinine_mg_dl"
        )
    if not 18 <= age_years <= 120:
        raise CapError(f"age: Cockcroft-Gault is for adults aged 18-120 years, got {age_years}")
    if not 20 <= weight_kg <= 400:
        raise CapError(f"weight_kg: must be between 20 and 400 kg, got {weight_kg}")
    if sex not in ("F", "M"):
        raise CapError(f"sex: must be 'F' or 'M', got {sex!r}")
    if serum_creatinine_umol_l is not None:
        field, value = "serum_creatinine_umol_l", serum_creatinine_umol_l
        mg_dl = serum_creatinine_umol_l / CREATININE_UMOL_PER_MG_DL
    else:
        assert serum_creatinine_mg_dl is not None
        field, value = "serum_creatinine_mg_dl", serum_creatinine_mg_dl
        mg_dl = serum_creatinine_mg_dl
    if not math.isfinite(mg_dl) or mg_dl <= 0:
        raise CapError(f"{field}: must be a positive number, got {value}")
    crcl = (140.0 - age_years) * weight_kg / (72.0 * mg_dl)
    return crcl * 0.85 if sex == "F" else crcl
