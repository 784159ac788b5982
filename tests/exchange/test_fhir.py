"""FHIR R4 client bundles: valid resources, documented codes, identical round trips, clear refusals."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from fhir.resources.R4B.bundle import Bundle
from hypothesis import given, settings
from hypothesis import strategies as st

from baclotrack.core.diary import SIDE_EFFECTS, DiaryDay
from baclotrack.core.guidelines import Country
from baclotrack.core.instruments import INSTRUMENTS, score
from baclotrack.core.titration.caps import Jurisdiction
from baclotrack.exchange.fhir import (
    AssessmentRecord,
    ClientData,
    ClientRecord,
    DosePeriod,
    FhirError,
    export_client_bundle,
    export_client_json,
)
from baclotrack.exchange.fhir_import import parse_client_bundle

AUDIT_ANSWERS = (4, 4, 3, 2, 1, 2, 1, 0, 2, 4)


def sample() -> ClientData:
    return ClientData(
        client=ClientRecord("C-017", "F", 1975, 62.5, Country.WHO, Jurisdiction.FR),
        diary=(
            DiaryDay(
                dt.date(2024, 3, 2),
                grams=30.0,
                craving=5,
                anxiety=3,
                dose_taken_mg=30.0,
                side_effects={"somnolence": 2, "nausea": 0},
            ),
            DiaryDay(dt.date(2024, 3, 3), grams=0.0),
        ),
        assessments=(
            AssessmentRecord("audit", dt.date(2024, 3, 1), AUDIT_ANSWERS, 23),
            AssessmentRecord("gad-7", dt.date(2024, 3, 1), (2, 2, 1, 1, 0, 1, 0), 7),
        ),
        doses=(
            DosePeriod(dt.date(2024, 3, 1), 15.0, dt.date(2024, 3, 3)),
            DosePeriod(dt.date(2024, 3, 4), 30.0),
        ),
    )


def resources_of(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def codes(resource: dict) -> set[str]:
    return {c["code"] for c in resource["code"]["coding"]}


def test_export_is_a_valid_r4_collection_bundle():
    bundle = export_client_bundle(sample())
    parsed = Bundle.model_validate(bundle)
    assert parsed.type == "collection"
    assert [e.resource.get_resource_type() for e in parsed.entry][:2] == ["Patient", "Observation"]


def test_patient_is_pseudonymous_with_birth_year_only():
    (patient,) = resources_of(export_client_bundle(sample()), "Patient")
    assert patient["identifier"] == [
        {"system": "https://baclotrack.org/fhir/NamingSystem/client-code", "value": "C-017"}
    ]
    assert patient["birthDate"] == "1975"
    assert patient["gender"] == "female"
    assert "name" not in patient and "address" not in patient and "telecom" not in patient


def test_drinks_use_loinc_and_keep_grams_in_a_local_component():
    observations = resources_of(export_client_bundle(sample()), "Observation")
    alcohol = [o for o in observations if "74013-4" in codes(o)]
    assert [o["effectiveDateTime"] for o in alcohol] == ["2024-03-02", "2024-03-03"]
    # 30 g in French 10 g standard drinks.
    assert alcohol[0]["valueQuantity"]["value"] == 3.0
    assert alcohol[0]["component"][0]["valueQuantity"] == {
        "value": 30.0,
        "unit": "g",
        "system": "http://unitsofmeasure.org",
        "code": "g",
    }


def test_questionnaire_totals_carry_loinc_codes_and_item_answers():
    observations = resources_of(export_client_bundle(sample()), "Observation")
    (audit,) = [o for o in observations if "75624-7" in codes(o)]
    (gad,) = [o for o in observations if "70274-6" in codes(o)]
    assert audit["valueInteger"] == score("audit", list(AUDIT_ANSWERS)).total
    assert [c["valueInteger"] for c in audit["component"]] == list(AUDIT_ANSWERS)
    assert gad["valueInteger"] == 7


def test_baclofen_statements_use_rxnorm_and_a_daily_rate():
    statements = resources_of(export_client_bundle(sample()), "MedicationStatement")
    assert {s["medicationCodeableConcept"]["coding"][0]["code"] for s in statements} == {"1292"}
    periods = [s for s in statements if "effectivePeriod" in s]
    assert [p["effectivePeriod"] for p in periods] == [
        {"start": "2024-03-01", "end": "2024-03-03"},
        {"start": "2024-03-04"},
    ]
    assert [p["status"] for p in periods] == ["completed", "active"]
    rate = periods[1]["dosage"][0]["doseAndRate"][0]["rateQuantity"]
    assert (rate["value"], rate["code"]) == (30.0, "mg/d")


def test_patient_carries_the_prescribing_country_apart_from_the_drink_country():
    (patient,) = resources_of(export_client_bundle(sample()), "Patient")
    assert patient["extension"] == [
        {"url": "https://baclotrack.org/fhir/StructureDefinition/standard-drink-country", "valueCode": "WHO"},
        {"url": "https://baclotrack.org/fhir/StructureDefinition/prescribing-country", "valueCode": "FR"},
    ]


def test_a_bundle_without_a_prescribing_country_imports_with_none_stated():
    bundle = export_client_bundle(sample())
    patient = resources_of(bundle, "Patient")[0]
    patient["extension"] = patient["extension"][:1]  # as written before decision 0175
    client = parse_client_bundle(bundle).client
    assert (client.country, client.prescribing_country) == (Country.WHO, None)


def test_an_unknown_prescribing_country_is_refused():
    bundle = export_client_bundle(sample())
    resources_of(bundle, "Patient")[0]["extension"][1]["valueCode"] = "WHO"
    assert "unknown prescribing country 'WHO'" in refusal(bundle)


def test_import_gives_back_the_records():
    data = sample()
    back = parse_client_bundle(export_client_json(data))
    assert back.client == data.client
    assert back.diary == data.diary
    assert back.assessments == tuple(sorted(data.assessments, key=lambda a: (a.date, a.instrument)))
    assert back.doses == data.doses


def test_export_import_export_is_byte_identical():
    text = export_client_json(sample())
    assert export_client_json(parse_client_bundle(text)) == text


def test_import_accepts_entries_in_any_order():
    bundle = export_client_bundle(sample())
    shuffled = copy.deepcopy(bundle)
    shuffled["entry"].reverse()
    assert parse_client_bundle(shuffled) == parse_client_bundle(bundle)


def refusal(bundle: dict) -> str:
    with pytest.raises(FhirError) as caught:
        parse_client_bundle(bundle)
    return str(caught.value)


def test_invalid_fhir_is_refused_naming_entry_and_field():
    bundle = export_client_bundle(sample())
    bundle["entry"][3]["resource"]["valueInteger"] = "five"
    message = refusal(bundle)
    assert "entry 3" in message and "valueInteger" in message


def test_foreign_resources_and_bundle_types_are_refused():
    bundle = export_client_bundle(sample())
    encounter = {"resourceType": "Encounter", "status": "finished", "class": {"code": "AMB"}}
    bundle["entry"].append({"fullUrl": "urn:uuid:x", "resource": encounter})
    assert f"entry {len(bundle['entry']) - 1} (Encounter), field resourceType" in refusal(bundle)
    other = export_client_bundle(sample()) | {"type": "transaction"}
    assert "must be 'collection'" in refusal(other)


def test_unknown_observation_codes_are_refused():
    bundle = export_client_bundle(sample())
    bundle["entry"][1]["resource"]["code"]["coding"] = [{"system": "http://loinc.org", "code": "8302-2"}]
    assert "entry 1 (Observation), field code: no code baclotrack knows" in refusal(bundle)


def test_out_of_scale_values_are_refused_by_the_core_rules():
    bundle = export_client_bundle(sample())
    craving = next(e for e in bundle["entry"] if "craving-nrs" in json.dumps(e))
    craving["resource"]["valueInteger"] = 11
    assert "craving: must be from 0 to 10" in refusal(bundle)


def test_a_full_birth_date_is_refused_as_identifying():
    bundle = export_client_bundle(sample())
    bundle["entry"][0]["resource"]["birthDate"] = "1975-04-12"
    assert "entry 0 (Patient), field birthDate: must be a year only" in refusal(bundle)


def test_not_json_and_not_a_bundle_are_refused():
    with pytest.raises(FhirError, match="not JSON"):
        parse_client_bundle("{nope")
    with pytest.raises(FhirError, match="must be 'Bundle'"):
        parse_client_bundle({"resourceType": "Patient"})


def test_two_dose_periods_starting_the_same_day_cannot_be_exported():
    data = ClientData(
        ClientRecord("C-1", "M"),
        doses=(DosePeriod(dt.date(2024, 1, 1), 10.0), DosePeriod(dt.date(2024, 1, 1), 20.0)),
    )
    with pytest.raises(FhirError, match="two periods start on 2024-01-01"):
        export_client_bundle(data)


# -- property: any client survives export -> import -> export unchanged ---------------------------

grams = st.one_of(st.none(), st.floats(0, 300, allow_nan=False), st.integers(0, 300))
ratings = st.one_of(st.none(), st.integers(0, 10))
side_effects = st.dictionaries(st.sampled_from(list(SIDE_EFFECTS)), st.integers(0, 3), max_size=3)


@st.composite
def clients(draw: st.DrawFn) -> ClientData:
    client = ClientRecord(
        draw(st.text("ABC-0123456789", min_size=1, max_size=8).filter(str.strip)),
        draw(st.sampled_from(["F", "M"])),
        draw(st.one_of(st.none(), st.integers(1920, 2010))),
        draw(st.one_of(st.none(), st.floats(30, 200))),
        draw(st.sampled_from(list(Country))),
        draw(st.one_of(st.none(), st.sampled_from(list(Jurisdiction)))),
    )
    dates = draw(st.lists(st.dates(dt.date(2023, 1, 1), dt.date(2024, 12, 31)), max_size=6, unique=True))
    diary = tuple(
        DiaryDay(
            d,
            grams=draw(grams),
            craving=draw(ratings),
            anxiety=draw(ratings),
            dose_taken_mg=draw(st.one_of(st.none(), st.floats(0, 300))),
            side_effects=draw(side_effects),
        )
        for d in dates
    )
    assessments = []
    for instrument_id in draw(st.lists(st.sampled_from(list(INSTRUMENTS)), max_size=3)):
        answers = tuple(draw(st.sampled_from(item.allowed)) for item in INSTRUMENTS[instrument_id].items)
        assessments.append(
            AssessmentRecord(instrument_id, draw(st.dates(dt.date(2023, 1, 1))), answers, sum(answers))
        )
    starts = draw(st.lists(st.dates(dt.date(2023, 1, 1), dt.date(2024, 12, 31)), max_size=3, unique=True))
    doses = tuple(
        DosePeriod(s, float(draw(st.integers(0, 300))), draw(st.one_of(st.none(), st.just(s))))
        for s in starts
    )
    return ClientData(client, diary, tuple(assessments), doses)


@settings(derandomize=True, max_examples=60, deadline=None)
@given(clients())
def test_any_client_round_trips_to_identical_json(data: ClientData):
    text = export_client_json(data)
    back = parse_client_bundle(text)
    assert export_client_json(back) == text
    assert back.client == data.client
    reported = [
        d
        for d in data.diary
        if (d.grams, d.craving, d.anxiety, d.dose_taken_mg) != (None,) * 4 or d.side_effects
    ]
    assert back.diary == tuple(sorted(reported, key=lambda d: d.date))
    assert back.assessments == tuple(sorted(data.assessments, key=lambda a: (a.date, a.instrument)))
    assert back.doses == tuple(sorted(data.doses, key=lambda p: p.start))


def test_an_impossible_questionnaire_total_is_refused():
    with pytest.raises(FhirError, match="total 41 is outside 0-40"):
        AssessmentRecord("audit", dt.date(2024, 1, 1), AUDIT_ANSWERS, 41)
