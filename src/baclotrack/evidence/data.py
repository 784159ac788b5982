"""The bundled dataset of randomised baclofen trials for alcohol use disorder, validated on load.

``trials.csv`` (next to this module) holds one row per trial arm. Every number in it carries the
place it was read from in a ``*_source`` column (``design_source`` for the design numbers); a
number that could not be traced is left blank. See docs/evidence.md for the trials, what each
contributes, what is missing and why, and how to add a trial.

Three entry points:

* :func:`parse_trials` turns CSV text into validated :class:`TrialArm` records (pure: no I/O);
* :func:`load_trials` reads the bundled file (or another copy) and parses it;
* :func:`outcome_table` turns the arms into one row per treatment-vs-control comparison, the shape
  a meta-analysis engine (R's ``metafor::escalc``, or baclotrack.analysis.meta) takes.

Multi-arm trials (several baclofen doses against one placebo arm) are handled as the Cochrane
Handbook, section 23.3.4, advises by default: the shared control group is split evenly between
the comparisons so that no participant is counted twice; ``multi_arm="split_whole"`` does the same in
whole participants (docs/decisions/0050-multi-arm-trials.md).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Final, Literal

import polars as pl

from baclotrack.core.errors import InputError

#: Dichotomous outcomes: participants with the event out of participants analysed.
#: return_to_drinking: any drinking during treatment (Cochrane 2023 "relapse" outcome).
#: abstinence: total abstinence over the trial's abstinence window.
#: dropout: did not complete treatment; dropout_adverse_event: stopped because of adverse events;
#: any_adverse_event: at least one adverse event (Agabio et al. 2023, CD012557.pub3, outcomes 1-6).
BINARY_OUTCOMES: Final[tuple[str, ...]] = (
    "return_to_drinking",
    "abstinence",
    "dropout",
    "dropout_adverse_event",
    "any_adverse_event",
)
#: Continuous outcomes summarised per arm by mean, SD and n. Percentages are 0-100.
CONTINUOUS_OUTCOMES: Final[tuple[str, ...]] = (
    "percent_days_abstinent",
    "percent_heavy_drinking_days",
    "drinks_per_drinking_day",
)
#: Every outcome id the dataset knows.
OUTCOMES: Final[tuple[str, ...]] = BINARY_OUTCOMES + CONTINUOUS_OUTCOMES

#: Outcomes whose mean is a percentage of days and must lie in 0-100.
_PERCENT_OUTCOMES: Final = frozenset({"percent_days_abstinent", "percent_heavy_drinking_days"})

#: Population labels and what they mean. A trial's population is its inclusion criterion beyond
#: alcohol dependence / AUD (DSM-IV or ICD-10), as stated in the trial's abstract.
POPULATIONS: Final[Mapping[str, str]] = {
    "general": "alcohol dependence / AUD without a required comorbidity",
    "cirrhosis": "alcohol dependence with liver cirrhosis",
    "liver_disease_mixed": "alcohol dependence with or without alcohol-related liver disease",
    "hepatitis_c": "AUD with chronic hepatitis C",
    "smokers": "alcohol dependence with nicotine dependence",
    "affective_disorder": "alcohol dependence with secondary anxiety or depression",
}

ArmRole = Literal["baclofen", "placebo", "active_comparator"]
Regimen = Literal["fixed", "titrated"]
MultiArmRule = Literal["split", "split_whole", "separate"]

# Keyed by the CSV text so that a lookup both validates and narrows to the Literal type.
_ARM_ROLES: Final[dict[str, ArmRole]] = {r: r for r in ("baclofen", "placebo", "active_comparator")}
_REGIMENS: Final[dict[str, Regimen]] = {"fixed": "fixed", "titrated": "titrated"}

#: The bundled data file, shipped as package data.
DATA_FILE: Final = "trials.csv"

_DESIGN_COLUMNS: Final = (
    "trial_id",
    "study",
    "arm",
    "arm_role",
    "control_arm",
    "year",
    "citation",
    "doi",
    "pmid",
    "registry",
    "source_url",
    "population",
    "comparator",
    "regimen",
    "target_mg",
    "max_mg",
    "mean_achieved_mg",
    "duration_weeks",
    "n_randomised",
    "design_source",
)
#: Design numbers that ``design_source`` must account for.
_DESIGN_NUMBERS: Final = ("target_mg", "max_mg", "mean_achieved_mg", "duration_weeks", "n_randomised")


def _outcome_columns() -> tuple[str, ...]:
    columns: list[str] = []
    for outcome in ("return_to_drinking", "abstinence"):
        columns += [f"{outcome}_events", f"{outcome}_n", f"{outcome}_source"]
    for outcome in CONTINUOUS_OUTCOMES:
        columns += [f"{outcome}_mean", f"{outcome}_sd", f"{outcome}_n", f"{outcome}_source"]
    for outcome in ("dropout", "dropout_adverse_event", "any_adverse_event"):
        columns += [f"{outcome}_events", f"{outcome}_n", f"{outcome}_source"]
    return tuple(columns)


#: The CSV header, in order. A copy with missing, extra or reordered columns is refused.
COLUMNS: Final[tuple[str, ...]] = (*_DESIGN_COLUMNS, *_outcome_columns(), "notes")


class EvidenceDataError(InputError):
    """The trial dataset is malformed. The message names the file, line and column."""


@dataclass(frozen=True, slots=True)
class BinaryCount:
    """Participants with the event (``events``) out of participants analysed (``n``)."""

    events: int
    n: int
    source: str


@dataclass(frozen=True, slots=True)
class ContinuousSummary:
    """An arm's summary of a continuous outcome; any part may be missing (not reported)."""

    mean: float | None
    sd: float | None
    n: int | None
    source: str

    @property
    def complete(self) -> bool:
        """True when mean, SD and n are all known, i.e. the arm can enter a meta-analysis."""
        return self.mean is not None and self.sd is not None and self.n is not None


@dataclass(frozen=True, slots=True)
class TrialArm:
    """One arm of one randomised trial, with its design and the outcomes it reports."""

    trial_id: str
    study: str
    arm: str
    arm_role: ArmRole
    control_arm: str | None
    year: int
    citation: str
    doi: str | None
    pmid: str | None
    registry: str | None
    source_url: str | None
    population: str
    comparator: str
    regimen: Regimen | None
    target_mg: float | None
    max_mg: float | None
    mean_achieved_mg: float | None
    duration_weeks: float | None
    n_randomised: int | None
    design_source: str
    binary: Mapping[str, BinaryCount]
    continuous: Mapping[str, ContinuousSummary]
    notes: str

    @property
    def dose_mg(self) -> float | None:
        """Mean achieved daily dose when reported, else the target dose (mg/day)."""
        return self.mean_achieved_mg if self.mean_achieved_mg is not None else self.target_mg

    def has_outcome(self, outcome: str) -> bool:
        """True when this arm reports anything for ``outcome``."""
        return outcome in self.binary or outcome in self.continuous


class _Row:
    """One CSV record with helpers that raise errors naming the file, line and column."""

    def __init__(self, record: Mapping[str, str], line: int, source_name: str) -> None:
        self._record = record
        self.line = line
        self._source_name = source_name

    def error(self, column: str, problem: str) -> EvidenceDataError:
        return EvidenceDataError(f"{self._source_name}: line {self.line}, column '{column}': {problem}")

    def text(self, column: str) -> str | None:
        value = self._record[column].strip()
        return value or None

    def required(self, column: str) -> str:
        value = self.text(column)
        if value is None:
            raise self.error(column, "is blank but required")
        return value

    def number(self, column: str, *, minimum: float = 0.0) -> float | None:
        value = self.text(column)
        if value is None:
            return None
        try:
            number = float(value)
        except ValueError:
            raise self.error(column, f"{value!r} is not a number") from None
        if not number >= minimum:  # also rejects NaN
            raise self.error(column, f"{value} is below the minimum {minimum:g}")
        return number

    def count(self, column: str, *, minimum: int = 0) -> int | None:
        value = self.text(column)
        if value is None:
            return None
        if not (value.isascii() and value.isdigit()):
            raise self.error(column, f"{value!r} is not a whole number")
        number = int(value)
        if number < minimum:
            raise self.error(column, f"{number} is below the minimum {minimum}")
        return number

    def choice(self, column: str, allowed: Iterable[str]) -> str | None:
        value = self.text(column)
        options = tuple(allowed)
        if value is not None and value not in options:
            raise self.error(column, f"{value!r} is not one of {', '.join(options)}")
        return value


def _require_source(
    row: _Row, source_column: str, number_columns: Sequence[str], *, orphan_ok: bool = False
) -> str:
    """The source text for a group of numbers; blank is an error when any number is present.

    An outcome source with no numbers is refused too (a sign of a half-entered row), unless
    ``orphan_ok``: the design source may also describe an arm whose numbers were not reported.
    """
    source = row.text(source_column)
    present = [c for c in number_columns if row.text(c) is not None]
    if present and source is None:
        raise row.error(
            source_column, f"is blank but {present[0]} has a value: every number needs its source"
        )
    if source is not None and not present and not orphan_ok:
        raise row.error(source_column, "names a source but the numbers it describes are all blank")
    return source or ""


def _parse_binary(row: _Row, outcome: str) -> BinaryCount | None:
    events_col, n_col = f"{outcome}_events", f"{outcome}_n"
    source = _require_source(row, f"{outcome}_source", (events_col, n_col))
    events, n = row.count(events_col), row.count(n_col, minimum=1)
    if events is None and n is None:
        return None
    if events is None or n is None:
        missing = events_col if events is None else n_col
        raise row.error(missing, "is blank but its pair is given: give both events and n, or neither")
    if events > n:
        raise row.error(events_col, f"{events} events exceed n = {n}")
    return BinaryCount(events=events, n=n, source=source)


def _parse_continuous(row: _Row, outcome: str) -> ContinuousSummary | None:
    mean_col, sd_col, n_col = f"{outcome}_mean", f"{outcome}_sd", f"{outcome}_n"
    source = _require_source(row, f"{outcome}_source", (mean_col, sd_col, n_col))
    mean, sd, n = row.number(mean_col), row.number(sd_col), row.count(n_col, minimum=1)
    if mean is None and sd is None and n is None:
        return None
    if outcome in _PERCENT_OUTCOMES and mean is not None and mean > 100:
        raise row.error(mean_col, f"{mean:g} is not a percentage (0-100)")
    return ContinuousSummary(mean=mean, sd=sd, n=n, source=source)


def _parse_identifiers(row: _Row) -> tuple[str | None, str | None, str | None, str | None]:
    doi, pmid, registry, url = row.text("doi"), row.text("pmid"), row.text("registry"), row.text("source_url")
    if pmid is not None and not pmid.isdigit():
        raise row.error("pmid", f"{pmid!r} is not a PubMed id (digits only)")
    if doi is not None and not doi.startswith("10."):
        raise row.error("doi", f"{doi!r} is not a DOI (starts with '10.')")
    if doi is None and pmid is None and registry is None and url is None:
        raise row.error("doi", "the trial needs at least one of doi, pmid, registry or source_url")
    return doi, pmid, registry, url


def _parse_arm(row: _Row) -> TrialArm:
    role = row.choice("arm_role", _ARM_ROLES)
    if role is None:
        raise row.error("arm_role", f"is blank but required (one of {', '.join(_ARM_ROLES)})")
    population = row.choice("population", POPULATIONS)
    if population is None:
        raise row.error("population", f"is blank but required (one of {', '.join(POPULATIONS)})")
    regimen = row.choice("regimen", _REGIMENS)
    if role == "baclofen" and regimen is None and row.text("target_mg") is not None:
        raise row.error("regimen", "is blank for a baclofen arm with a target dose (fixed or titrated)")
    if role != "baclofen" and regimen is not None:
        raise row.error("regimen", f"is set for a {role} arm; only baclofen arms have a regimen")
    year = row.count("year", minimum=1900)
    if year is None:
        raise row.error("year", "is blank but required")
    doi, pmid, registry, url = _parse_identifiers(row)
    design_source = _require_source(row, "design_source", _DESIGN_NUMBERS, orphan_ok=True)
    target, maximum = row.number("target_mg"), row.number("max_mg")
    if target is not None and maximum is not None and target > maximum:
        raise row.error("target_mg", f"target {target:g} mg exceeds the maximum {maximum:g} mg")
    binary = {o: c for o in BINARY_OUTCOMES if (c := _parse_binary(row, o)) is not None}
    continuous = {o: s for o in CONTINUOUS_OUTCOMES if (s := _parse_continuous(row, o)) is not None}
    n_randomised = row.count("n_randomised", minimum=1)
    if n_randomised is not None:
        for outcome, count in binary.items():
            if count.n > n_randomised:
                raise row.error(f"{outcome}_n", f"n = {count.n} exceeds the {n_randomised} randomised")
    return TrialArm(
        trial_id=row.required("trial_id"),
        study=row.required("study"),
        arm=row.required("arm"),
        arm_role=_ARM_ROLES[role],
        control_arm=row.text("control_arm"),
        year=year,
        citation=row.required("citation"),
        doi=doi,
        pmid=pmid,
        registry=registry,
        source_url=url,
        population=population,
        comparator=row.required("comparator"),
        regimen=None if regimen is None else _REGIMENS[regimen],
        target_mg=target,
        max_mg=maximum,
        mean_achieved_mg=row.number("mean_achieved_mg"),
        duration_weeks=row.number("duration_weeks"),
        n_randomised=n_randomised,
        design_source=design_source,
        # Read-only views, so a frozen TrialArm cannot have its outcomes edited in place.
        binary=MappingProxyType(binary),
        continuous=MappingProxyType(continuous),
        notes=row.text("notes") or "",
    )


def _check_trial_consistency(arms: Sequence[TrialArm], lines: Sequence[int], source_name: str) -> None:
    """Arms of one trial agree on trial facts; control arms exist and are placebo arms."""
    by_trial: dict[str, list[int]] = {}
    seen: dict[tuple[str, str], int] = {}
    for index, arm in enumerate(arms):
        key = (arm.trial_id, arm.arm)
        if key in seen:
            raise EvidenceDataError(
                f"{source_name}: line {lines[index]}, column 'arm': {arm.arm!r} repeats the arm on line "
                f"{seen[key]} of trial {arm.trial_id!r}"
            )
        seen[key] = lines[index]
        by_trial.setdefault(arm.trial_id, []).append(index)
    for indices in by_trial.values():
        first = arms[indices[0]]
        roles = {arms[i].arm: arms[i].arm_role for i in indices}
        for i in indices:
            arm, where = arms[i], f"{source_name}: line {lines[i]}"
            for field in ("study", "year", "citation", "population"):
                if getattr(arm, field) != getattr(first, field):
                    raise EvidenceDataError(
                        f"{where}, column '{field}': differs from line {lines[indices[0]]} of the same trial"
                    )
            if arm.arm_role == "baclofen" and arm.control_arm is None:
                raise EvidenceDataError(
                    f"{where}, column 'control_arm': a baclofen arm must name its control arm"
                )
            if arm.arm_role != "baclofen" and arm.control_arm is not None:
                raise EvidenceDataError(
                    f"{where}, column 'control_arm': only baclofen arms name a control arm"
                )
            if arm.control_arm is not None and roles.get(arm.control_arm) != "placebo":
                raise EvidenceDataError(
                    f"{where}, column 'control_arm': {arm.control_arm!r} "
                    f"is not a placebo arm of {arm.trial_id!r}"
                )


def parse_trials(text: str, source_name: str = DATA_FILE) -> list[TrialArm]:
    """Validate CSV ``text`` and return its arms, in file order.

    Raises :class:`EvidenceDataError` naming ``source_name``, the line and the column of the first
    problem: an unknown or missing column, a bad number, events above n, a negative SD, a number
    without its source, an unknown population, or arms of one trial that disagree.
    """
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    header = tuple(reader.fieldnames or ())
    if header != COLUMNS:
        missing = [c for c in COLUMNS if c not in header]
        extra = [c for c in header if c not in COLUMNS]
        what = (
            f"missing column '{missing[0]}'"
            if missing
            else f"unknown column '{extra[0]}'"
            if extra
            else "columns are out of order"
        )
        raise EvidenceDataError(f"{source_name}: line 1: {what}; expected: {', '.join(COLUMNS)}")
    arms: list[TrialArm] = []
    lines: list[int] = []
    try:
        for record in reader:
            if None in record or any(v is None for v in record.values()):
                raise EvidenceDataError(f"{source_name}: line {reader.line_num}: wrong number of fields")
            arms.append(_parse_arm(_Row(record, reader.line_num, source_name)))
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise EvidenceDataError(f"{source_name}: line {reader.line_num}: {exc}") from None
    _check_trial_consistency(arms, lines, source_name)
    return arms


def load_trials(path: Path | str | None = None) -> list[TrialArm]:
    """The bundled trial arms (or those in the CSV at ``path``), validated."""
    if path is None:
        text = resources.files("baclotrack.evidence").joinpath(DATA_FILE).read_text(encoding="utf-8")
        return parse_trials(text, DATA_FILE)
    file = Path(path)
    return parse_trials(file.read_text(encoding="utf-8"), str(file))


_BINARY_SCHEMA: Final = {"events_t": pl.Float64, "n_t": pl.Float64, "events_c": pl.Float64, "n_c": pl.Float64}
_CONTINUOUS_SCHEMA: Final = {
    "mean_t": pl.Float64,
    "sd_t": pl.Float64,
    "n_t": pl.Float64,
    "mean_c": pl.Float64,
    "sd_c": pl.Float64,
    "n_c": pl.Float64,
}
_COMMON_SCHEMA: Final = {
    "dose_mg": pl.Float64,
    "dose_basis": pl.String,
    "population": pl.String,
    "regimen": pl.String,
    "year": pl.Int64,
    "control_share": pl.Int64,
    "source_t": pl.String,
    "source_c": pl.String,
}


def _has_data(arm: TrialArm, outcome: str) -> bool:
    if outcome in BINARY_OUTCOMES:
        return outcome in arm.binary
    summary = arm.continuous.get(outcome)
    return summary is not None and summary.complete


def _comparisons(arms: Sequence[TrialArm], outcome: str) -> list[tuple[TrialArm, TrialArm]]:
    """(baclofen arm, its placebo arm) pairs where both arms report ``outcome`` in full."""
    index = {(a.trial_id, a.arm): a for a in arms}
    pairs = []
    for arm in arms:
        if arm.arm_role != "baclofen" or arm.control_arm is None:
            continue
        control = index.get((arm.trial_id, arm.control_arm))
        if control is None:
            raise EvidenceDataError(
                f"trial {arm.trial_id!r}: control arm {arm.control_arm!r} is not in the data"
            )
        if _has_data(arm, outcome) and _has_data(control, outcome):
            pairs.append((arm, control))
    return pairs


def _part(total: int, parts: int, index: int, rule: MultiArmRule) -> float:
    """Comparison ``index``'s share of a control count shared by ``parts`` comparisons.

    "split": total / parts (Cochrane Handbook 23.3.4). "split_whole": whole participants, the
    remainder going one each to the first comparisons in file order, so the parts still add up to
    the total and events never exceed n. "separate": the whole total, in every comparison.
    """
    if rule == "separate":
        return float(total)
    if rule == "split":
        return total / parts
    base, remainder = divmod(total, parts)
    return float(base + (1 if index < remainder else 0))


def _arm_values(
    arm: TrialArm, outcome: str, suffix: str, share: tuple[int, int, MultiArmRule] = (1, 0, "separate")
) -> dict[str, float]:
    """One arm's numbers; ``share`` = (parts, index, rule) divides a shared control's counts."""
    parts, index, rule = share
    if outcome in BINARY_OUTCOMES:
        count = arm.binary[outcome]
        return {
            f"events{suffix}": _part(count.events, parts, index, rule),
            f"n{suffix}": _part(count.n, parts, index, rule),
        }
    summary = arm.continuous[outcome]
    # _comparisons kept only complete summaries; means and SDs are never divided, only n.
    assert summary.mean is not None and summary.sd is not None and summary.n is not None
    n = _part(summary.n, parts, index, rule)
    return {f"mean{suffix}": summary.mean, f"sd{suffix}": summary.sd, f"n{suffix}": n}


def _source(arm: TrialArm, outcome: str) -> str:
    return arm.binary[outcome].source if outcome in arm.binary else arm.continuous[outcome].source


def _dose_basis(arm: TrialArm) -> str | None:
    if arm.mean_achieved_mg is not None:
        return "mean_achieved"
    return None if arm.target_mg is None else "target"


def outcome_table(
    outcome: str,
    arms: Sequence[TrialArm] | None = None,
    *,
    multi_arm: MultiArmRule = "split",
) -> pl.DataFrame:
    """One row per trial comparison (a baclofen arm vs its placebo arm) reporting ``outcome``.

    Binary outcomes give ``events_t, n_t, events_c, n_c``; continuous outcomes give
    ``mean_t, sd_t, n_t, mean_c, sd_c, n_c`` (only arms with mean, SD and n all reported). Every
    table also has ``study, trial_id, arm, dose_mg`` (mean achieved dose if reported, else the target;
    ``dose_basis`` says which), ``population, regimen, year``, ``control_share`` (how many
    comparisons share the control arm) and the two arms' ``source_t, source_c``. ``arms`` defaults
    to the bundled dataset.

    A control arm shared by k baclofen arms (multi-arm trials) is handled by ``multi_arm``:

    * ``"split"`` (default): divided into k equal parts, events and n for binary outcomes, n only
      for continuous ones (Cochrane Handbook 23.3.4); counts may be fractional, which R's
      ``metafor::escalc`` accepts;
    * ``"split_whole"``: the same, in whole participants (for engines that need integer counts);
    * ``"separate"``: the whole control arm in each comparison. It double-counts those
      participants, so it suits per-dose displays, not pooling.
    """
    if outcome not in OUTCOMES:
        raise InputError(f"outcome {outcome!r} is unknown; choose one of {', '.join(OUTCOMES)}")
    if multi_arm not in ("split", "split_whole", "separate"):
        raise InputError(f"multi_arm {multi_arm!r} is unknown; choose 'split', 'split_whole' or 'separate'")
    all_arms = load_trials() if arms is None else list(arms)
    pairs = _comparisons(all_arms, outcome)
    sharing: dict[tuple[str, str], list[str]] = {}
    for treated, control in pairs:
        sharing.setdefault((control.trial_id, control.arm), []).append(treated.arm)
    doses_per_trial = Counter(a.trial_id for a in all_arms if a.arm_role == "baclofen")
    rows = []
    for treated, control in pairs:
        siblings = sharing[(control.trial_id, control.arm)]
        share = (len(siblings), siblings.index(treated.arm), multi_arm)
        multi_dose = doses_per_trial[treated.trial_id] > 1
        rows.append(
            {
                "study": f"{treated.study}: {treated.arm}" if multi_dose else treated.study,
                "trial_id": treated.trial_id,
                "arm": treated.arm,
                **_arm_values(treated, outcome, "_t"),
                **_arm_values(control, outcome, "_c", share),
                "dose_mg": treated.dose_mg,
                "dose_basis": _dose_basis(treated),
                "population": treated.population,
                "regimen": treated.regimen,
                "year": treated.year,
                "control_share": len(siblings),
                "source_t": _source(treated, outcome),
                "source_c": _source(control, outcome),
            }
        )
    values = _BINARY_SCHEMA if outcome in BINARY_OUTCOMES else _CONTINUOUS_SCHEMA
    schema = {"study": pl.String, "trial_id": pl.String, "arm": pl.String, **values, **_COMMON_SCHEMA}
    return pl.DataFrame(rows, schema=schema)
