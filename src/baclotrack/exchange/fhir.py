"""FHIR R4 export of one client: a Bundle of type ``collection``.

The bundle holds a pseudonymous Patient (the client code as identifier, gender, birth year
only), Observations for each diary day (alcohol, craving, anxiety, side effects), body
weight and questionnaire totals with their item answers, and MedicationStatements for
baclofen (RxNorm 1292): one per prescribed dose period and one per diary day's dose taken.
:mod:`baclotrack.exchange.fhir_import` reads such a bundle back into the same records, and
export -> import -> export gives identical JSON.

FHIR version: the models come from ``fhir.resources.R4B`` (fhir.resources 8 puts R5 at the
package root and R4B, FHIR 4.3.0, in this namespace; there is no separate R4 namespace).
Every resource and element used here is unchanged between R4 (4.0.1) and R4B, so the
JSON is valid R4. Codes, local code system and mapping: docs/fhir.md.

Bundles are deterministic: entry ids are UUID-5 values derived from the client code and
the entry's meaning, and there is no timestamp, so the same records give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any, Final

from pydantic import ValidationError

from baclotrack.core.diary import DiaryDay, sort_diary
from baclotrack.core.errors import InputError
from baclotrack.core.guidelines import STANDARD_DRINK_GRAMS, Country, Sex
from baclotrack.core.i18n import N_, Message
from baclotrack.core.instruments import INSTRUMENTS
from baclotrack.core.titration.caps import Jurisdiction

LOINC: Final = "http://loinc.org"
UCUM: Final = "http://unitsofmeasure.org"
RXNORM: Final = "http://www.nlm.nih.gov/research/umls/rxnorm"
OBSERVATION_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/observation-category"
#: baclotrack's own code system, for measures that have no LOINC code (docs/fhir.md lists every code).
BACLOTRACK_CODES: Final = "https://baclotrack.org/fhir/CodeSystem/baclotrack"
#: Identifier system of client codes (pseudonyms, unique within one baclotrack installation).
CLIENT_CODE_SYSTEM: Final = "https://baclotrack.org/fhir/NamingSystem/client-code"
#: Extension on Patient: the country whose standard drink the client counts in.
DRINK_COUNTRY_EXTENSION: Final = "https://baclotrack.org/fhir/StructureDefinition/standard-drink-country"
#: Extension on Patient: the country whose rules (regulatory dose cap) govern the prescription
#: (decision 0175). Bundles written before it lack it; importers then assume the drink country's.
PRESCRIBING_COUNTRY_EXTENSION: Final = "https://baclotrack.org/fhir/StructureDefinition/prescribing-country"
#: Namespace of the UUID-5 entry ids (uuid5 of the URL namespace and the baclotrack site).
ENTRY_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "https://baclotrack.org/fhir")

#: LOINC codes (loinc.org; displays as LOINC gives them):
#: - 74013-4 "Alcoholic drinks per day": used for one diary day's drinks, as in the HL7
#:   International Patient Summary alcohol-use example (hl7.org/fhir/uv/ips/STU1).
#: - 29463-7 "Body weight".
#: - 75624-7 "Total score [AUDIT]", 75626-2 "Total score [AUDIT-C]" (US Core 7 AUDIT-C
#:   examples), 70274-6 "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]".
#: 11287-0 "Alcoholic drinks per drinking day" is a summary over a period, not a day's
#: count, so it is not used for diary days (docs/fhir.md).
LOINC_DRINKS_PER_DAY: Final = ("74013-4", "Alcoholic drinks per day")
LOINC_BODY_WEIGHT: Final = ("29463-7", "Body weight")
LOINC_TOTALS: Final[dict[str, tuple[str, str]]] = {
    "audit": ("75624-7", "Total score [AUDIT]"),
    "audit-c": ("75626-2", "Total score [AUDIT-C]"),
    "gad-7": ("70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]"),
}
#: RxNorm ingredient concept for baclofen.
RXNORM_BACLOFEN: Final = ("1292", "baclofen")

#: Local codes (BACLOTRACK_CODES). Instrument totals are "<id>-total", items "<id>-item-<n>",
#: side effects "side-effect-<name>" with the names of core.diary.SIDE_EFFECTS.
CODE_ETHANOL_GRAMS: Final = ("ethanol-grams", "Grams of ethanol drunk in the day")
CODE_CRAVING: Final = ("craving-nrs", "Craving for alcohol, 0-10 numeric rating")
CODE_ANXIETY: Final = ("anxiety-nrs", "Anxiety, 0-10 numeric rating")
CODE_SIDE_EFFECTS: Final = ("side-effects", "Baclofen side effects, severity 0-3 each")


class FhirError(InputError):
    """A record that cannot be exported or a bundle that cannot be imported; names the entry and field.

    What an import can meet is raised with :meth:`~InputError.said`, so that the clinic's import
    page shows it in the reader's language (decision 0183); codes, element paths and quoted
    values stay as they are.
    """


def _client_error(name: str, problem: Message) -> FhirError:
    return FhirError.said(Message(N_("client {field}: {problem}"), {"field": name, "problem": problem}))


@dataclass(frozen=True, slots=True)
class ClientRecord:
    """The pseudonymous client: code, sex, birth year, weight, the country of their standard drink
    and the country they are prescribed in (None: not stated, as in bundles before decision 0175)."""

    code: str
    sex: Sex
    birth_year: int | None = None
    weight_kg: float | None = None
    country: Country = Country.US
    prescribing_country: Jurisdiction | None = None

    def __post_init__(self) -> None:
        if not self.code.strip():
            raise _client_error("code", Message(N_("is blank")))
        if self.sex not in ("F", "M"):
            sexes = Message(N_("{first} or {second}"), {"first": "F", "second": "M"})
            raise _client_error(
                "sex", Message(N_("must be {what}, got {got}"), {"what": sexes, "got": repr(self.sex)})
            )
        if self.birth_year is not None and not 1900 <= self.birth_year <= 2100:
            raise _client_error(
                "birth_year", Message(N_("{year} is not a plausible year"), {"year": self.birth_year})
            )
        if self.weight_kg is not None and not 0 < self.weight_kg < 500:
            # {got}, not {got:g}: the English text shows the weight as given ("600.0").
            raise _client_error(
                "weight_kg", Message(N_("must be between 0 and 500, got {got}"), {"got": self.weight_kg})
            )


@dataclass(frozen=True, slots=True)
class AssessmentRecord:
    """A scored questionnaire: instrument id, date, item answers in item order and the total."""

    instrument: str
    date: dt.date
    answers: tuple[int, ...]
    total: int

    def __post_init__(self) -> None:
        if self.instrument not in INSTRUMENTS:
            raise FhirError.said(
                Message(
                    N_("assessment instrument: unknown {instrument} (known: {known})"),
                    {"instrument": repr(self.instrument), "known": ", ".join(INSTRUMENTS)},
                )
            )
        instrument = INSTRUMENTS[self.instrument]
        instrument.validate(list(self.answers))
        # The total is the caller's (made with the variant in use), but it must be a possible one.
        if not instrument.minimum <= self.total <= instrument.maximum:
            raise FhirError.said(
                Message(
                    N_("assessment {instrument} {date}: total {total} is outside {minimum}-{maximum}"),
                    {
                        "instrument": self.instrument,
                        "date": str(self.date),
                        "total": self.total,
                        "minimum": instrument.minimum,
                        "maximum": instrument.maximum,
                    },
                )
            )


@dataclass(frozen=True, slots=True)
class DosePeriod:
    """A prescribed baclofen dose in mg per day from ``start`` to ``end`` (None: still current)."""

    start: dt.date
    mg_per_day: float
    end: dt.date | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise FhirError.said(
                Message(
                    N_("dose period {start}: end {end} is before the start"),
                    {"start": str(self.start), "end": str(self.end)},
                )
            )
        if not 0 <= self.mg_per_day <= 1000:
            # {got}, not {got:g}: the English text shows the dose as given ("1200.0").
            raise FhirError.said(
                Message(
                    N_("dose period {start}: mg_per_day must be 0-1000, got {got}"),
                    {"start": str(self.start), "got": self.mg_per_day},
                )
            )


@dataclass(frozen=True)
class ClientData:
    """Everything exported for one client; the input of the export and the output of the import."""

    client: ClientRecord
    diary: tuple[DiaryDay, ...] = ()
    assessments: tuple[AssessmentRecord, ...] = ()
    doses: tuple[DosePeriod, ...] = field(default=())


def _coding(system: str, code_display: tuple[str, str]) -> dict[str, str]:
    return {"system": system, "code": code_display[0], "display": code_display[1]}


def _local(code_display: tuple[str, str]) -> dict[str, str]:
    return _coding(BACLOTRACK_CODES, code_display)


def _quantity(value: float, unit: str, code: str) -> dict[str, Any]:
    # Always a float, so that 30 and 30.0 write the same JSON and a round trip is byte-identical.
    return {"value": float(value), "unit": unit, "system": UCUM, "code": code}


def _category(code: str, display: str) -> list[dict[str, Any]]:
    return [{"coding": [{"system": OBSERVATION_CATEGORY, "code": code, "display": display}]}]


class _Builder:
    """Collects entries with deterministic UUID-5 full URLs for one client."""

    def __init__(self, client: ClientRecord) -> None:
        self.client = client
        self.entries: list[dict[str, Any]] = []
        self.patient_url = self._url("Patient")

    def _url(self, key: str) -> str:
        return f"urn:uuid:{uuid.uuid5(ENTRY_NAMESPACE, f'{self.client.code}|{key}')}"

    def add(self, key: str, resource: dict[str, Any]) -> None:
        self.entries.append({"fullUrl": self._url(key), "resource": resource})

    def observation(
        self,
        key: str,
        coding: list[dict[str, str]],
        category: tuple[str, str],
        when: dt.date | None,
        **value: Any,
    ) -> None:
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "status": "final",
            "category": _category(*category),
            "code": {"coding": coding},
            "subject": {"reference": self.patient_url},
        }
        if when is not None:
            resource["effectiveDateTime"] = when.isoformat()
        self.add(key, resource | value)


def _patient(client: ClientRecord) -> dict[str, Any]:
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "extension": [{"url": DRINK_COUNTRY_EXTENSION, "valueCode": client.country.value}],
        "identifier": [{"system": CLIENT_CODE_SYSTEM, "value": client.code}],
        "gender": "female" if client.sex == "F" else "male",
    }
    if client.prescribing_country is not None:
        code = client.prescribing_country.value
        patient["extension"].append({"url": PRESCRIBING_COUNTRY_EXTENSION, "valueCode": code})
    if client.birth_year is not None:
        # A FHIR date may be a year alone: nothing finer than the birth year leaves baclotrack.
        patient["birthDate"] = f"{client.birth_year:04d}"
    return patient


def _add_day(builder: _Builder, day: DiaryDay) -> None:
    date = day.date
    survey = ("survey", "Survey")
    if day.grams is not None:
        drinks = day.grams / STANDARD_DRINK_GRAMS[builder.client.country]
        builder.observation(
            f"{date}|alcohol",
            [_coding(LOINC, LOINC_DRINKS_PER_DAY)],
            ("social-history", "Social History"),
            date,
            valueQuantity=_quantity(drinks, "standard drinks per day", "{drinks}/d"),
            component=[
                {
                    "code": {"coding": [_local(CODE_ETHANOL_GRAMS)]},
                    "valueQuantity": _quantity(day.grams, "g", "g"),
                }
            ],
        )
    for code, rating in ((CODE_CRAVING, day.craving), (CODE_ANXIETY, day.anxiety)):
        if rating is not None:
            builder.observation(f"{date}|{code[0]}", [_local(code)], survey, date, valueInteger=rating)
    if day.side_effects:
        components = [
            {
                "code": {"coding": [_local((f"side-effect-{name}", f"Side effect: {name}"))]},
                "valueInteger": severity,
            }
            for name, severity in sorted(day.side_effects.items())
        ]
        builder.observation(
            f"{date}|side-effects", [_local(CODE_SIDE_EFFECTS)], survey, date, component=components
        )
    if day.dose_taken_mg is not None:
        builder.add(
            f"{date}|dose-taken", _medication(builder, day.dose_taken_mg, effectiveDateTime=date.isoformat())
        )


def _medication(builder: _Builder, mg_per_day: float, **effective: Any) -> dict[str, Any]:
    """Baclofen MedicationStatement: a period's prescribed dose, or (effectiveDateTime) a day's dose taken."""
    taken = "effectiveDateTime" in effective
    return {
        "resourceType": "MedicationStatement",
        "status": "completed" if taken or "end" in effective.get("effectivePeriod", {}) else "active",
        "medicationCodeableConcept": {"coding": [_coding(RXNORM, RXNORM_BACLOFEN)]},
        "subject": {"reference": builder.patient_url},
        **effective,
        "dosage": [
            {
                # A total per day, however it is split into intakes: a rate in UCUM mg/d.
                "text": f"{mg_per_day:g} mg per day" + (" (taken)" if taken else " (prescribed)"),
                "doseAndRate": [{"rateQuantity": _quantity(mg_per_day, "mg/day", "mg/d")}],
            }
        ],
    }


def _add_assessment(builder: _Builder, assessment: AssessmentRecord, index: int) -> None:
    instrument = assessment.instrument
    coding = [_local((f"{instrument}-total", f"{INSTRUMENTS[instrument].name} total score"))]
    if instrument in LOINC_TOTALS:
        coding.insert(0, _coding(LOINC, LOINC_TOTALS[instrument]))
    items = [
        {
            "code": {
                "coding": [_local((f"{instrument}-item-{n}", f"{INSTRUMENTS[instrument].name} item {n}"))]
            },
            "valueInteger": a,
        }
        for n, a in enumerate(assessment.answers, start=1)
    ]
    builder.observation(
        f"{assessment.date}|{instrument}|{index}",
        coding,
        ("survey", "Survey"),
        assessment.date,
        valueInteger=assessment.total,
        component=items,
    )


def export_client_bundle(data: ClientData) -> dict[str, Any]:
    """The client's data as a FHIR R4 Bundle (type collection), a JSON-ready dict.

    Entries come in a fixed order: Patient, body weight, diary days by date, assessments by
    date, dose periods by start. The bundle is validated with fhir.resources before it is
    returned; a record that cannot be expressed raises :class:`FhirError`.
    """
    builder = _Builder(data.client)
    builder.add("Patient", _patient(data.client))
    if data.client.weight_kg is not None:
        builder.observation(
            "weight",
            [_coding(LOINC, LOINC_BODY_WEIGHT)],
            ("vital-signs", "Vital Signs"),
            None,
            valueQuantity=_quantity(data.client.weight_kg, "kg", "kg"),
        )
    for day in sort_diary(list(data.diary)):
        _add_day(builder, day)
    for index, assessment in enumerate(sorted(data.assessments, key=lambda a: (a.date, a.instrument))):
        _add_assessment(builder, assessment, index)
    starts = [period.start for period in data.doses]
    if len(set(starts)) != len(starts):
        repeated = sorted(d for d in starts if starts.count(d) > 1)[0]
        raise FhirError(f"dose periods: two periods start on {repeated}")
    for period in sorted(data.doses, key=lambda p: p.start):
        effective = {"start": period.start.isoformat()}
        if period.end is not None:
            effective["end"] = period.end.isoformat()
        builder.add(
            f"dose|{period.start}", _medication(builder, period.mg_per_day, effectivePeriod=effective)
        )
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": builder.entries}
    check_bundle(bundle)
    return bundle


def check_bundle(bundle: dict[str, Any]) -> None:
    """Validate against the FHIR R4B models; raise :class:`FhirError` naming the entry index and field."""
    from fhir.resources.R4B.bundle import Bundle  # heavy import, paid only when FHIR is used

    try:
        Bundle.model_validate(bundle)
    except ValidationError as exc:
        raise invalid_fhir_error(exc) from None


def invalid_fhir_error(exc: ValidationError) -> FhirError:
    """The refusal of a bundle the FHIR R4B models reject, naming the first problem's entry and field."""
    problem = _validation_message(exc)
    return FhirError.said(Message(N_("bundle is not valid FHIR R4: {problem}"), {"problem": problem}))


def _validation_message(exc: ValidationError) -> Message:
    """The first validation problem, as "entry 3, field resource.valueInteger: reason": the words
    are translated, while the element path and the reason fhir.resources gives (English only) are
    shown as they are."""
    error = exc.errors()[0]
    location = list(error["loc"])
    reason = str(error["msg"])
    problem: Message | str = reason
    if exc.error_count() > 1:
        problem = Message(
            N_("{problem} (and {count} more)"), {"problem": reason, "count": exc.error_count() - 1}
        )
    if len(location) >= 2 and location[0] == "entry" and isinstance(location[1], int):
        index, path = location[1], ".".join(str(part) for part in location[2:]) or "(bundle)"
        return Message(
            N_("entry {index}, field {path}: {problem}"), {"index": index, "path": path, "problem": problem}
        )
    path = ".".join(str(part) for part in location) or "(bundle)"
    return Message(N_("field {path}: {problem}"), {"path": path, "problem": problem})


def bundle_json(bundle: dict[str, Any]) -> str:
    """Canonical JSON text of a bundle (2-space indent, keys in insertion order, UTF-8 kept)."""
    return json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"


def export_client_json(data: ClientData) -> str:
    """:func:`export_client_bundle` as canonical JSON text."""
    return bundle_json(export_client_bundle(data))
