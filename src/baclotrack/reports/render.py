"""The prescriber's report rendered from ONE template: printable HTML, and PDF through WeasyPrint.

    html = render_report(data, "html")   # UTF-8 bytes of a self-contained HTML page
    pdf = render_report(data, "pdf")     # PDF bytes, A4, one or two pages

The template (templates/prescriber_report.html) is rendered by Django's template engine used
standalone (``django.template.Engine``), so no Django settings or project are needed. Every
value reaches the template already formatted as text here: the template lays out, it never
computes, and Django filters that read settings (floatformat, date) are never used. Nothing is
loaded from the network: the CSS is inline, the chart is inline SVG, fonts are the system's
DejaVu (docs/prescriber-report.md).
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any, Final, Literal

from django.template import Context, Engine
from django.utils.safestring import mark_safe

from baclotrack.core.diary import SEVERITY_LABELS
from baclotrack.core.errors import InputError
from baclotrack.core.guidelines import WHO_LEVEL_SOURCE, WhoRiskLevel
from baclotrack.reports.charts import timeline_svg
from baclotrack.reports.evidence_box import EvidenceBox
from baclotrack.reports.figures import DoseHistory, ScaleTrend
from baclotrack.reports.prescriber import DrinkingWindow, ReportData

ReportFormat = Literal["html", "pdf"]
FORMATS: Final = ("html", "pdf")
TEMPLATE_DIR: Final = Path(__file__).parent / "templates"
TEMPLATE_NAME: Final = "prescriber_report.html"
#: At most this many trial arms in the evidence box; the rest are counted, so page 2 holds.
MAX_EVIDENCE_ARMS: Final = 5
#: At most this many 4-week blocks in the drinking table (the first and the latest), so that a
#: year of treatment still leaves page 1 to the key figures, the chart and the table.
MAX_BLOCK_ROWS: Final = 5
DASH: Final = "–"
#: The chart is drawn 11 inches wide and scaled to the 184 mm text width: short enough that
#: page 1 keeps the key figures, the chart and the drinking table, and its 9 pt text still
#: prints at about 6 pt.
CHART_WIDTH_IN: Final = 11.0


class ReportFormatError(InputError):
    """An output format the report cannot be rendered in."""


@lru_cache(maxsize=1)
def _engine() -> Engine:
    return Engine(dirs=[str(TEMPLATE_DIR)], autoescape=True)


def _mg(value: float | None) -> str:
    return DASH if value is None else f"{value:g} mg/day"


def _num(value: float | None, digits: int = 1) -> str:
    return DASH if value is None else f"{value:.{digits}f}"


def _date(value: dt.date | None) -> str:
    return DASH if value is None else value.isoformat()


def _who(level: WhoRiskLevel | None) -> str:
    return "unknown" if level is None else level.name.replace("_", " ").lower()


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _drinking_row(window: DrinkingWindow) -> dict[str, str]:
    return {
        "label": window.label,
        "dates": f"{_date(window.first)} to {_date(window.last)}",
        "coverage": f"{window.coverage.reported}/{window.coverage.days}",
        "drinks_per_day": _num(window.drinks_per_day),
        "grams_per_day": _num(window.grams_per_day, 0),
        "heavy_days": DASH if window.heavy_days is None else str(window.heavy_days),
        "percent_heavy": _num(window.percent_heavy_days, 0),
        "pda": _num(window.percent_days_abstinent, 0),
        "who": DASH if window.who_level is None else _who(window.who_level),
    }


def _shown_blocks(data: ReportData) -> tuple[DrinkingWindow, ...]:
    """The first 4-week block and the latest ones, at most MAX_BLOCK_ROWS in all."""
    if len(data.blocks) <= MAX_BLOCK_ROWS:
        return data.blocks
    return (data.blocks[0], *data.blocks[-(MAX_BLOCK_ROWS - 1) :])


def _hidden_blocks_note(data: ReportData) -> str:
    hidden = len(data.blocks) - len(_shown_blocks(data))
    if not hidden:
        return ""
    return f"{hidden} earlier 4-week windows are not shown here (weeks 5 to {4 * (hidden + 1)})."


def _who_change(data: ReportData) -> str:
    if data.who_change is None:
        return "change not computable (a window has no reported day)"
    if data.who_change == 0:
        return "same level as at baseline"
    size = abs(data.who_change)
    direction = "lower" if data.who_change < 0 else "higher"
    return f"{size} level{'s' if size > 1 else ''} {direction} than at baseline"


def _key_figures(data: ReportData) -> list[dict[str, str]]:
    """The tiles at the top of page 1: what a prescriber reads first."""
    dose, base, now = data.dose, data.baseline, data.recent
    per_kg = (
        f"{dose.current_mg_per_kg:.2f} mg/kg/day"
        if dose.current_mg_per_kg is not None
        else "weight not given"
    )
    source = {
        "diary": f"last reported taken {_date(dose.current_date)}",
        "plan": "planned today (no dose reported)",
    }
    tiles = [
        {
            "title": "Current dose",
            "value": _mg(dose.current_mg),
            "detail": f"{per_kg}; {source.get(dose.current_source, 'unknown')}",
        }
    ]
    recent_label = "now" if now is None else now.label.lower()
    counts = f"{base.coverage.reported}/{base.coverage.days}"
    if now is not None:
        counts += f" and {now.coverage.reported}/{now.coverage.days}"
    for title, before, after, detail in (
        (
            "Drinks per day",
            _num(base.drinks_per_day),
            DASH if now is None else _num(now.drinks_per_day),
            f"standard drinks of {data.drink_grams:g} g",
        ),
        (
            "Heavy drinking days",
            DASH if base.heavy_days is None else str(base.heavy_days),
            DASH if now is None or now.heavy_days is None else str(now.heavy_days),
            f"{data.heavy.name.upper()} definition",
        ),
        (
            "WHO risk level",
            _who(base.who_level),
            _who(None if now is None else now.who_level),
            _who_change(data),
        ),
    ):
        tiles.append(
            {
                "title": title,
                "value": f"{before} → {after}",
                "detail": f"baseline → {recent_label} ({counts} days reported); {detail}",
            }
        )
    first = data.first_indifference
    tiles.append(
        {
            "title": "Indifference dose",
            "value": f"{first.dose_mg:g} mg/day" if first.reached and first.dose_mg else "not reached",
            "detail": f"first reached {_date(first.date_reached)}" if first.reached else "see page 2",
        }
    )
    tiles.append(
        {
            "title": "Diary adherence",
            "value": _num(data.adherence.percent, 0) + " %" if data.adherence.days else DASH,
            "detail": f"{data.adherence.reported} of {data.adherence.days} "
            f"{'treatment' if data.treatment_day >= 1 else 'baseline'} days with drinks reported",
        }
    )
    return tiles


def _scale_rows(trend: ScaleTrend) -> list[dict[str, str]]:
    return [
        {
            "label": w.label,
            "dates": f"{_date(w.first)} to {_date(w.last)}",
            "mean": _num(w.mean),
            "coverage": f"{w.coverage.reported}/{w.coverage.days}",
        }
        for w in trend.windows
    ]


def _dose_rows(data: ReportData) -> list[dict[str, str]]:
    dose = data.dose

    def kg(value: float | None) -> str:
        return DASH if value is None or dose.weight_kg is None else f"{value / dose.weight_kg:.2f}"

    rows = [
        {
            "label": "Start",
            "mg": _mg(dose.start_mg),
            "per_kg": kg(dose.start_mg),
            "when": _date(dose.start_date),
        },
        {
            "label": "Highest taken",
            "mg": _mg(dose.max_mg),
            "per_kg": kg(dose.max_mg),
            "when": f"from {_date(dose.max_first_date)}, {_days(dose.days_at_max)} at this dose"
            if dose.max_mg is not None
            else "no dose reported taken",
        },
        {
            "label": "Current",
            "mg": _mg(dose.current_mg),
            "per_kg": kg(dose.current_mg),
            "when": {"diary": f"last reported {_date(dose.current_date)}", "plan": "planned today"}.get(
                dose.current_source, "unknown"
            ),
        },
    ]
    if dose.plan_title is not None:
        rows.append(
            {
                "label": "Plan today",
                "mg": _mg(dose.planned_today_mg),
                "per_kg": kg(dose.planned_today_mg),
                "when": f"{dose.plan_title}; plan maximum {_mg(dose.plan_max_mg)}",
            }
        )
    return rows


def _indifference(data: ReportData) -> dict[str, str]:
    first, lowest = data.first_indifference, data.indifference
    if not first.reached:
        return {"headline": "Not reached.", "detail": first.reason}
    headline = f"First reached at {first.dose_mg:g} mg/day on {_date(first.date_reached)}."
    if lowest.dose_mg != first.dose_mg:
        headline += (
            f" Lowest dose at which it was later held: {lowest.dose_mg:g} mg/day"
            f" (from {_date(lowest.date_reached)})."
        )
    return {"headline": headline, "detail": first.reason}


def _evidence(box: EvidenceBox, dose: DoseHistory) -> dict[str, Any]:
    band = box.dose_band
    which = "current" if dose.current_mg and dose.current_mg == box.reference_dose_mg else "highest"
    shown = box.arms[:MAX_EVIDENCE_ARMS]
    return {
        "band": None if band is None else f"{band[0]:.0f}-{band[1]:.0f} mg/day",
        "reference": f"{which} {_mg(box.reference_dose_mg)}",
        "ratio": f"{box.ratio:g}",
        "arms": [
            {
                "study": arm.study,
                "arm": arm.arm,
                "dose": f"{arm.dose_mg:g} mg/day ({arm.dose_basis})",
                "population": arm.population,
                "findings": [f[0].upper() + f[1:] if i == 0 else f for i, f in enumerate(arm.findings)]
                or ["No outcome with both baclofen and placebo numbers in the dataset"],
            }
            for arm in shown
        ],
        # Text, never numbers: Django would localise a number, which needs settings.
        "more": str(len(box.arms) - len(shown)) if len(box.arms) > len(shown) else "",
        "total": str(box.trials_total),
        "poolable_any": str(box.trials_poolable_any),
        "poolable_drinking": str(box.trials_poolable_drinking),
    }


def report_context(data: ReportData) -> dict[str, Any]:
    """The template's variables, every one already text (or a list of texts)."""
    client = data.client
    weight = f"{client.weight_kg:g} kg" if client.weight_kg is not None else "weight not given"
    svg = timeline_svg(data.timeline, width_in=CHART_WIDTH_IN)
    return {
        "client_code": client.code,
        "client_name": client.name or "",
        "client_line": f"Sex {client.sex} · {weight} · "
        f"standard drink {client.country} ({data.drink_grams:g} g)",
        "period": f"{_date(data.period_first)} to {_date(data.period_last)}",
        "start": _date(client.start_date),
        "treatment_day": str(data.treatment_day) if data.treatment_day >= 1 else "not started",
        "tiles": _key_figures(data),
        # Marked safe: matplotlib escapes the text it writes into its own SVG.
        "chart": mark_safe(svg[svg.index("<svg") :]),
        "notes": list(data.notes),
        "drinking_rows": [_drinking_row(w) for w in (data.baseline, *_shown_blocks(data))]
        + ([_drinking_row(data.recent)] if data.recent is not None else []),
        "drinking_hidden": _hidden_blocks_note(data),
        "heavy_source": f"{data.heavy.name.upper()}: {data.heavy.source}",
        "who_source": WHO_LEVEL_SOURCE,
        "dose_rows": _dose_rows(data),
        "dose_coverage": data.dose.coverage.text("treatment days with a dose reported"),
        "indifference": _indifference(data),
        "craving_rows": _scale_rows(data.craving),
        "anxiety_rows": _scale_rows(data.anxiety),
        "side_effects": [
            {
                "label": c.label,
                "days": str(c.days_present),
                "worst": f"{c.max_label} ({c.max_severity}/3)",
                "first": _date(c.first_date),
                "last": _date(c.last_date),
                "recent": _days(c.recent_days) + f", worst {c.recent_label}"
                if c.recent_days
                else "none reported",
            }
            for c in data.side_effects
        ],
        "side_effect_coverage": data.side_effect_coverage.text("treatment days with a side-effect entry"),
        "severity_scale": ", ".join(f"{i} {label}" for i, label in enumerate(SEVERITY_LABELS)),
        "evidence": _evidence(data.evidence, data.dose),
        "generated": _date(data.today),
        "version": data.version,
    }


def render_html(data: ReportData) -> str:
    """The report as one self-contained HTML page (print CSS included)."""
    template = _engine().get_template(TEMPLATE_NAME)
    return template.render(Context(report_context(data)))


def render_document(data: ReportData) -> Any:
    """The laid-out WeasyPrint document (its ``pages`` give the page count before writing)."""
    from weasyprint import HTML  # imported here: loading WeasyPrint costs a second

    # base_url=None and no external references: WeasyPrint never touches the network.
    # WeasyPrint's CSS parser logs a warning for every SVG presentation property in the
    # inline chart (fill, stroke, ...), hundreds per report, although its SVG renderer
    # draws them; only its errors are worth a person's attention.
    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        return HTML(string=render_html(data), base_url=None).render()
    finally:
        logger.setLevel(level)


def render_report(data: ReportData, fmt: ReportFormat) -> bytes:
    """The report as ``fmt`` ("html" or "pdf") bytes; nothing is written anywhere."""
    if fmt not in FORMATS:
        raise ReportFormatError(f"format: must be html or pdf, got {fmt!r}")
    if fmt == "html":
        return render_html(data).encode("utf-8")
    pdf = render_document(data).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf
