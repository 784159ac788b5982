"""Import a client from a baclotrack FHIR bundle into a clinician's caseload (one transaction, audited).

The bundle is read by :func:`baclotrack.exchange.fhir_import.parse_client_bundle`; the new
client, the diary, the questionnaires and the prescribed doses are written through the clinic's
services. A client code already used in this installation refuses the bundle before anything is
written. Prescribed dose periods become visits on their first day (decision from the dose
change, :func:`baclotrack.clinic.services.exchange.dose_decision`), so the dashboard shows the
same current dose and a new export gives the same periods (decision 0113).
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from baclotrack.clinic.audit import Actor
from baclotrack.clinic.errors import ClinicInputError
from baclotrack.clinic.models import AssessmentKind, Client, DiarySource, DoseDecision
from baclotrack.clinic.services.alerts import refresh_alerts
from baclotrack.clinic.services.assessments import record_assessment
from baclotrack.clinic.services.clients import create_client
from baclotrack.clinic.services.diary import DiaryEntry, import_diary_days
from baclotrack.clinic.services.exchange import dose_decision
from baclotrack.clinic.services.visits import record_visit
from baclotrack.exchange.fhir import ClientData, DosePeriod
from baclotrack.exchange.fhir_import import parse_client_bundle

#: Reason stored with the visit that starts an imported dose period (stored data, not translated).
FHIR_REASON: Final = "prescribed dose period imported from a FHIR bundle"
FHIR_STOP_REASON: Final = "end of a prescribed dose period imported from a FHIR bundle"


def treatment_start_of(data: ClientData) -> dt.date | None:
    """The first prescribed day, else the first day a dose was taken, else None."""
    if data.doses:
        return min(p.start for p in data.doses)
    dosed = [d.date for d in data.diary if d.dose_taken_mg]
    return min(dosed) if dosed else None


def _check(data: ClientData) -> None:
    code = data.client.code
    if Client.objects.filter(code=code).exists():
        raise ClinicInputError(
            "code", _("client code %(code)r is already used in this installation") % {"code": code}
        )
    if data.client.weight_kg is None:
        raise ClinicInputError(
            "weight", _("the bundle has no body weight; baclotrack needs it (dose per kg)")
        )
    if data.client.birth_year is None:
        raise ClinicInputError("birthDate", _("the bundle has no birth year"))
    for day in data.diary:
        if day.grams is None:
            raise ClinicInputError(
                f"diary {day.date}",
                _(
                    "has values but no drinks; a stored day needs its drinks (0 for none), "
                    "and a missing amount is never read as abstinent"
                ),
            )


def import_client_bundle(
    actor: Actor, clinician: User, bundle: str | bytes, *, treatment_start: dt.date | None = None
) -> Client:
    """Create the bundle's client in ``clinician``'s caseload with its whole record.

    ``treatment_start`` defaults to the first prescribed day (the bundle has no start date);
    without doses it must be given. Raises an InputError naming the field; nothing is written.
    """
    data = parse_client_bundle(bundle)
    _check(data)
    start = treatment_start or treatment_start_of(data)
    if start is None:
        raise ClinicInputError(
            "treatment_start", "the bundle prescribes no dose; give the start of treatment"
        )
    record = data.client
    assert record.weight_kg is not None and record.birth_year is not None  # checked above
    with transaction.atomic():
        client = create_client(
            actor,
            clinician,
            code=record.code,
            sex=record.sex,
            birth_year=record.birth_year,
            weight_kg=record.weight_kg,
            country=record.country.value,
            # A bundle from before decision 0175 does not say: the drink country's then (create_client).
            prescribing_country=record.prescribing_country and record.prescribing_country.value,
            treatment_start=start,
        )
        days = [
            (
                d.date,
                DiaryEntry(
                    drinks=[{"beverage": "grams", "grams": float(d.grams or 0.0)}],
                    craving=d.craving,
                    anxiety=d.anxiety,
                    doses_mg=[] if d.dose_taken_mg is None else [float(d.dose_taken_mg)],
                    side_effects=dict(d.side_effects),
                ),
            )
            for d in data.diary
        ]
        import_diary_days(actor, client, days, source=DiarySource.IMPORT)
        for a in data.assessments:
            kind = AssessmentKind.BASELINE if a.date <= start else AssessmentKind.VISIT
            answers = {str(n): v for n, v in enumerate(a.answers, start=1)}
            record_assessment(actor, client, a.instrument, a.date, answers, kind=kind)
        _record_doses(actor, client, data.doses)
        # Alerts follow every diary save and visit (decision 0083).
        refresh_alerts(actor, client)
    return client


def _record_doses(actor: Actor, client: Client, periods: tuple[DosePeriod, ...]) -> None:
    ordered = sorted(periods, key=lambda p: p.start)
    for index, period in enumerate(ordered):
        decision = dose_decision(client, period.start, period.mg_per_day)
        record_visit(
            actor, client, date=period.start, decision=decision, dose_mg=period.mg_per_day, reason=FHIR_REASON
        )
        following = ordered[index + 1].start if index + 1 < len(ordered) else None
        if period.end is not None and following != period.end + dt.timedelta(days=1):
            # A period that ends with no period right after it: nothing prescribed from the next day.
            record_visit(
                actor,
                client,
                date=period.end + dt.timedelta(days=1),
                decision=DoseDecision.DECREASE,
                dose_mg=0.0,
                reason=FHIR_STOP_REASON,
            )
