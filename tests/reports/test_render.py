"""The prescriber's report rendered: one template, printable HTML and a one- or two-page A4 PDF."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import subprocess
import sys

import polars as pl
import pytest

from baclotrack import __version__
from baclotrack.analysis.simulate import ameisen_2005_case, simulate
from baclotrack.core.errors import InputError
from baclotrack.reports.prescriber import ClientInfo, ReportData, build_report_data
from baclotrack.reports.render import render_document, render_html, render_report

START = dt.date(2004, 1, 5)
LAST_DAY = dt.date(2004, 5, 3)


def ameisen(name: str | None = None) -> ReportData:
    client = ClientInfo("AMEISEN-2005", "M", START, country="FR", weight_kg=75.0, name=name)
    return build_report_data(client, ameisen_2005_case().diary, None, today=LAST_DAY)


@pytest.fixture(scope="module")
def data() -> ReportData:
    return ameisen()


@pytest.fixture(scope="module")
def html(data: ReportData) -> str:
    return render_report(data, "html").decode("utf-8")


def text_of(html: str) -> str:
    """The visible text, tags dropped and white space folded, for phrase checks."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.split("</style>", 1)[1]))


def test_html_shows_the_key_figures_of_the_ameisen_case(html: str) -> None:
    text = text_of(html)
    assert "AMEISEN-2005" in text
    assert "120 mg/day" in text and "1.60 mg/kg/day" in text  # current dose
    assert "270 mg/day" in text and "3.60" in text  # highest dose, and the indifference dose
    assert "First reached at 270 mg/day on 2004-02-23" in text
    assert "9.7 → 0.0" in text  # drinks per day, baseline to last 28 days
    assert "24 → 0" in text  # heavy days
    assert "high → abstinent" in text and "3 levels lower than at baseline" in text
    assert "Sleepiness (somnolence)" in text and "moderate (2/3)" in text


def test_html_states_the_coverage_behind_the_figures(html: str) -> None:
    text = text_of(html)
    assert "28/28 and 28/28 days reported" in text
    assert "based on 120 of 120 treatment days with a dose reported" in text
    assert "120 of 120 treatment days with drinks reported" in text


def test_html_has_the_decision_support_footer_date_and_version(html: str) -> None:
    text = text_of(html)
    assert "Decision support for the prescriber, not a prescription" in text
    assert f"Report date 2004-05-03 · baclotrack {__version__}" in text


def test_html_evidence_box_says_how_few_trials_can_be_pooled(data: ReportData, html: str) -> None:
    text = text_of(html)
    box = data.evidence
    assert f"Of the {box.trials_total} trials in baclotrack's dataset, only {box.trials_poolable_any}" in text
    assert "they neither predict nor explain this client's course" in text
    assert data.evidence.arms[0].study in text


def test_html_loads_nothing_from_the_network(html: str) -> None:
    assert "<svg" in html  # the chart is inline
    for pattern in (r"<link\b", r"<script\b", r"<img\b", r"url\((?!#)", r"@import", r"(src|href)=\"?https?:"):
        assert not re.search(pattern, html), pattern


def test_client_name_is_shown_only_when_given_and_is_escaped() -> None:
    assert "Olivier" not in render_html(ameisen())
    html = render_html(ameisen(name="Olivier <b>A</b>"))
    assert "Olivier &lt;b&gt;A&lt;/b&gt;" in html and "<b>A</b>" not in html


def test_sparse_diary_report_says_unknown_rather_than_zero() -> None:
    diary = ameisen_2005_case().diary
    recent = pl.col("date") > LAST_DAY - dt.timedelta(days=28)
    blanked = diary.with_columns(
        pl.when(~recent).then(pl.col(c)).alias(c) for c in ("drinks", "grams", "craving", "anxiety")
    )
    client = ClientInfo("AMEISEN-2005", "M", START, country="FR", weight_kg=75.0)
    text = text_of(render_html(build_report_data(client, blanked, None, today=LAST_DAY)))
    assert "No drinking reported in the recent window: current drinking is unknown." in text
    assert "9.7 → –" in text and "24 → –" in text and "high → unknown" in text
    # The last-28-days row shows its coverage and dashes, never a zero drinks figure.
    assert re.search(r"Last 28 days 2004-04-06 to 2004-05-03 0/28 – – – – – –", text)


def test_pdf_is_a_valid_pdf_of_one_or_two_pages(data: ReportData) -> None:
    document = render_document(data)
    assert 1 <= len(document.pages) <= 2
    pdf = render_report(data, "pdf")
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")


def test_a_long_course_with_many_side_effects_stays_within_two_pages() -> None:
    sim = simulate("clinic", seed=1)
    patient = sim.patients.filter(pl.col("patient_id") == "CLI-023").row(0, named=True)
    client = ClientInfo(
        "CLI-023", patient["sex"], patient["start_date"], patient["country"], patient["weight_kg"]
    )
    diary = sim.diary.filter(pl.col("patient_id") == "CLI-023")
    data = build_report_data(client, diary, None, today=diary["date"].max())
    assert len(data.blocks) > 8 and len(data.side_effects) > 5  # the case is long and busy
    assert "earlier 4-week windows are not shown" in render_html(data)
    assert 1 <= len(render_document(data).pages) <= 2


def test_an_unknown_format_is_refused(data: ReportData) -> None:
    with pytest.raises(InputError, match="format: must be html or pdf"):
        render_report(data, "docx")  # type: ignore[arg-type]


def test_rendering_needs_no_django_settings() -> None:
    code = (
        "import datetime as dt\n"
        "import polars as pl\n"
        "from baclotrack.reports.prescriber import ClientInfo, build_report_data\n"
        "from baclotrack.reports.render import render_report\n"
        "c = ClientInfo('X-1', 'F', dt.date(2024, 3, 1))\n"
        "d = pl.DataFrame({'date': [dt.date(2024, 3, 1)], 'drinks': [2.0], 'dose_mg': [15.0]})\n"
        "out = render_report(build_report_data(c, d, None, today=dt.date(2024, 3, 1)), 'html')\n"
        "print(out.decode().count('X-1'))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= 1


def test_the_pdf_is_rendered_without_a_flood_of_css_warnings(
    data: ReportData, caplog: pytest.LogCaptureFixture
) -> None:
    # The inline SVG chart's presentation attributes used to log hundreds of warnings per report.
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        render_report(data, "pdf")
    assert [r for r in caplog.records if r.name.startswith("weasyprint")] == []
