"""The prescriber's report of one client, shared by the dashboard's report link and `baclotrack report`.

The numbers come from :func:`baclotrack.clinic.adapters.report_data` (the core through the one
adapter module) and the page from :func:`baclotrack.reports.render.render_report`; this module
only ties the two together so the web page and the command cannot drift apart.
"""

from __future__ import annotations

import datetime as dt

from baclotrack.clinic import adapters
from baclotrack.clinic.models import Client
from baclotrack.reports.render import ReportFormat, render_report


def prescriber_report(client: Client, fmt: ReportFormat, today: dt.date) -> bytes:
    """The report of ``client`` on ``today`` as HTML or PDF bytes."""
    return render_report(adapters.report_data(client, today), fmt)


def report_filename(client: Client, fmt: ReportFormat) -> str:
    return f"{client.code}-report.{fmt}"
