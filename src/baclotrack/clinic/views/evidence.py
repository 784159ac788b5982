"""The Evidence page: the bundled trials pooled per outcome, Cochrane 2023 beside them, and the
clinician's own caseload counted the same way, labelled as observational practice data.

Pooling, forest plots and meta-regression come from :mod:`baclotrack.evidence.pooling` and
:mod:`baclotrack.analysis.meta`; the practice numbers from :mod:`baclotrack.core.practice` through
the adapters, on ``clients_for(request.user)`` only. This module formats; it computes nothing.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from baclotrack.analysis.meta import ConvergenceError, forest_plot
from baclotrack.analysis.meta.plots import MEASURE_LABELS
from baclotrack.clinic import adapters
from baclotrack.clinic.access import clients_for
from baclotrack.clinic.core_text import core_message, core_text
from baclotrack.clinic.views.doseresponse import figure_svg, message_svg, svg_style
from baclotrack.clinic.views.helpers import clinician_required
from baclotrack.core.i18n import Message
from baclotrack.core.practice import MeanChange, PracticeOutcomes, Proportion
from baclotrack.evidence import OUTCOMES
from baclotrack.evidence.pooling import COCHRANE_2023, OutcomePooling, pool_outcome

#: Page titles of the outcome ids of evidence/data.py (marked for translation, translated when shown).
OUTCOME_TITLES = {
    "return_to_drinking": gettext_noop("Return to any drinking"),
    "abstinence": gettext_noop("Total abstinence"),
    "dropout": gettext_noop("Dropout"),
    "dropout_adverse_event": gettext_noop("Dropout because of adverse events"),
    "any_adverse_event": gettext_noop("Any adverse event"),
    "percent_days_abstinent": gettext_noop("Percent days abstinent"),
    "percent_heavy_drinking_days": gettext_noop("Percent heavy drinking days"),
    "drinks_per_drinking_day": gettext_noop("Drinks per drinking day"),
}
#: Which practice figure sits beside which trial outcome (core/practice.py defines them).
PRACTICE_BESIDE = {
    "return_to_drinking": "abstinent",
    "abstinence": "abstinent",
    "percent_days_abstinent": "pda_change",
}
#: Slopes of the dose meta-regression are shown per this many mg/day (per mg is too small to read).
DOSE_STEP_MG = 100.0


def _num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else str(floatformat(value, digits))


def _range(low: float | None, high: float | None, digits: int = 2) -> str:
    return _("%(low)s to %(high)s") % {"low": _num(low, digits), "high": _num(high, digits)}


def _p(value: float | None) -> str:
    """A p-value as it is written: "p = 0.073", or "p < 0.001" below a thousandth."""
    if value is None:
        return "p = –"
    return "p < 0.001" if value < 0.001 else f"p = {floatformat(value, 3)}"


def _reason(message: Message | None) -> str | None:
    """A reason from the pooling, in the reader's language."""
    return None if message is None else core_message(message)


def _pooled(result: OutcomePooling) -> dict[str, Any] | None:
    """The pooled estimate on the scale a reader knows (RR, not log RR), with heterogeneity."""
    if result.fit is None:
        return None
    d = result.fit.to_dict()
    shown = d.get("exp", d)
    return {
        "k": d["k"],
        "estimate": _num(shown["estimate"]),
        "ci": _range(shown["ci_low"], shown["ci_high"]),
        "pi": None if shown["pi_low"] is None else _range(shown["pi_low"], shown["pi_high"]),
        "p": _p(d["pval"]),
        "i2": _num(d["i2"], 1),
        "tau2": _num(d["tau2"], 3),
    }


def _dose_regression(result: OutcomePooling) -> dict[str, Any] | None:
    """The meta-regression slope per DOSE_STEP_MG mg/day, or the reason there is none."""
    if result.dose is None:
        return None
    regression = result.dose.regression
    if regression is None:
        return {"reason": _reason(result.dose.regression_reason_message)}
    slope = regression.to_frame().row(1, named=True)
    scaled = {k: slope[k] * DOSE_STEP_MG for k in ("estimate", "ci_low", "ci_high")}
    return {
        "reason": None,
        "k": regression.k_,
        "slope": _num(scaled["estimate"], 3),
        "ci": _range(scaled["ci_low"], scaled["ci_high"], 3),
        "p": _p(slope["pval"]),
        "r2": _num(regression.r2_, 1),
        "log_scale": result.measure.is_log_scale,
        "step_mg": f"{DOSE_STEP_MG:g}",
    }


def _cochrane(outcome: str) -> dict[str, Any] | None:
    row = COCHRANE_2023.get(outcome)
    if row is None:
        return None
    return {
        "measure": row["measure"],
        "estimate": _num(row["estimate"]),
        "ci": _range(row["ci_low"], row["ci_high"]),
        "studies": row["studies"],
    }


def outcome_card(outcome: str) -> dict[str, Any]:
    """Everything the page shows about one outcome; a failed fit becomes a plain reason."""
    card: dict[str, Any] = {
        "id": outcome,
        "title": _(OUTCOME_TITLES.get(outcome, outcome)),
        "cochrane": _cochrane(outcome),
        "practice": PRACTICE_BESIDE.get(outcome),
    }
    try:
        result = pool_outcome(outcome, by="dose")
    except ConvergenceError as exc:
        return card | {"pooled": None, "reason": str(exc), "dose": None, "warnings": []}
    return card | {
        "measure": core_text(MEASURE_LABELS[result.measure.value]),
        "method": result.method.value,
        "comparisons": result.table.height,
        "trials": result.trials,
        "pooled": _pooled(result),
        "reason": _reason(result.reason_message),
        "dose": _dose_regression(result),
        "warnings": [core_text(warning) for warning in result.warnings],
    }


def _proportion(value: Proportion) -> dict[str, Any]:
    return {
        "events": value.events,
        "n": value.n,
        "percent": _num(value.percent, 0),
        "ci": None if value.ci_low is None else _range(value.ci_low, value.ci_high, 0),
    }


def _change(value: MeanChange) -> dict[str, Any]:
    return {
        "n": value.n,
        "baseline": _num(value.baseline_mean, 1),
        "recent": _num(value.recent_mean, 1),
        "change": _num(value.mean_change, 1),
        "ci": None if value.ci_low is None else _range(value.ci_low, value.ci_high, 1),
    }


def practice_block(outcomes: PracticeOutcomes) -> dict[str, Any]:
    return {
        "clients": outcomes.clients,
        "eligible": outcomes.eligible,
        "window_days": outcomes.window_days,
        "min_reported_percent": _num(outcomes.min_reported_share * 100, 0),
        "levels_reduced": outcomes.levels_reduced,
        "heavy_source": outcomes.heavy_source,
        "baseline_reported": _num(outcomes.baseline_reported_percent, 0),
        "recent_reported": _num(outcomes.recent_reported_percent, 0),
        "abstinent": _proportion(outcomes.abstinent),
        "who_reduced": _proportion(outcomes.who_reduced),
        "pda_change": _change(outcomes.pda_change),
    }


@clinician_required
def evidence(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    caseload = list(clients_for(request.user))
    context = {
        "today": today,
        "cards": [outcome_card(outcome) for outcome in OUTCOMES],
        "practice": practice_block(adapters.practice_outcomes(caseload, today)),
    }
    return render(request, "clinic/evidence.html", context)


@clinician_required
def forest_svg(request: HttpRequest, outcome: str) -> HttpResponse:
    if outcome not in OUTCOMES:
        raise Http404("no such outcome")
    try:
        result = pool_outcome(outcome)
    except ConvergenceError as exc:
        return HttpResponse(message_svg(str(exc)), content_type="image/svg+xml")
    if result.fit is None:
        return HttpResponse(message_svg(_reason(result.reason_message) or ""), content_type="image/svg+xml")
    title = _("Baclofen vs placebo, %(outcome)s: %(measure)s (%(method)s)") % {
        "outcome": _(OUTCOME_TITLES[outcome]),
        "measure": result.measure.value,
        "method": result.method.value,
    }
    with svg_style():
        svg = figure_svg(forest_plot(result.fit, title=title, translate=core_text))
    return HttpResponse(svg, content_type="image/svg+xml")
