"""A refused FHIR bundle keeps its refusal as a core message, so the clinic's import page can show
it in the reader's language (decision 0183): the template parts are translated, while element
paths, codes, values read from the bundle and English-only quoted refusals stay as they are."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest

from baclotrack.core.diary import DiaryDay
from baclotrack.core.guidelines import Country
from baclotrack.core.i18n import Message
from baclotrack.exchange.fhir import (
    AssessmentRecord,
    ClientData,
    ClientRecord,
    DosePeriod,
    FhirError,
    export_client_bundle,
)
from baclotrack.exchange.fhir_import import parse_client_bundle

#: A stand-in for the French catalogue: the templates these refusals use, as /tmp/fhir_fr.po has them.
FRENCH = {
    "entry {index} ({type}), field {path}: {problem}": "entrée {index} ({type}), champ {path} : {problem}",
    "bundle: {problem}": "bundle : {problem}",
    "bundle, field {path}: {problem}": "bundle, champ {path} : {problem}",
    "bundle is not valid FHIR R4: {problem}": "le bundle n'est pas du FHIR R4 valide : {problem}",
    "entry {index}, field {path}: {problem}": "entrée {index}, champ {path} : {problem}",
    "must be {what}, got {got}": "doit être {what} (valeur lue : {got})",
    "must be {what}": "doit être {what}",
    "a year only (YYYY)": "une année seule (AAAA)",
    "is missing": "est absent",
    "not JSON ({error})": "n'est pas du JSON ({error})",
    "exactly one Patient entry is needed, found {count}": (
        "il faut exactement une entrée Patient ; le bundle en a {count}"
    ),
    "client {field}: {problem}": "client, champ {field} : {problem}",
    "must be between 0 and 500, got {got}": "doit être entre 0 et 500 (valeur lue : {got})",
    "assessment {instrument} {date}: total {total} is outside {minimum}-{maximum}": (
        "questionnaire {instrument} du {date} : le total {total} est hors de l'intervalle {minimum}-{maximum}"
    ),
    "dose period {start}: end {end} is before the start": (
        "période de dose du {start} : la fin ({end}) précède le début"
    ),
    "unknown prescribing country {country}": "pays de prescription inconnu : {country}",
}


def french(template: str) -> str:
    """Like gettext: the catalogue's translation, or the English template it does not know."""
    return FRENCH.get(template, template)


@pytest.fixture(scope="module")
def exported() -> dict[str, Any]:
    return export_client_bundle(
        ClientData(
            client=ClientRecord("C-017", "F", 1975, 62.5, Country.WHO),
            diary=(DiaryDay(dt.date(2024, 3, 2), grams=30.0, craving=5),),
            assessments=(AssessmentRecord("audit", dt.date(2024, 3, 1), (4, 4, 3, 2, 1, 2, 1, 0, 2, 4), 23),),
            doses=(DosePeriod(dt.date(2024, 3, 1), 15.0, dt.date(2024, 3, 3)),),
        )
    )


@pytest.fixture
def bundle(exported: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(exported)


def entry_with(bundle: dict[str, Any], text: str) -> tuple[int, dict[str, Any]]:
    """The index and resource of the first entry whose JSON contains ``text``."""
    return next((i, e["resource"]) for i, e in enumerate(bundle["entry"]) if text in json.dumps(e))


def refused(bundle: str | dict[str, Any]) -> tuple[str, str]:
    """The refusal's English text and its rendering in French; the message must give that text."""
    with pytest.raises(FhirError) as caught:
        parse_client_bundle(bundle)
    message = caught.value.message
    assert isinstance(message, Message)
    assert message.text() == str(caught.value)
    return str(caught.value), message.render(french)


def test_a_bad_entry_field_is_translated_around_the_value_read(bundle: dict[str, Any]):
    bundle["entry"][0]["resource"]["birthDate"] = "1975-04-12"
    english, shown = refused(bundle)
    assert english == "entry 0 (Patient), field birthDate: must be a year only (YYYY), got '1975-04-12'"
    french_field = "entrée 0 (Patient), champ birthDate : "
    assert shown == french_field + "doit être une année seule (AAAA) (valeur lue : '1975-04-12')"


def test_a_missing_field_and_an_unknown_code_keep_path_and_code(bundle: dict[str, Any]):
    del bundle["entry"][0]["resource"]["gender"]
    assert refused(bundle)[1] == "entrée 0 (Patient), champ gender : est absent"
    bundle["entry"][0]["resource"]["gender"] = "female"
    bundle["entry"][0]["resource"]["extension"].append(
        {"url": "https://baclotrack.org/fhir/StructureDefinition/prescribing-country", "valueCode": "WHO"}
    )
    assert refused(bundle)[1] == "entrée 0 (Patient), champ extension : pays de prescription inconnu : 'WHO'"


def test_a_quoted_instrument_refusal_is_wrapped_in_a_translated_message(bundle: dict[str, Any]):
    index, audit = entry_with(bundle, "audit-total")
    audit["component"][0]["valueInteger"] = 9  # AUDIT answers are 0 to 4
    english, shown = refused(bundle)
    prefix = f"entry {index} (Observation), field component: "
    assert english.startswith(prefix) and "AUDIT item 1" in english
    # The core's own words are quoted as the core gives them (this fake catalogue does not know them).
    assert shown == f"entrée {index} (Observation), champ component : " + english.removeprefix(prefix)


@pytest.mark.parametrize(
    ("spoil", "expected"),
    [
        (
            lambda b: entry_with(b, "audit-total")[1].update(valueInteger=41),
            "champ component : questionnaire audit du 2024-03-01 : le total 41 est hors de l'intervalle 0-40",
        ),
        (
            lambda b: entry_with(b, "effectivePeriod")[1]["effectivePeriod"].update(end="2024-02-01"),
            "champ effectivePeriod : période de dose du 2024-03-01 : la fin (2024-02-01) précède le début",
        ),
    ],
)
def test_a_quoted_core_message_is_translated_inside_the_entrys(
    bundle: dict[str, Any], spoil: Callable[[dict[str, Any]], None], expected: str
):
    spoil(bundle)
    shown = refused(bundle)[1]
    assert shown.startswith("entrée ") and shown.endswith(expected)


def test_a_diary_refusal_is_quoted_under_the_bundle(bundle: dict[str, Any]):
    entry_with(bundle, "craving-nrs")[1]["valueInteger"] = 11
    english, shown = refused(bundle)
    assert english.startswith("bundle: diary 2024-03-02: craving:")
    assert shown == "bundle : " + english.removeprefix("bundle: ")


def test_bundle_level_refusals_are_translated(bundle: dict[str, Any]):
    other = bundle | {"type": "transaction"}
    assert refused(other)[1] == "bundle, champ type : doit être 'collection' (valeur lue : 'transaction')"
    assert refused({"resourceType": "Patient"})[1] == "bundle, champ resourceType : doit être 'Bundle'"
    assert refused("{nope")[1].startswith("bundle : n'est pas du JSON (Expecting property name")
    no_patient = bundle | {"entry": bundle["entry"][1:]}
    assert refused(no_patient)[1] == "bundle : il faut exactement une entrée Patient ; le bundle en a 0"


def test_invalid_fhir_translates_entry_and_field_but_not_the_validators_reason(bundle: dict[str, Any]):
    index, craving = entry_with(bundle, "craving-nrs")
    craving["valueInteger"] = "five"
    english, shown = refused(bundle)
    reason = english.split("field resource.valueInteger: ", 1)[1]
    assert (
        shown
        == f"le bundle n'est pas du FHIR R4 valide : entrée {index}, champ resource.valueInteger : {reason}"
    )


def test_a_weight_out_of_range_is_refused_with_its_message(bundle: dict[str, Any]):
    entry_with(bundle, "29463-7")[1]["valueQuantity"]["value"] = 600.0
    english, shown = refused(bundle)
    assert english == "client weight_kg: must be between 0 and 500, got 600.0"
    assert shown == "client, champ weight_kg : doit être entre 0 et 500 (valeur lue : 600.0)"
