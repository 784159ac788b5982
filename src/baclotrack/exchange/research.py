"""De-identified research export of a caseload: study ids, shifted dates, bands, and a k-anonymity report.

From the patient and diary tables of ``baclotrack endpoints`` / ``baclotrack trial`` this makes
tables of the same shape that carry no client code and no free text:

- patient ids become random study ids (S0001, S0002, ...) from a seeded numpy generator; the
  mapping is not part of the export. Rows are sorted by study id, so their order does not
  reveal the original order either.
- every date of a client (start date and diary dates) moves by one random offset per client,
  so intervals within a client, and therefore study days and every endpoint, are unchanged.
  By default the offset is a whole number of weeks, keeping the day of the week (weekend
  drinking is a pattern researchers study); see docs/decisions/0092-date-shift-in-weeks.md.
- birth year becomes a 5-year band ("1970-1974") and weight a 10 kg band with open ends
  ("<50", "120+"), top- and bottom-coded because extreme weights are rare and identifying.
- notes, side-effect details and any column not named in the output contract are dropped.

The k-anonymity report (Sweeney 2002, Int J Uncertain Fuzziness Knowl-Based Syst 10:557)
groups patients by quasi-identifiers (sex, age band = birth-year band, country) and lists
every equivalence class smaller than ``k`` (default 5, i.e. at most a 1-in-5 chance of
re-identifying a record by these fields; El Emam & Dankar 2008, J Am Med Inform Assoc 15:627).
Methods and caveats: docs/research-export.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import polars as pl

from baclotrack.core.diaryframe import (
    check_patients_known,
    validate_diary,
    validate_patients,
    with_default_country,
)
from baclotrack.core.errors import InputError

#: Columns of the de-identified tables, in order; optional ones appear when the input has them.
PATIENT_COLUMNS: Final = ("patient_id", "sex", "start_date", "country")
PATIENT_OPTIONAL: Final = ("arm", "dose_mg", "birth_year_band", "weight_band")
DIARY_COLUMNS: Final = ("patient_id", "date", "drinks")
DIARY_OPTIONAL: Final = ("dose_mg", "craving", "anxiety")

#: Largest date shift, in days either way (26 weeks): enough to hide calendar dates, small
#: enough to keep the season roughly (docs/research-export.md).
DEFAULT_MAX_SHIFT_DAYS: Final = 182
BIRTH_YEAR_BAND_YEARS: Final = 5
WEIGHT_BAND_KG: Final = 10
#: Weights below / at or above these are pooled into open bands (top- and bottom-coding).
WEIGHT_BOTTOM_KG: Final = 50
WEIGHT_TOP_KG: Final = 120
#: Default k of the k-anonymity check (El Emam & Dankar 2008; a parameter, as stricter
#: releases use more, e.g. re-identification probability 0.05 in El Emam et al. 2011,
#: BMC Med Inform Decis Mak 11:53).
DEFAULT_K: Final = 5
DEFAULT_QUASI_IDENTIFIERS: Final = ("sex", "birth_year_band", "country")


class ResearchExportError(InputError):
    """Input that cannot be de-identified (bad parameters or a column of the wrong type)."""


@dataclass(frozen=True)
class KAnonymityReport:
    """Equivalence classes of the quasi-identifiers and those smaller than ``k``."""

    quasi_identifiers: tuple[str, ...]
    k: int
    classes: pl.DataFrame

    @property
    def smallest_class(self) -> int:
        """Size of the smallest equivalence class (0 when there are no patients)."""
        return int(self.classes.select(pl.col("patients").min()).item()) if self.classes.height else 0

    @property
    def below_k(self) -> pl.DataFrame:
        """The classes with fewer than ``k`` patients: their members are at risk."""
        return self.classes.filter(pl.col("patients") < self.k)

    @property
    def satisfied(self) -> bool:
        return self.below_k.height == 0

    def summary(self) -> str:
        verdict = "satisfied" if self.satisfied else f"NOT satisfied: {self.below_k.height} classes below k"
        return (
            f"k-anonymity on {', '.join(self.quasi_identifiers)} with k={self.k}: {verdict}; "
            f"{self.classes.height} classes, the smallest has {self.smallest_class} patient(s)"
        )


@dataclass(frozen=True)
class ResearchExport:
    """De-identified PATIENTS and DIARY tables with their k-anonymity report (no id mapping)."""

    patients: pl.DataFrame
    diary: pl.DataFrame
    k_anonymity: KAnonymityReport

    def to_csv(self) -> dict[str, str]:
        """CSV text of the two tables, named as ``baclotrack endpoints`` and ``trial`` read them."""
        return {
            "PATIENTS.csv": self.patients.write_csv(null_value="", line_terminator="\n"),
            "DIARY.csv": self.diary.write_csv(null_value="", line_terminator="\n"),
        }


def k_anonymity(
    patients: pl.DataFrame, quasi_identifiers: tuple[str, ...] = DEFAULT_QUASI_IDENTIFIERS, k: int = DEFAULT_K
) -> KAnonymityReport:
    """Equivalence classes of ``quasi_identifiers`` in ``patients``; a blank value is its own value."""
    if k < 1:
        raise ResearchExportError(f"k: must be at least 1, got {k}")
    missing = [q for q in quasi_identifiers if q not in patients.columns]
    if missing:
        raise ResearchExportError(
            f"quasi-identifiers: column(s) {', '.join(missing)} not in the patient table"
        )
    classes = (
        patients.group_by(*quasi_identifiers)
        .len(name="patients")
        .sort("patients", *quasi_identifiers, nulls_last=True)
    )
    return KAnonymityReport(tuple(quasi_identifiers), k, classes)


def birth_year_band(birth_year: pl.Expr) -> pl.Expr:
    """5-year band of a birth year as text, e.g. 1972 -> "1970-1974"; blank stays blank."""
    low = (birth_year // BIRTH_YEAR_BAND_YEARS) * BIRTH_YEAR_BAND_YEARS
    return pl.format("{}-{}", low, low + BIRTH_YEAR_BAND_YEARS - 1)


def weight_band(weight_kg: pl.Expr) -> pl.Expr:
    """10 kg band of a weight as text ("60-69"), with "<50" and "120+" for the rare extremes."""
    low = (weight_kg // WEIGHT_BAND_KG * WEIGHT_BAND_KG).cast(pl.Int64)
    return (
        pl.when(weight_kg.is_null())
        .then(None)
        .when(weight_kg < WEIGHT_BOTTOM_KG)
        .then(pl.lit(f"<{WEIGHT_BOTTOM_KG}"))
        .when(weight_kg >= WEIGHT_TOP_KG)
        .then(pl.lit(f"{WEIGHT_TOP_KG}+"))
        .otherwise(pl.format("{}-{}", low, low + WEIGHT_BAND_KG - 1))
    )


def _check_inputs(patients: pl.DataFrame, diary: pl.DataFrame) -> pl.DataFrame:
    patients = with_default_country(patients)
    validate_patients(patients)
    validate_diary(diary, amount="drinks")
    check_patients_known(diary, patients)
    for column in ("birth_year", "weight_kg"):
        if column in patients.columns and not patients.schema[column].is_numeric():
            raise ResearchExportError(
                f"patients: column {column!r} must be numeric, got {patients.schema[column]}"
            )
    return patients


def _offsets(n: int, rng: np.random.Generator, max_shift_days: int, keep_weekday: bool) -> np.ndarray:
    if keep_weekday:
        weeks = max_shift_days // 7
        if weeks < 1:
            raise ResearchExportError(
                f"max_shift_days: at least 7 to shift by whole weeks, got {max_shift_days}"
            )
        return rng.integers(-weeks, weeks + 1, size=n) * 7
    if max_shift_days < 1:
        raise ResearchExportError(f"max_shift_days: must be at least 1, got {max_shift_days}")
    return rng.integers(-max_shift_days, max_shift_days + 1, size=n)


def deidentify(
    patients: pl.DataFrame,
    diary: pl.DataFrame,
    *,
    seed: int | None = None,
    max_shift_days: int = DEFAULT_MAX_SHIFT_DAYS,
    keep_weekday: bool = True,
    k: int = DEFAULT_K,
    quasi_identifiers: tuple[str, ...] | None = None,
) -> ResearchExport:
    """De-identified copies of ``patients`` and ``diary`` (the endpoints/trial tables).

    ``patients``: patient_id, sex, start_date, country (US when absent), optionally arm,
    dose_mg, birth_year, weight_kg; other columns are dropped. ``diary``: patient_id, date,
    drinks, optionally dose_mg, craving, anxiety; other columns (note, side effects) are dropped.
    ``quasi_identifiers`` default to sex, birth_year_band (when birth years are given) and country.
    ``seed`` fixes the study ids and date shifts (tests, reproducible releases kept by the data
    custodian); None draws fresh entropy from the operating system, so the export cannot be
    regenerated, let alone inverted, without the original data and the seed.
    """
    patients = _check_inputs(patients, diary)
    rng = np.random.default_rng(seed)
    n = patients.height
    width = max(4, len(str(n)))
    keys = pl.DataFrame(
        {
            "patient_id": patients.get_column("patient_id"),
            "__study_id__": [f"S{i:0{width}d}" for i in rng.permutation(n) + 1],
            "__shift__": pl.Series(_offsets(n, rng, max_shift_days, keep_weekday), dtype=pl.Int64),
        }
    )
    shift = pl.duration(days=pl.col("__shift__"))
    out_patients = patients.join(keys, on="patient_id", how="left").with_columns(
        patient_id=pl.col("__study_id__"), start_date=pl.col("start_date") + shift
    )
    if "birth_year" in out_patients.columns:
        out_patients = out_patients.with_columns(
            birth_year_band=birth_year_band(pl.col("birth_year").cast(pl.Int64))
        )
    if "weight_kg" in out_patients.columns:
        out_patients = out_patients.with_columns(
            weight_band=weight_band(pl.col("weight_kg").cast(pl.Float64))
        )
    out_patients = out_patients.select(
        *PATIENT_COLUMNS, *(c for c in PATIENT_OPTIONAL if c in out_patients.columns)
    ).sort("patient_id")
    out_diary = (
        diary.join(keys, on="patient_id", how="left")
        .with_columns(patient_id=pl.col("__study_id__"), date=pl.col("date") + shift)
        .select(*DIARY_COLUMNS, *(c for c in DIARY_OPTIONAL if c in diary.columns))
        .sort("patient_id", "date")
    )
    if quasi_identifiers is None:
        # Without birth years there is no age band to release, hence none to check.
        quasi_identifiers = tuple(q for q in DEFAULT_QUASI_IDENTIFIERS if q in out_patients.columns)
    return ResearchExport(out_patients, out_diary, k_anonymity(out_patients, quasi_identifiers, k))
