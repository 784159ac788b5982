"""The Evidence page: pooled trials, Cochrane 2023, forest plots and the caseload's practice data."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from baclotrack.analysis.meta import ConvergenceError
from baclotrack.clinic.demo import DEMO_CLIENTS, load_demo
from baclotrack.clinic.views import evidence as evidence_view
from baclotrack.evidence import OUTCOMES
from baclotrack.evidence.pooling import COCHRANE_2023, pool_outcome

from .test_doseresponse_view import client_with_diary


def course(grams_before: float, grams_recent: float) -> list[tuple[dt.date, float | None, int, float]]:
    """28 baseline days, then 60 days of treatment at 30 mg ending yesterday."""
    today = timezone.localdate()
    start = today - dt.timedelta(days=60)
    baseline = [(start - dt.timedelta(days=28 - i), None, 7, grams_before) for i in range(28)]
    treatment = [(start + dt.timedelta(days=i), 30.0, 3, grams_recent) for i in range(60)]
    return baseline + treatment


def test_every_outcome_shows_pooled_trials_or_the_reason_beside_cochrane(cast) -> None:
    response = cast.http("clinician_a").get(reverse("clinic:evidence"))
    assert response.status_code == 200
    page = response.content.decode()
    cards = {card["id"]: card for card in response.context["cards"]}
    assert set(cards) == set(OUTCOMES)
    for outcome in OUTCOMES:
        result = pool_outcome(outcome)
        if result.fit is None:
            assert cards[outcome]["pooled"] is None and result.reason in page
        else:
            assert cards[outcome]["pooled"]["k"] == result.fit.k_
            assert reverse("clinic:evidence_forest", args=[outcome]) in page
    assert "Cochrane review 2023" in page
    rtd = COCHRANE_2023["return_to_drinking"]
    assert cards["return_to_drinking"]["cochrane"]["estimate"] == f"{rtd['estimate']:.2f}"
    assert f"{rtd['estimate']:.2f}" in page


def test_forest_plot_is_an_svg_and_an_unknown_outcome_is_not_found(cast) -> None:
    http = cast.http("clinician_a")
    pooled = next(o for o in OUTCOMES if pool_outcome(o).fit is not None)
    response = http.get(reverse("clinic:evidence_forest", args=[pooled]))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content and b"Pooled" in response.content
    assert http.get(reverse("clinic:evidence_forest", args=["no_such_outcome"])).status_code == 404


def test_forest_plot_and_measure_are_in_the_readers_language(cast) -> None:
    http = cast.http("clinician_a")
    pooled = next(o for o in OUTCOMES if pool_outcome(o).fit is not None)
    url = reverse("clinic:evidence_forest", args=[pooled])
    english = http.get(url).content.decode()
    assert "Baclofen vs placebo" in english and "Pooled (" in english
    http.cookies["django_language"] = "fr"
    french = http.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Baclofène contre placebo" in french and "Estimation combinée (" in french
    assert "Pooled (" not in french and "Risk ratio" not in french
    page = http.get(reverse("clinic:evidence"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Risque relatif" in page and "Risk ratio" not in page


def test_practice_block_counts_only_the_clinicians_own_caseload(cast) -> None:
    client_with_diary(cast.clinician_a, "A-DRY", course(80.0, 0.0))
    client_with_diary(cast.clinician_a, "A-WET", course(80.0, 80.0))
    client_with_diary(cast.clinician_b, "B-DRY", course(80.0, 0.0))
    alice = cast.http("clinician_a").get(reverse("clinic:evidence")).context["practice"]
    bob = cast.http("clinician_b").get(reverse("clinic:evidence")).context["practice"]
    # The cast's own clients started 10 days ago: in the caseload, not yet eligible.
    assert (alice["clients"], alice["eligible"]) == (3, 2)
    assert (alice["abstinent"]["events"], alice["abstinent"]["n"]) == (1, 2)
    assert (alice["who_reduced"]["events"], alice["who_reduced"]["n"]) == (1, 2)
    assert (bob["clients"], bob["eligible"]) == (2, 1)
    assert (bob["abstinent"]["events"], bob["abstinent"]["n"]) == (1, 1)
    assert bob["pda_change"]["n"] == 1 and bob["pda_change"]["change"] == "100.0"


def test_practice_data_are_labelled_observational(cast) -> None:
    page = cast.http("clinician_a").get(reverse("clinic:evidence")).content.decode()
    assert "observational practice data, not a trial" in page
    assert "do not show what treatment caused" in page


@pytest.mark.django_db
def test_evidence_and_dashboards_render_for_the_simulated_demo_caseload() -> None:
    load_demo(timezone.localdate())
    http = HttpClient()
    assert http.login(username="demo", password="demo")
    response = http.get(reverse("clinic:evidence"))
    assert response.status_code == 200
    practice = response.context["practice"]
    assert practice["clients"] == DEMO_CLIENTS + 1
    assert 0 < practice["abstinent"]["n"] <= practice["eligible"] <= practice["clients"]
    rows = http.get("/caseload/").context["rows"]
    for row in rows[:3]:
        dashboard = http.get(reverse("clinic:dashboard", args=[row["client_id"]]))
        assert dashboard.status_code == 200 and dashboard.context["dose_response"]["available"]
        chart = http.get(reverse("clinic:dose_response_chart", args=[row["client_id"]]))
        assert chart.status_code == 200 and b"<svg" in chart.content


def test_evidence_page_and_dose_response_block_render_in_french(cast) -> None:
    http = cast.http("clinician_a")
    http.cookies["django_language"] = "fr"
    evidence = http.get(reverse("clinic:evidence"), HTTP_ACCEPT_LANGUAGE="fr")
    assert "données observationnelles de pratique, pas un essai" in evidence.content.decode()
    dashboard = http.get(reverse("clinic:dashboard", args=[cast.client_a.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Dose d'indifférence" in dashboard.content.decode()


def test_a_pooling_that_does_not_converge_shows_its_message_instead_of_numbers(cast, monkeypatch) -> None:
    def no_convergence(outcome: str, **_settings: object) -> None:
        raise ConvergenceError(f"REML did not converge for {outcome}; try method DL")

    monkeypatch.setattr(evidence_view, "pool_outcome", no_convergence)
    http = cast.http("clinician_a")
    response = http.get(reverse("clinic:evidence"))
    assert response.status_code == 200
    assert all(card["pooled"] is None for card in response.context["cards"])
    assert "REML did not converge for return_to_drinking; try method DL" in response.content.decode()
    forest = http.get(reverse("clinic:evidence_forest", args=["return_to_drinking"]))
    assert forest.status_code == 200 and b"try method DL" in forest.content


def _english_reasons() -> list[str]:
    """Every reason sentence the pooling gives for the bundled trials, in English."""
    reasons = []
    for outcome in OUTCOMES:
        result = pool_outcome(outcome, by="dose")
        reasons += [result.reason or ""]
        reasons += [result.dose.regression_reason or ""] if result.dose is not None else []
    return [reason for reason in reasons if reason]


def test_french_evidence_page_gives_the_pooling_reasons_in_french(cast) -> None:
    http = cast.http("clinician_a")
    http.cookies["django_language"] = "fr"
    page = html.unescape(http.get(reverse("clinic:evidence"), HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    assert (
        "non regroupé : aucun essai fourni ne rapporte en entier le critère "
        "« abandon pour effets indésirables » pour un bras baclofène et son bras placebo"
    ) in page
    assert (
        "Pas de méta-régression sur la dose : la méta-régression sur la dose demande au moins "
        "3 comparaisons dont la dose est connue ; 2 ici"
    ) in page
    english = _english_reasons()
    assert len(english) >= 2  # the bundled data leave outcomes unpooled and regressions undone
    assert [reason for reason in english if reason in page] == []
    assert "bundled trial reports" not in page and "needs at least" not in page


def test_english_evidence_page_keeps_the_english_reasons(cast) -> None:
    page = html.unescape(cast.http("clinician_a").get(reverse("clinic:evidence")).content.decode())
    assert [reason for reason in _english_reasons() if reason not in page] == []


def test_engine_warnings_are_shown_in_the_readers_language(cast, monkeypatch) -> None:
    def common_effect_with_knapp_hartung(outcome: str, **settings: object) -> object:
        return pool_outcome(outcome, **settings, method="FE", knha=True)

    monkeypatch.setattr(evidence_view, "pool_outcome", common_effect_with_knapp_hartung)
    http = cast.http("clinician_a")
    english = http.get(reverse("clinic:evidence")).content.decode()
    assert "Knapp-Hartung is meant for random-effects models (metafor warns the same)" in english
    http.cookies["django_language"] = "fr"
    french = html.unescape(http.get(reverse("clinic:evidence"), HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    assert "Knapp-Hartung est prévu pour les modèles à effets aléatoires" in french
    assert "is meant for random-effects models" not in french
