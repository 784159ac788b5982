"""URL routes of the clinic. Every id in a URL is looked up through access.py."""

from __future__ import annotations

from django.urls import path, register_converter

from baclotrack.clinic.views import (
    account,
    alerts,
    baseline,
    caseload,
    clients,
    diary,
    diary_access,
    doseresponse,
    evidence,
    exchange,
    plans,
    report,
    research,
    visits,
)


class IsoDateConverter:
    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: object) -> str:
        return str(value)


register_converter(IsoDateConverter, "isodate")

app_name = "clinic"
urlpatterns = [
    path("", caseload.home, name="home"),
    path("caseload/", caseload.caseload, name="caseload"),
    path("caseload/import/", exchange.caseload_import, name="caseload_import"),
    path("caseload/export.zip", exchange.caseload_export, name="caseload_export"),
    path("clients/new/", clients.client_create, name="client_create"),
    path("clients/<int:client_id>/", clients.dashboard, name="dashboard"),
    path("clients/<int:client_id>/chart.svg", clients.chart_svg, name="chart"),
    path(
        "clients/<int:client_id>/dose-response.svg",
        doseresponse.dose_response_svg,
        name="dose_response_chart",
    ),
    path("clients/<int:client_id>/edit/", clients.client_edit, name="client_edit"),
    path("clients/<int:client_id>/delete/", clients.client_delete, name="client_delete"),
    path("clients/<int:client_id>/audit/", clients.audit_trail, name="audit"),
    path("clients/<int:client_id>/report/", report.prescriber_report, name="report"),
    path("clients/<int:client_id>/fhir.json", exchange.fhir_bundle, name="fhir_bundle"),
    path("clients/<int:client_id>/baseline/", baseline.baseline, name="baseline"),
    path("clients/<int:client_id>/baseline/calendar/", baseline.calendar, name="baseline_calendar"),
    path("clients/<int:client_id>/assessments/<str:instrument>/", baseline.assessment, name="assessment"),
    path("clients/<int:client_id>/plan/", plans.choose_plan, name="plan"),
    path("clients/<int:client_id>/taper/", plans.taper_plan, name="taper"),
    path("clients/<int:client_id>/visits/new/", visits.visit_create, name="visit_create"),
    path("clients/<int:client_id>/diary/", diary.clinician_diary, name="client_diary"),
    path("clients/<int:client_id>/diary/<isodate:day>/", diary.clinician_day, name="client_day"),
    path("diary-days/<int:day_id>/history/", diary.day_history, name="day_history"),
    path("diary-days/<int:day_id>/delete/", diary.day_delete, name="day_delete"),
    path("alerts/<int:alert_id>/resolve/", alerts.resolve, name="alert_resolve"),
    path("clients/<int:client_id>/access/", diary_access.manage, name="access"),
    path("clients/<int:client_id>/access/login/", diary_access.grant_login, name="grant_login"),
    path("clients/<int:client_id>/access/login/revoke/", diary_access.revoke_login, name="revoke_login"),
    path("clients/<int:client_id>/access/links/new/", diary_access.create_link, name="create_link"),
    path("links/<int:link_id>/revoke/", diary_access.revoke_link, name="revoke_link"),
    path("evidence/", evidence.evidence, name="evidence"),
    path("evidence/<str:outcome>/forest.svg", evidence.forest_svg, name="evidence_forest"),
    # The client's own pages: by login, or by a personal link whose token is the credential.
    path("diary/", diary.own_diary, name="own_diary"),
    path("diary/<isodate:day>/", diary.own_day, name="own_day"),
    path("d/<str:token>/", diary.link_diary, name="link_diary"),
    path("d/<str:token>/<isodate:day>/", diary.link_day, name="link_day"),
    path("account/two-factor/", account.two_factor, name="two_factor"),
    path("research/", research.research_home, name="research"),
    path("research/export/", research.research_export, name="research_export"),
]
