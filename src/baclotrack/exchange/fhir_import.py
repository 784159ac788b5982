"""Import a baclotrack FHIR R4 client Bundle back into :class:`~baclotrack.exchange.fhir.ClientData`.

The reader accepts what :func:`baclotrack.exchange.fhir.export_client_bundle` writes (any entry
order) and refuses anything else with a :class:`~baclotrack.exchange.fhir.FhirError` naming the
entry index and field: another bundle type, a second Patient, a resource type or code it does
not know, a value outside its scale. Values are checked by the same core records the export
uses (DiaryDay, instrument validation), so an import can never hold what the core refuses.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import ValidationError

from baclotrack.core.diary import SIDE_EFFECTS, DiaryDay
from baclotrack.core.errors import InputError
from baclotrack.core.guidelines import Country, Sex
from baclotrack.core.instruments import INSTRUMENTS
from baclotrack.core.titration.caps import Jurisdiction
from baclotrack.exchange.fhir import (
    BACLOTRACK_CODES,
    CLIENT_CODE_SYSTEM,
    CODE_ANXIETY,
    CODE_CRAVING,
    CODE_ETHANOL_GRAMS,
    CODE_SIDE_EFFECTS,
    DRINK_COUNTRY_EXTENSION,
    LOINC,
    LOINC_BODY_WEIGHT,
    LOINC_DRINKS_PER_DAY,
    PRESCRIBING_COUNTRY_EXTENSION,
    RXNORM,
    RXNORM_BACLOFEN,
    AssessmentRecord,
    ClientData,
    ClientRecord,
    DosePeriod,
    FhirError,
    describe_validation_error,
)


class _Entry:
    """One bundle entry's resource with helpers that raise FhirError naming the entry and field."""

    def __init__(self, index: int, resource: Mapping[str, Any]) -> None:
        self.index, self.resource = index, resource
        self.type = str(resource.get("resourceType"))

    def fail(self, path: str, problem: str) -> FhirError:
        return FhirError(f"entry {self.index} ({self.type}), field {path}: {problem}")

    def get(self, path: str) -> Any:
        value: Any = self.resource
        for part in path.split("."):
            value = (
                value[int(part)]
                if isinstance(value, list)
                else value.get(part)
                if isinstance(value, dict)
                else None
            )
            if value is None:
                raise self.fail(path, "is missing")
        return value

    def date(self, path: str) -> dt.date:
        text = self.get(path)
        try:
            return dt.date.fromisoformat(str(text))
        except ValueError:
            raise self.fail(path, f"must be a full date YYYY-MM-DD, got {text!r}") from None

    def codes(self, path: str = "code") -> set[tuple[str, str]]:
        return {(c.get("system", ""), c.get("code", "")) for c in self.get(path).get("coding", [])}


@dataclass
class _Diary:
    """Diary values gathered by date before each day becomes a validated DiaryDay."""

    values: dict[dt.date, dict[str, Any]] = field(default_factory=dict)

    def put(self, entry: _Entry, date: dt.date, name: str, value: Any) -> None:
        day = self.values.setdefault(date, {})
        if name in day:
            raise entry.fail("code", f"a second {name} for {date}")
        day[name] = value

    def days(self) -> tuple[DiaryDay, ...]:
        result = []
        for date in sorted(self.values):
            fields = self.values[date]
            try:
                result.append(DiaryDay(date=date, **fields))
            except InputError as exc:
                raise FhirError(f"bundle: {exc}") from None
        return tuple(result)


def parse_client_bundle(bundle: str | bytes | Mapping[str, Any]) -> ClientData:
    """Read a client Bundle (JSON text or a parsed dict) into :class:`ClientData`.

    The bundle is first validated with the fhir.resources R4B models, then read entry by
    entry. Raises :class:`FhirError` naming the entry index and field of the first problem.
    """
    data = _load(bundle)
    from fhir.resources.R4B.bundle import Bundle  # heavy import, paid only when FHIR is used

    try:
        Bundle.model_validate(data)
    except ValidationError as exc:
        raise FhirError(f"bundle is not valid FHIR R4: {describe_validation_error(exc)}") from None
    except (KeyError, TypeError, ValueError) as exc:
        # fhir.resources raises these, not a ValidationError, for an entry whose resourceType is
        # missing or unknown (found by tests/web/test_fuzz_importers.py).
        raise FhirError(
            f"bundle is not valid FHIR R4: an entry's resource is not a known resource ({exc})"
        ) from None
    if data.get("type") != "collection":
        raise FhirError(f"bundle, field type: must be 'collection', got {data.get('type')!r}")
    entries = [_Entry(i, e.get("resource") or {}) for i, e in enumerate(data.get("entry", []))]
    patients = [e for e in entries if e.type == "Patient"]
    if len(patients) != 1:
        raise FhirError(f"bundle: exactly one Patient entry is needed, found {len(patients)}")
    client, weight = _client(patients[0]), None
    diary, assessments, doses = _Diary(), [], []
    for entry in entries:
        if entry.type == "Patient":
            continue
        if entry.type == "MedicationStatement":
            period = _medication(entry, diary)
            if period is not None:
                doses.append(period)
        elif entry.type == "Observation":
            found = _observation(entry, diary)
            if isinstance(found, AssessmentRecord):
                assessments.append(found)
            elif found is not None:
                if weight is not None:
                    raise entry.fail("code", "a second body weight")
                weight = found
        else:
            raise entry.fail("resourceType", "not part of a baclotrack client bundle")
    client = replace(client, weight_kg=weight)
    return ClientData(
        client=client,
        diary=diary.days(),
        assessments=tuple(sorted(assessments, key=lambda a: (a.date, a.instrument))),
        doses=tuple(sorted(doses, key=lambda p: p.start)),
    )


def _load(bundle: str | bytes | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(bundle, Mapping):
        data: Any = dict(bundle)
    else:
        try:
            data = json.loads(bundle)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise FhirError(f"bundle: not JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        raise FhirError("bundle, field resourceType: must be 'Bundle'")
    return data


def _client(entry: _Entry) -> ClientRecord:
    codes = [
        i.get("value") for i in entry.resource.get("identifier", []) if i.get("system") == CLIENT_CODE_SYSTEM
    ]
    if len(codes) != 1 or not codes[0]:
        raise entry.fail("identifier", f"exactly one client code with system {CLIENT_CODE_SYSTEM} is needed")
    genders: dict[str, Sex] = {"female": "F", "male": "M"}
    gender = entry.get("gender")
    if gender not in genders:
        raise entry.fail(
            "gender", f"must be female or male (the sexes drinking thresholds know), got {gender!r}"
        )
    birth = entry.resource.get("birthDate")
    if birth is not None and (len(birth) != 4 or not birth.isdigit()):
        raise entry.fail("birthDate", f"must be a year only (YYYY), got {birth!r}")
    countries = [
        x.get("valueCode")
        for x in entry.resource.get("extension", [])
        if x.get("url") == DRINK_COUNTRY_EXTENSION
    ]
    try:
        country = Country(countries[0]) if countries else Country.US
    except ValueError:
        raise entry.fail("extension", f"unknown standard-drink country {countries[0]!r}") from None
    prescribing = [
        x.get("valueCode")
        for x in entry.resource.get("extension", [])
        if x.get("url") == PRESCRIBING_COUNTRY_EXTENSION
    ]
    try:
        jurisdiction = Jurisdiction(prescribing[0]) if prescribing else None
    except ValueError:
        raise entry.fail("extension", f"unknown prescribing country {prescribing[0]!r}") from None
    try:
        year = None if birth is None else int(birth)
        return ClientRecord(codes[0], genders[gender], year, None, country, jurisdiction)
    except InputError as exc:
        raise entry.fail("Patient", str(exc)) from None


def _integer(entry: _Entry, path: str) -> int:
    value = entry.get(path)
    if isinstance(value, bool) or not isinstance(value, int):
        raise entry.fail(path, f"must be a whole number, got {value!r}")
    return value


def _number(entry: _Entry, path: str, unit: str) -> float:
    code = entry.get(f"{path}.code")
    if code != unit:
        raise entry.fail(f"{path}.code", f"unit must be {unit!r}, got {code!r}")
    value = entry.get(f"{path}.value")
    return float(value)


def _observation(entry: _Entry, diary: _Diary) -> AssessmentRecord | float | None:
    """Put a diary observation into ``diary``; return an assessment or a body weight (kg)."""
    codes = entry.codes()
    if (LOINC, LOINC_BODY_WEIGHT[0]) in codes:
        return _number(entry, "valueQuantity", "kg")
    readers: dict[tuple[str, str], tuple[str, Callable[[], Any]]] = {
        (LOINC, LOINC_DRINKS_PER_DAY[0]): ("grams", lambda: _grams(entry)),
        (BACLOTRACK_CODES, CODE_CRAVING[0]): ("craving", lambda: _integer(entry, "valueInteger")),
        (BACLOTRACK_CODES, CODE_ANXIETY[0]): ("anxiety", lambda: _integer(entry, "valueInteger")),
        (BACLOTRACK_CODES, CODE_SIDE_EFFECTS[0]): ("side_effects", lambda: _side_effects(entry)),
    }
    for code, (name, read) in readers.items():
        if code in codes:
            diary.put(entry, entry.date("effectiveDateTime"), name, read())
            return None
    totals = [c.removesuffix("-total") for s, c in codes if s == BACLOTRACK_CODES and c.endswith("-total")]
    if totals and totals[0] in INSTRUMENTS:
        return _assessment(entry, totals[0], entry.date("effectiveDateTime"))
    raise entry.fail("code", f"no code baclotrack knows (got {sorted(codes)})")


def _grams(entry: _Entry) -> float:
    for index, component in enumerate(entry.resource.get("component", [])):
        if (BACLOTRACK_CODES, CODE_ETHANOL_GRAMS[0]) in _Entry(entry.index, component).codes():
            return _number(entry, f"component.{index}.valueQuantity", "g")
    raise entry.fail("component", f"the {CODE_ETHANOL_GRAMS[0]} component (grams of ethanol) is missing")


def _components(entry: _Entry, prefix: str) -> dict[str, int]:
    """Local-coded components whose code starts with ``prefix``: code suffix -> integer value."""
    found: dict[str, int] = {}
    for index, component in enumerate(entry.resource.get("component", [])):
        codes = [c for s, c in _Entry(entry.index, component).codes() if s == BACLOTRACK_CODES]
        if not codes or not codes[0].startswith(prefix):
            raise entry.fail(f"component.{index}.code", f"expected a code starting {prefix!r}, got {codes}")
        found[codes[0].removeprefix(prefix)] = _integer(entry, f"component.{index}.valueInteger")
    return found


def _side_effects(entry: _Entry) -> dict[str, int]:
    severities = _components(entry, "side-effect-")
    unknown = sorted(set(severities) - set(SIDE_EFFECTS))
    if unknown:
        raise entry.fail(
            "component", f"unknown side effect {unknown[0]!r} (known: {', '.join(SIDE_EFFECTS)})"
        )
    return severities


def _assessment(entry: _Entry, instrument: str, date: dt.date) -> AssessmentRecord:
    items = _components(entry, f"{instrument}-item-")
    try:
        answers = tuple(items[str(n)] for n in range(1, len(items) + 1))
    except KeyError:
        raise entry.fail("component", f"{instrument} items must be numbered 1 to {len(items)}") from None
    try:
        return AssessmentRecord(instrument, date, answers, _integer(entry, "valueInteger"))
    except InputError as exc:
        raise entry.fail("component", str(exc)) from None


def _medication(entry: _Entry, diary: _Diary) -> DosePeriod | None:
    if (RXNORM, RXNORM_BACLOFEN[0]) not in entry.codes("medicationCodeableConcept"):
        raise entry.fail("medicationCodeableConcept", f"must be baclofen (RxNorm {RXNORM_BACLOFEN[0]})")
    mg = _number(entry, "dosage.0.doseAndRate.0.rateQuantity", "mg/d")
    if "effectiveDateTime" in entry.resource:
        diary.put(entry, entry.date("effectiveDateTime"), "dose_taken_mg", mg)
        return None
    end = entry.date("effectivePeriod.end") if "end" in entry.get("effectivePeriod") else None
    try:
        return DosePeriod(entry.date("effectivePeriod.start"), mg, end)
    except InputError as exc:
        raise entry.fail("effectivePeriod", str(exc)) from None
