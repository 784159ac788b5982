"""Import a baclotrack FHIR R4 client Bundle back into :class:`~baclotrack.exchange.fhir.ClientData`.

The reader accepts what :func:`baclotrack.exchange.fhir.export_client_bundle` writes (any entry
order) and refuses anything else with a :class:`~baclotrack.exchange.fhir.FhirError` naming the
entry index and field: another bundle type, a second Patient, a resource type or code it does
not know, a value outside its scale. Values are checked by the same core records the export
uses (DiaryDay, instrument validation), so an import can never hold what the core refuses.

Every refusal is raised with :meth:`~baclotrack.core.errors.InputError.said`: its text is the
English one, and the clinic's import page shows its message in the reader's language
(decision 0183). Element paths, codes and values read from the bundle are shown as they are;
a core record's refusal is quoted with :func:`~baclotrack.core.i18n.refusal_of`, so it stays
translated where the core gave it a message.
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
from baclotrack.core.i18n import N_, Message, refusal_of
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
    invalid_fhir_error,
)


def _got(what: Message | str, value: object) -> Message:
    """The problem "must be <what>, got <value>", the value quoted as read (its repr)."""
    return Message(N_("must be {what}, got {got}"), {"what": what, "got": repr(value)})


def _bundle_error(problem: Message | str) -> FhirError:
    return FhirError.said(Message(N_("bundle: {problem}"), {"problem": problem}))


def _bundle_field_error(path: str, problem: Message) -> FhirError:
    return FhirError.said(Message(N_("bundle, field {path}: {problem}"), {"path": path, "problem": problem}))


class _Entry:
    """One bundle entry's resource with helpers that raise FhirError naming the entry and field."""

    def __init__(self, index: int, resource: Mapping[str, Any]) -> None:
        self.index, self.resource = index, resource
        self.type = str(resource.get("resourceType"))

    def fail(self, path: str, problem: Message | str) -> FhirError:
        """The refusal of field ``path``; ``problem`` is a message, or (a core refusal quoted with
        :func:`refusal_of`) the English text of an error raised without one."""
        return FhirError.said(
            Message(
                N_("entry {index} ({type}), field {path}: {problem}"),
                {"index": self.index, "type": self.type, "path": path, "problem": problem},
            )
        )

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
                raise self.fail(path, Message(N_("is missing")))
        return value

    def date(self, path: str) -> dt.date:
        text = self.get(path)
        try:
            return dt.date.fromisoformat(str(text))
        except ValueError:
            raise self.fail(path, _got(Message(N_("a full date YYYY-MM-DD")), text)) from None

    def codes(self, path: str = "code") -> set[tuple[str, str]]:
        return {(c.get("system", ""), c.get("code", "")) for c in self.get(path).get("coding", [])}


@dataclass
class _Diary:
    """Diary values gathered by date before each day becomes a validated DiaryDay."""

    values: dict[dt.date, dict[str, Any]] = field(default_factory=dict)

    def put(self, entry: _Entry, date: dt.date, name: str, value: Any) -> None:
        day = self.values.setdefault(date, {})
        if name in day:
            raise entry.fail(
                "code", Message(N_("a second {name} for {date}"), {"name": name, "date": str(date)})
            )
        day[name] = value

    def days(self) -> tuple[DiaryDay, ...]:
        result = []
        for date in sorted(self.values):
            fields = self.values[date]
            try:
                result.append(DiaryDay(date=date, **fields))
            except InputError as exc:
                raise _bundle_error(refusal_of(exc)) from None
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
        raise invalid_fhir_error(exc) from None
    except (KeyError, TypeError, ValueError) as exc:
        # fhir.resources raises these, not a ValidationError, for an entry whose resourceType is
        # missing or unknown (found by tests/web/test_fuzz_importers.py).
        unknown = Message(N_("an entry's resource is not a known resource ({error})"), {"error": str(exc)})
        raise FhirError.said(
            Message(N_("bundle is not valid FHIR R4: {problem}"), {"problem": unknown})
        ) from None
    if data.get("type") != "collection":
        raise _bundle_field_error("type", _got("'collection'", data.get("type")))
    entries = [_Entry(i, e.get("resource") or {}) for i, e in enumerate(data.get("entry", []))]
    patients = [e for e in entries if e.type == "Patient"]
    if len(patients) != 1:
        raise _bundle_error(
            Message(N_("exactly one Patient entry is needed, found {count}"), {"count": len(patients)})
        )
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
                    raise entry.fail("code", Message(N_("a second body weight")))
                weight = found
        else:
            raise entry.fail("resourceType", Message(N_("not part of a baclotrack client bundle")))
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
            raise _bundle_error(Message(N_("not JSON ({error})"), {"error": str(exc)})) from None
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        raise _bundle_field_error("resourceType", Message(N_("must be {what}"), {"what": "'Bundle'"}))
    return data


def _client(entry: _Entry) -> ClientRecord:
    codes = [
        i.get("value") for i in entry.resource.get("identifier", []) if i.get("system") == CLIENT_CODE_SYSTEM
    ]
    if len(codes) != 1 or not codes[0]:
        raise entry.fail(
            "identifier",
            Message(
                N_("exactly one client code with system {system} is needed"), {"system": CLIENT_CODE_SYSTEM}
            ),
        )
    genders: dict[str, Sex] = {"female": "F", "male": "M"}
    gender = entry.get("gender")
    if gender not in genders:
        raise entry.fail(
            "gender", _got(Message(N_("female or male (the sexes drinking thresholds know)")), gender)
        )
    birth = entry.resource.get("birthDate")
    if birth is not None and (len(birth) != 4 or not birth.isdigit()):
        raise entry.fail("birthDate", _got(Message(N_("a year only (YYYY)")), birth))
    countries = [
        x.get("valueCode")
        for x in entry.resource.get("extension", [])
        if x.get("url") == DRINK_COUNTRY_EXTENSION
    ]
    try:
        country = Country(countries[0]) if countries else Country.US
    except ValueError:
        unknown = Message(N_("unknown standard-drink country {country}"), {"country": repr(countries[0])})
        raise entry.fail("extension", unknown) from None
    prescribing = [
        x.get("valueCode")
        for x in entry.resource.get("extension", [])
        if x.get("url") == PRESCRIBING_COUNTRY_EXTENSION
    ]
    try:
        jurisdiction = Jurisdiction(prescribing[0]) if prescribing else None
    except ValueError:
        unknown = Message(N_("unknown prescribing country {country}"), {"country": repr(prescribing[0])})
        raise entry.fail("extension", unknown) from None
    try:
        year = None if birth is None else int(birth)
        return ClientRecord(codes[0], genders[gender], year, None, country, jurisdiction)
    except InputError as exc:
        raise entry.fail("Patient", refusal_of(exc)) from None


def _integer(entry: _Entry, path: str) -> int:
    value = entry.get(path)
    if isinstance(value, bool) or not isinstance(value, int):
        raise entry.fail(path, _got(Message(N_("a whole number")), value))
    return value


def _number(entry: _Entry, path: str, unit: str) -> float:
    code = entry.get(f"{path}.code")
    if code != unit:
        raise entry.fail(
            f"{path}.code",
            Message(N_("unit must be {unit}, got {got}"), {"unit": repr(unit), "got": repr(code)}),
        )
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
    raise entry.fail(
        "code", Message(N_("no code baclotrack knows (got {codes})"), {"codes": str(sorted(codes))})
    )


def _grams(entry: _Entry) -> float:
    for index, component in enumerate(entry.resource.get("component", [])):
        if (BACLOTRACK_CODES, CODE_ETHANOL_GRAMS[0]) in _Entry(entry.index, component).codes():
            return _number(entry, f"component.{index}.valueQuantity", "g")
    missing = Message(
        N_("the {code} component (grams of ethanol) is missing"), {"code": CODE_ETHANOL_GRAMS[0]}
    )
    raise entry.fail("component", missing)


def _components(entry: _Entry, prefix: str) -> dict[str, int]:
    """Local-coded components whose code starts with ``prefix``: code suffix -> integer value."""
    found: dict[str, int] = {}
    for index, component in enumerate(entry.resource.get("component", [])):
        codes = [c for s, c in _Entry(entry.index, component).codes() if s == BACLOTRACK_CODES]
        if not codes or not codes[0].startswith(prefix):
            expected = Message(
                N_("expected a code starting {prefix}, got {codes}"),
                {"prefix": repr(prefix), "codes": str(codes)},
            )
            raise entry.fail(f"component.{index}.code", expected)
        found[codes[0].removeprefix(prefix)] = _integer(entry, f"component.{index}.valueInteger")
    return found


def _side_effects(entry: _Entry) -> dict[str, int]:
    severities = _components(entry, "side-effect-")
    unknown = sorted(set(severities) - set(SIDE_EFFECTS))
    if unknown:
        known = ", ".join(SIDE_EFFECTS)
        raise entry.fail(
            "component",
            Message(
                N_("unknown side effect {name} (known: {known})"), {"name": repr(unknown[0]), "known": known}
            ),
        )
    return severities


def _assessment(entry: _Entry, instrument: str, date: dt.date) -> AssessmentRecord:
    items = _components(entry, f"{instrument}-item-")
    try:
        answers = tuple(items[str(n)] for n in range(1, len(items) + 1))
    except KeyError:
        numbering = Message(
            N_("{instrument} items must be numbered 1 to {count}"),
            {"instrument": instrument, "count": len(items)},
        )
        raise entry.fail("component", numbering) from None
    try:
        return AssessmentRecord(instrument, date, answers, _integer(entry, "valueInteger"))
    except InputError as exc:
        raise entry.fail("component", refusal_of(exc)) from None


def _medication(entry: _Entry, diary: _Diary) -> DosePeriod | None:
    if (RXNORM, RXNORM_BACLOFEN[0]) not in entry.codes("medicationCodeableConcept"):
        baclofen = Message(N_("must be baclofen (RxNorm {code})"), {"code": RXNORM_BACLOFEN[0]})
        raise entry.fail("medicationCodeableConcept", baclofen)
    mg = _number(entry, "dosage.0.doseAndRate.0.rateQuantity", "mg/d")
    if "effectiveDateTime" in entry.resource:
        diary.put(entry, entry.date("effectiveDateTime"), "dose_taken_mg", mg)
        return None
    end = entry.date("effectivePeriod.end") if "end" in entry.get("effectivePeriod") else None
    try:
        return DosePeriod(entry.date("effectivePeriod.start"), mg, end)
    except InputError as exc:
        raise entry.fail("effectivePeriod", refusal_of(exc)) from None
