"""Text that comes from the pure core (questionnaires, side effects, beverages, protocols, bands)
is shown in French on French pages and stays English on English pages, the CLI and the report."""

from __future__ import annotations

import datetime as dt
import io
from contextlib import redirect_stdout

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from baclotrack.cli import main as cli_main
from baclotrack.clinic import adapters
from baclotrack.clinic.audit import Actor
from baclotrack.clinic.core_text import core_message, core_text
from baclotrack.clinic.models import Alert
from baclotrack.clinic.services.alerts import refresh_alerts
from baclotrack.clinic.services.assessments import record_assessment
from baclotrack.clinic.services.diary import DiaryEntry, save_diary_day
from baclotrack.core.alcohol import BEVERAGE_PRESETS
from baclotrack.core.diary import SIDE_EFFECTS
from baclotrack.core.i18n import Message
from baclotrack.core.instruments import INSTRUMENTS, score
from baclotrack.core.titration.protocols import PROTOCOLS

#: AUDIT answers scoring 23 (zone IV), as in the core's doctest.
AUDIT_ZONE_IV = [4, 4, 3, 2, 1, 2, 1, 0, 2, 4]
#: Core words that are spelt the same in French.
SAME_IN_FRENCH = {"Confusion", "Agitation", "1 or 2"}


def french_page(cast, who: str, url: str) -> str:
    http = cast.http(who)
    http.cookies["django_language"] = "fr"
    response = http.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    return response.content.decode()


def english_page(cast, who: str, url: str) -> str:
    response = cast.http(who).get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def core_strings() -> set[str]:
    """Every literal the core marks for translation and the clinic shows."""
    texts = set(SIDE_EFFECTS.values()) | {b.label for b in BEVERAGE_PRESETS.values()}
    texts |= {p.name for p in PROTOCOLS.values()} | {p.note for p in PROTOCOLS.values()}
    for instrument in INSTRUMENTS.values():
        texts.add(instrument.title)
        texts |= {item.label for item in instrument.items if instrument.id != "stai-y1"}
        texts |= {a.label for item in instrument.items for a in item.answers if a.label}
    texts |= {score("audit", AUDIT_ZONE_IV).band or "", score("gad-7", [0] * 7).band or ""}
    return texts


def test_every_core_text_the_clinic_shows_has_a_french_translation() -> None:
    with translation.override("fr"):
        untranslated = sorted(t for t in core_strings() if core_text(t) == t and t not in SAME_IN_FRENCH)
    assert untranslated == []


def test_own_diary_form_shows_side_effects_and_drinks_in_french(cast) -> None:
    day = timezone.localdate().isoformat()
    page = french_page(cast, "client_a", reverse("clinic:own_day", args=[day]))
    assert "Vertiges" in page and "Fourmillements ou engourdissement (paresthésies)" in page
    assert "Changement d&#x27;humeur" in page and "Nausées" in page
    assert "Bière (bouteille, 330 ml, 5 %)" in page
    assert "Dizziness" not in page and "Beer (bottle" not in page


def test_clinicians_diary_table_shows_reported_side_effects_in_french(cast) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    entry = DiaryEntry(craving=3, side_effects={"dizziness": 2, "somnolence": 1})
    save_diary_day(Actor(cast.clinician_a), cast.client_a, yesterday, entry)
    url = reverse("clinic:client_diary", args=[cast.client_a.pk])
    assert "Vertiges 2/3" in french_page(cast, "clinician_a", url)
    english = english_page(cast, "clinician_a", url)
    assert "Dizziness 2/3" in english and "Vertiges" not in english


def test_french_audit_form_shows_the_standard_french_items_and_answers(cast) -> None:
    page = french_page(cast, "clinician_a", reverse("clinic:assessment", args=[cast.client_a.pk, "audit"]))
    assert "Test d&#x27;identification des troubles liés à l&#x27;usage d&#x27;alcool" in page
    assert (
        "1. À quelle fréquence vous arrive-t-il de consommer des boissons contenant de l&#x27;alcool ?"
        in page
    )
    assert (
        "4 · Tous les jours ou presque" in page
        and "2 · Oui, mais pas au cours de l&#x27;année écoulée" in page
    )
    assert "How often" not in page


def test_english_audit_form_keeps_the_who_wording(cast) -> None:
    page = english_page(cast, "clinician_a", reverse("clinic:assessment", args=[cast.client_a.pk, "audit"]))
    assert "1. How often do you have a drink containing alcohol?" in page
    assert "4 · Daily or almost daily" in page and "fréquence" not in page


def test_stored_band_is_shown_in_the_readers_language(cast) -> None:
    answers = {str(n): a for n, a in enumerate(AUDIT_ZONE_IV, start=1)}
    record_assessment(Actor(cast.clinician_a), cast.client_a, "audit", timezone.localdate(), answers)
    url = reverse("clinic:baseline", args=[cast.client_a.pk])
    assert "Zone IV : dépendance à l&#x27;alcool possible" in french_page(cast, "clinician_a", url)
    assert "Zone IV: possible alcohol dependence" in english_page(cast, "clinician_a", url)
    dashboard = french_page(cast, "clinician_a", reverse("clinic:dashboard", args=[cast.client_a.pk]))
    assert "(Zone IV : dépendance à l&#x27;alcool possible)" in dashboard


def test_plan_form_names_the_protocols_in_french(cast) -> None:
    page = french_page(cast, "clinician_a", reverse("clinic:plan", args=[cast.client_a.pk]))
    assert "Guide de pratique RESAB, France" in page and "RCP Baclocur, France 2018" in page
    assert "RESAB practice guide" not in page


def test_core_message_is_translated_then_filled_with_its_numbers() -> None:
    stored = Message("{effect}: {days} days", {"effect": Message("Dizziness"), "days": 3}).to_dict()
    with translation.override("fr"):
        assert core_message(stored) == "Vertiges: 3 days"  # the unknown template stays English
        rendered = Template("{% load core_text %}{{ label|core_text }}|{{ empty|core_text }}").render(
            Context({"label": "Trouble sleeping", "empty": ""})
        )
    assert rendered == "Insomnie (difficultés à dormir)|"


def test_adapters_outside_a_french_request_stay_english() -> None:
    assert ("dizziness", "Dizziness") in adapters.side_effect_choices()
    assert ("beer", "Beer (bottle, 330 ml, 5 %)") in adapters.beverage_choices()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_cli_scores_in_english_whatever_the_active_language(language: str) -> None:
    out = io.StringIO()
    with translation.override(language), redirect_stdout(out):
        assert cli_main(["score", "audit", *map(str, AUDIT_ZONE_IV)]) == 0
    assert "Zone IV: possible alcohol dependence" in out.getvalue()


def test_prescriber_report_stays_english_for_a_french_reader(cast) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    save_diary_day(
        Actor(cast.clinician_a), cast.client_a, yesterday, DiaryEntry(side_effects={"dizziness": 2})
    )
    url = reverse("clinic:report", args=[cast.client_a.pk]) + "?format=html"
    report = french_page(cast, "clinician_a", url)
    assert "Dizziness" in report and "Vertiges" not in report


def test_french_alert_shows_its_french_texts_with_the_right_numbers(cast) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    entry = DiaryEntry(doses_mg=[10.0, 10.0, 10.0], side_effects={"dizziness": 3})
    save_diary_day(Actor(cast.clinician_a), cast.client_a, yesterday, entry)
    refresh_alerts(Actor(cast.clinician_a), cast.client_a)
    stored = Alert.objects.get(client=cast.client_a, rule_id="SE-SEVERE")
    assert stored.messages["title"] == {"template": "Severe side effect", "params": {}}
    url = reverse("clinic:dashboard", args=[cast.client_a.pk])
    page = french_page(cast, "clinician_a", url)
    assert "Effet indésirable sévère" in page
    assert f"sévère à 30 mg/j : vertiges 3/3 le {yesterday.isoformat()}." in page
    assert "Contactez la personne aujourd&#x27;hui et n&#x27;augmentez pas la dose" in page
    english = english_page(cast, "clinician_a", url)
    assert f"severe side effect at 30 mg/day: dizziness 3/3 on {yesterday.isoformat()}." in english
    assert stored.title == "Severe side effect" and "Effet" not in english


def test_alert_stored_before_messages_still_shows_a_fixed_title_in_french(cast) -> None:
    Alert.objects.filter(pk=cast.alert_a.pk).update(title="Baclofen stopped suddenly")
    resolve = french_page(cast, "clinician_a", reverse("clinic:alert_resolve", args=[cast.alert_a.pk]))
    assert "Arrêt brutal du baclofène" in resolve and "made by the test fixture" in resolve
