"""The client's N-of-1 dose-response: a small summary block for the dashboard and its chart as SVG.

The numbers and the drawing come from :mod:`baclotrack.analysis.doseresponse` (the fit, the
indifference dose of core/titration/indifference.py and its rule); this module only turns them
into page values. The chart is its own URL, so the dashboard does not wait for matplotlib
(docs/decisions/0121-dose-response-on-the-dashboard.md). The fit and the chart are each
computed once per change of the client's diary and kept per process, keyed by the fit's inputs
(clinic/dashboard_cache.py, docs/decisions/0150-dashboard-cache-by-content.md).
"""

from __future__ import annotations

import io
from contextlib import AbstractContextManager
from typing import Any

import matplotlib as mpl
import polars as pl
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import floatformat
from django.utils import translation
from django.utils.translation import gettext as _
from matplotlib.figure import Figure

from baclotrack.analysis.doseresponse import DoseResponse, plot_dose_response
from baclotrack.clinic import adapters, dashboard_cache
from baclotrack.clinic.access import get_client
from baclotrack.clinic.core_text import core_message, core_text
from baclotrack.clinic.models import Client
from baclotrack.clinic.views.helpers import clinician_required
from baclotrack.core.errors import InputError
from baclotrack.core.titration.indifference import DEFAULT_CRAVING_THRESHOLD, DEFAULT_MIN_DAYS


def svg_style() -> AbstractContextManager[None]:
    """matplotlib settings for SVG served to a browser: text stays text (no font files to fetch),
    and a fixed hash salt makes the same data give the same file."""
    return mpl.rc_context({"svg.hashsalt": "baclotrack", "svg.fonttype": "none", "font.size": 9})


def figure_svg(fig: Figure) -> str:
    """The figure as an SVG document (rendered under :func:`svg_style`)."""
    buffer = io.StringIO()
    with svg_style():
        fig.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return buffer.getvalue()


def message_svg(text: str) -> str:
    """A small SVG that says why there is no chart (instead of a broken image)."""
    with svg_style():
        fig = Figure(figsize=(6.4, 1.2))
        fig.text(0.5, 0.5, text.replace("$", r"\$"), ha="center", va="center", wrap=True)
        return figure_svg(fig)


def _fit(diary: pl.DataFrame, patient: dict[str, Any]) -> tuple[DoseResponse | None, str | None]:
    """The fitted analysis with the class's defaults (craving, same-day dose), or why there is none
    (None for an empty diary: this result is cached for readers of every language, so the page
    words it in the reader's own, :func:`_no_fit_reason`)."""
    if diary.is_empty():
        return None, None
    try:
        return DoseResponse().fit(diary, patient), None
    except InputError as exc:
        return None, str(exc)


def _no_fit_reason(problem: str | None) -> str:
    return _("No diary days yet.") if problem is None else problem


def indifference_rule() -> str:
    return _(
        "Indifference dose: the lowest daily dose taken unchanged on %(days)s consecutive diary days, "
        "each with craving at or below %(craving)s of 10 and no heavy drinking day."
    ) % {"days": DEFAULT_MIN_DAYS, "craving": DEFAULT_CRAVING_THRESHOLD}


def _interval(ci: tuple[float | None, float | None], digits: int = 1) -> str:
    """A profile interval as text; an end the data do not bound is said to be unbounded."""
    low, high = (_("unbounded") if end is None else floatformat(end, digits) for end in ci)
    return _("%(low)s to %(high)s") % {"low": low, "high": high}


def _per_kg(ed50: dict[str, Any] | None) -> dict[str, Any] | None:
    """ED50 in mg/kg/day with its interval, as the analysis reports it (None without a weight)."""
    if ed50 is None:
        return None
    return {"estimate": ed50["estimate"], "ci": _interval((ed50["ci_lower"], ed50["ci_upper"]), 2)}


def dose_response_summary(client: Client) -> dict[str, Any]:
    """Page values: the indifference dose (or why not reached) and the Emax curve (or why not);
    fitted once per change of the diary."""
    return _summary(*fitted_dose_response(client)[2:])


def fitted_dose_response(
    client: Client,
) -> tuple[pl.DataFrame, dict[str, Any], DoseResponse | None, str | None]:
    """The fit's inputs, the fit and why there is none; fitted once per change of those inputs, for
    both the dashboard's summary and the chart."""
    diary, patient = adapters.dose_response_inputs(client)
    fit = dashboard_cache.cached(
        "dose-response-fit", client.pk, (diary, patient), lambda: _fit(diary, patient)
    )
    return diary, patient, *fit


def _summary(result: DoseResponse | None, problem: str | None) -> dict[str, Any]:
    if result is None:
        return {"available": False, "problem": _no_fit_reason(problem), "rule": indifference_rule()}
    ind, fit = result.indifference_, result.emax_
    summary: dict[str, Any] = {
        "available": True,
        "rule": indifference_rule(),
        "lag_days": result.lag_days,
        "outcome": fit.outcome,
        "indifference": {
            "reached": ind.reached,
            "dose_mg": ind.dose_mg,
            "mg_per_kg": result.to_dict()["indifference"]["dose_mg_per_kg"],
            "date": ind.date_reached,
            "reason": core_message(ind.message),
        },
        "emax": {
            "identifiable": fit.identifiable,
            "reason": None if fit.reason_message is None else core_message(fit.reason_message),
            "days": fit.days,
        },
    }
    est = fit.estimate
    if est is not None:
        summary["emax"] |= {
            "level_percent": est.level * 100,
            "e0": est.e0,
            "e0_ci": _interval(est.ci["e0"]),
            "emax": est.emax,
            "emax_ci": _interval(est.ci["emax"]),
            "ed50": est.ed50,
            "ed50_ci": _interval(est.ci["ed50"]),
            "ed50_mg_per_kg": _per_kg(fit.to_dict().get("ed50_mg_per_kg")),
        }
    return summary


@clinician_required
def dose_response_svg(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client(request.user, client_id)
    return HttpResponse(client_dose_response_svg(client), content_type="image/svg+xml")


def client_dose_response_svg(client: Client) -> str:
    """The dose-response figure, drawn once per change of the diary and language."""
    diary, patient, result, problem = fitted_dose_response(client)
    # The figure's texts are in the reader's language: one drawing per language.
    language = translation.get_language()
    return dashboard_cache.cached(
        "dose-response-svg", client.pk, (diary, patient, language), lambda: _svg(result, problem)
    )


def _svg(result: DoseResponse | None, problem: str | None) -> str:
    if result is None:
        return message_svg(_no_fit_reason(problem))
    with svg_style():
        return figure_svg(plot_dose_response(result, translate=core_text))
