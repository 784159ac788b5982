"""Text that comes from the pure core (questionnaires, side effects, beverages, protocols, bands,
plan notes, cap labels, questionnaire flags) is shown in French on French pages and stays English
on English pages, the CLI and the report."""

from __future__ import annotations

import ast
import datetime as dt
import gettext
import io
import os
import shutil
import string
import subprocess
import sys
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from baclotrack import clinic
from baclotrack.cli import main as cli_main
from baclotrack.clinic import adapters
from baclotrack.clinic.audit import Actor
from baclotrack.clinic.core_text import core_message, core_messages, core_text
from baclotrack.clinic.management.commands.makemessages import PURE_DIRS
from baclotrack.clinic.management.commands.makemessages import Command as MakeMessages
from baclotrack.clinic.models import Alert, PlanStep
from baclotrack.clinic.services.alerts import refresh_alerts
from baclotrack.clinic.services.assessments import record_assessment
from baclotrack.clinic.services.diary import DiaryEntry, save_diary_day
from baclotrack.clinic.services.plans import choose_protocol
from baclotrack.core.alcohol import BEVERAGE_PRESETS
from baclotrack.core.diary import SIDE_EFFECTS
from baclotrack.core.i18n import Message, context_of
from baclotrack.core.instruments import INSTRUMENTS, score
from baclotrack.core.titration.caps import HIGHEST_STUDIED_CAP, REGULATORY_CAPS, RENAL_BANDS, user_cap
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


def core_strings() -> list[str]:
    """Every literal the core marks for translation and the clinic shows (a list, not a set: the
    GAD-7's "Not at all" equals the STAI's as a string and differs only by its context)."""
    texts = [*SIDE_EFFECTS.values(), *(b.label for b in BEVERAGE_PRESETS.values())]
    texts += [p.name for p in PROTOCOLS.values()] + [p.note for p in PROTOCOLS.values()]
    for instrument in INSTRUMENTS.values():
        texts.append(instrument.title)
        texts += [item.label for item in instrument.items]
        texts += [a.label for item in instrument.items for a in item.answers if a.label]
    texts += [score("audit", AUDIT_ZONE_IV).band or "", score("gad-7", [0] * 7).band or ""]
    caps = [*REGULATORY_CAPS.values(), HIGHEST_STUDIED_CAP, user_cap(50)]
    texts += [c.label_message.template for c in caps] + [b.name for b in RENAL_BANDS]
    return texts


def test_every_core_text_the_clinic_shows_has_a_french_translation() -> None:
    with translation.override("fr"):
        untranslated = sorted(
            (context_of(t) or "", t) for t in core_strings() if core_text(t) == t and t not in SAME_IN_FRENCH
        )
    assert untranslated == []


#: The compiled French catalogue, as committed (decision 0084).
FRENCH_MO = Path(clinic.__file__).parent / "locale" / "fr" / "LC_MESSAGES" / "django.mo"
#: The core's markers (baclotrack.core.i18n) and the xgettext keyword that extracts each.
MARKERS = {"N_": "--keyword=N_", "NC_": "--keyword=NC_:1c,2"}
MISSING = "\x00missing"


class _Missing(gettext.NullTranslations):
    """Fallback that tells a missing entry from a translation spelt like the English."""

    def gettext(self, message: str) -> str:
        return MISSING

    def pgettext(self, context: str, message: str) -> str:
        return MISSING


#: The Django-free packages (ARCHITECTURE.md); each may mark text the clinic shows.
PURE_PACKAGES = ("core", "analysis", "evidence", "exchange")


def marked_literals() -> Iterator[tuple[str | None, str, str]]:
    """(context, English, where) of every ``N_``/``NC_`` call in the pure packages; a call that
    xgettext could not extract (not literal strings) fails the test that reads them."""
    src = Path(clinic.__file__).parent.parent
    for path in sorted(p for package in PURE_PACKAGES for p in (src / package).rglob("*.py")):
        if path.name == "i18n.py":  # defines the markers (and rebuilds stored messages with NC_)
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id not in MARKERS:
                continue
            where = f"{path.relative_to(src)}:{node.lineno}"
            values = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            assert len(values) == len(node.args) == (2 if node.func.id == "NC_" else 1), where
            yield (values[0], values[1], where) if node.func.id == "NC_" else (None, values[0], where)


def fields(template: str) -> set[tuple[str, str]]:
    return {(name, spec or "") for _, name, spec, _ in string.Formatter().parse(template) if name is not None}


def test_every_marked_core_literal_is_extracted_and_in_the_french_catalogue_with_its_fields() -> None:
    assert set(MARKERS.values()) <= set(MakeMessages.xgettext_options)
    src = Path(clinic.__file__).resolve().parent.parent
    assert {src / package for package in PURE_PACKAGES} <= set(PURE_DIRS)  # makemessages scans them all
    with FRENCH_MO.open("rb") as mo:
        french = gettext.GNUTranslations(mo)
    french.add_fallback(_Missing())
    literals = list(marked_literals())
    assert ("GAD-7", "Not at all") in {(c, t) for c, t, _ in literals}  # contexts are found too
    packages = {where.split("/")[0] for _, _, where in literals}
    assert {"core", "analysis", "evidence"} <= packages  # the pooling and Emax reasons are read too
    missing, wrong_fields = [], []
    for context, english, where in literals:
        translated = french.pgettext(context, english) if context else french.gettext(english)
        if translated == MISSING:
            missing.append(f"{where} {english!r}")
        elif fields(translated) != fields(english):
            wrong_fields.append(f"{where} {english!r} -> {translated!r}")
    assert missing == [] and wrong_fields == []


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


def test_plan_step_notes_are_shown_in_french_on_the_dashboard(cast) -> None:
    start = timezone.localdate()
    choose_protocol(
        Actor(cast.clinician_a), cast.client_a, protocol="resab", start_date=start, max_dose_mg=80
    )
    url = reverse("clinic:dashboard", args=[cast.client_a.pk])
    page = french_page(cast, "clinician_a", url)
    assert "début à 15 mg/j : maintenu 3 jours (Guide de pratique RESAB, France)" in page
    assert "+15 mg/j (palier tous les 4 jours, puis plateau de 7 jours)" in page
    assert "plafonné à 80 mg/j : le maximum fixé par le prescripteur pour cette personne" in page
    assert "start at 15 mg/day" not in page and "capped at" not in page
    english = english_page(cast, "clinician_a", url)
    assert "start at 15 mg/day: held 3 days (RESAB practice guide, France)" in english
    assert "capped at 80 mg/day: the prescriber&#x27;s maximum for this client" in english


def test_renal_plan_note_names_the_band_in_french(cast) -> None:
    cast.client_a.creatinine_clearance = 40
    cast.client_a.save()
    plan = choose_protocol(
        Actor(cast.clinician_a),
        cast.client_a,
        protocol="spasticity-label",
        start_date=timezone.localdate(),
        max_dose_mg=80,
    )
    first = PlanStep.objects.filter(plan=plan).order_by("day").first()
    assert first is not None
    with translation.override("fr"):
        note = core_messages(first.messages, first.note)
    assert "15 mg/j prévus, dose réduite de moitié pour une ClCr de 40 ml/min" in note
    assert "(RENAL-MODERATE : insuffisance rénale modérée, Vlavonou 2014)" in note


def test_plan_step_stored_without_messages_shows_its_english_note(cast) -> None:
    plan = choose_protocol(
        Actor(cast.clinician_a),
        cast.client_a,
        protocol="resab",
        start_date=timezone.localdate(),
        max_dose_mg=80,
    )
    PlanStep.objects.filter(plan=plan).update(messages=[])
    page = french_page(cast, "clinician_a", reverse("clinic:dashboard", args=[cast.client_a.pk]))
    assert "start at 15 mg/day: held 3 days (RESAB practice guide, France)" in page


def test_cap_label_inside_an_alert_is_translated_before_it_is_interpolated(cast) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    entry = DiaryEntry(doses_mg=[40.0, 40.0, 40.0])
    save_diary_day(Actor(cast.clinician_a), cast.client_a, yesterday, entry)
    refresh_alerts(Actor(cast.clinician_a), cast.client_a)
    stored = Alert.objects.get(client=cast.client_a, rule_id="DOSE-TAKEN-ABOVE-CAP")
    assert stored.reason.endswith(
        "above the 80 mg/day cap (FR-2017 regulatory cap (ANSM, 24 July 2017); prescribing country: FR)."
    )
    page = french_page(cast, "clinician_a", reverse("clinic:dashboard", args=[cast.client_a.pk]))
    # The label nested in the jurisdiction's wording (decision 0175) is translated in turn; the
    # wording itself is checked by the catalogue test above.
    assert (
        f"La personne a pris 120 mg le {yesterday.isoformat()}, au-dessus du plafond de 80 mg/j "
        "(plafond réglementaire FR-2017 (ANSM, 24 juillet 2017)"
    ) in page


def test_questionnaire_flags_are_shown_in_the_readers_language(cast) -> None:
    answers = {str(n): a for n, a in enumerate(AUDIT_ZONE_IV, start=1)}
    record_assessment(Actor(cast.clinician_a), cast.client_a, "audit", timezone.localdate(), answers)
    url = reverse("clinic:baseline", args=[cast.client_a.pk])
    page = french_page(cast, "clinician_a", url)
    assert "<th>Points d'attention</th>" in page
    assert (
        "Items 4 à 6 (symptômes de dépendance) : total 5 (≥ 4), évoque une dépendance à l&#x27;alcool."
        in page
    )
    assert "Items 7 à 10 (dommages) : total 7 ; des dommages liés à l&#x27;alcool sont déjà présents." in page
    assert "suggests alcohol dependence" not in page
    english = english_page(cast, "clinician_a", url)
    assert "Items 4-6 (dependence symptoms) sum to 5 (&gt;= 4): suggests alcohol dependence." in english


def test_visit_questionnaire_flag_is_shown_in_french_on_the_dashboard(cast) -> None:
    answers = {str(n): a for n, a in enumerate([3, 3, 2, 2, 1, 1, 0], start=1)}
    record_assessment(
        Actor(cast.clinician_a), cast.client_a, "gad-7", timezone.localdate(), answers, kind="visit"
    )
    page = french_page(cast, "clinician_a", reverse("clinic:dashboard", args=[cast.client_a.pk]))
    assert "(Anxiété modérée)" in page
    assert (
        "GAD-7 12, au seuil de 10 ou au-dessus : trouble anxieux généralisé probable ; "
        "une évaluation approfondie est recommandée."
    ) in page


def test_gad7_answers_use_the_french_gad7_wording_and_stai_keeps_its_own(cast) -> None:
    gad7 = french_page(cast, "clinician_a", reverse("clinic:assessment", args=[cast.client_a.pk, "gad-7"]))
    for anchor in ("0 · Jamais", "1 · Plusieurs jours", "2 · Plus de la moitié du temps", "3 · Presque tous"):
        assert anchor in gad7
    assert "Pas du tout" not in gad7
    stai = french_page(cast, "clinician_a", reverse("clinic:assessment", args=[cast.client_a.pk, "stai-y1"]))
    assert "1 · Pas du tout" in stai and "Jamais" not in stai
    english = english_page(
        cast, "clinician_a", reverse("clinic:assessment", args=[cast.client_a.pk, "gad-7"])
    )
    assert "0 · Not at all" in english


def test_other_instruments_keep_their_french_anchors() -> None:
    with translation.override("fr"):
        audit = dict(adapters.instrument_items("audit")[0][2])
        gad7 = dict(adapters.instrument_items("gad-7")[0][2])
        stai = dict(adapters.instrument_items("stai-y1")[0][2])
    assert audit[0] == "0 · Jamais" and audit[4] == "4 · Au moins 4 fois par semaine"
    assert gad7[0] == "0 · Jamais" and gad7[3] == "3 · Presque tous les jours"
    assert stai[1] == "1 · Pas du tout" and stai[2] == "2 · Un peu"


def test_the_indifference_alert_explains_itself_in_french() -> None:
    from baclotrack.core.diary import DiaryDay
    from baclotrack.core.titration.rules import ClientContext, evaluate

    today = dt.date(2026, 6, 30)
    calm = [
        DiaryDay(today - dt.timedelta(days=n), grams=0.0, craving=1, anxiety=2, dose_taken_mg=60.0)
        for n in range(20)
    ]
    (alert,) = [
        a for a in evaluate(ClientContext(sex="F"), None, calm, today) if a.rule_id == "INDIFFERENCE-REACHED"
    ]
    english = alert.reason
    with translation.override("fr"):
        french = core_message(alert.messages["reason"])
    assert "consecutive diary days" in english
    assert "jours consécutifs du journal" in french and "envie de boire <= 2" in french
    assert "consecutive" not in french and "craving" not in french


def test_french_dashboard_writes_doses_in_french_units_and_explains_indifference_in_french(cast) -> None:
    import re

    actor = Actor(cast.clinician_a)
    start = cast.client_a.treatment_start
    choose_protocol(actor, cast.client_a, protocol="resab", start_date=start, max_dose_mg=80)
    today = timezone.localdate()
    for n in range(1, 25):  # calm days at 30 mg/day: enough for a dose-response summary
        entry = DiaryEntry(
            drinks=[], craving=5 if n % 2 else 3, anxiety=2, doses_mg=[30.0 if n % 3 else 15.0]
        )
        save_diary_day(actor, cast.client_a, today - dt.timedelta(days=n), entry)
    page = french_page(cast, "clinician_a", reverse("clinic:dashboard", args=[cast.client_a.pk]))
    text = re.sub(r"<svg.*?</svg>", " ", page, flags=re.S)
    assert "mg/j" in text
    assert "mg/day" not in text
    assert "Dose d'indifférence" in text or "Dose d&#x27;indifférence" in text  # the summary is shown
    assert "non atteinte" in text
    assert "not reached" not in text and "consecutive" not in text


def test_every_text_of_the_clinics_pages_and_code_is_in_the_french_catalogue(tmp_path: Path) -> None:
    """Django's makemessages extracts every marked text of the clinic's templates and Python code
    (in a copy, so the committed catalogue is never rewritten); gettext's msgcmp then lists those
    with no French translation in the committed catalogue (empty or fuzzy entries count as none)."""
    if shutil.which("xgettext") is None or shutil.which("msgcmp") is None:
        if os.environ.get("BACLOTRACK_REQUIRE_GETTEXT"):
            pytest.fail("GNU gettext (xgettext, msgcmp) is required here (.ci/run installs it)")
        pytest.skip("GNU gettext is not installed (Debian package gettext)")
    app = Path(clinic.__file__).parent
    copy = tmp_path / "clinic"
    shutil.copytree(app, copy, ignore=shutil.ignore_patterns("locale", "__pycache__", "static"))
    (copy / "locale").mkdir()
    # Without settings, makemessages writes into ./locale of the copy, never into LOCALE_PATHS.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    command = [sys.executable, "-m", "django", "makemessages", "-l", "fr", "--no-location"]
    subprocess.run(command, cwd=copy, env=env, check=True, capture_output=True)
    extracted = copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    assert extracted.read_text(encoding="utf-8").count("msgid ") > 300
    compared = subprocess.run(
        ["msgcmp", str(FRENCH_MO.with_suffix(".po")), str(extracted)], capture_output=True, text=True
    )
    # Errors: "used but not defined", "untranslated", "fuzzy"; entries only the core uses are
    # warnings ("not used"), checked by the test above.
    missing = [line for line in compared.stderr.splitlines() if "warning:" not in line]
    assert compared.returncode == 0 and missing == [], "\n".join(missing)
