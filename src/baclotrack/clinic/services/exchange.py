"""CSV imports into a clinician's caseload: whole file validated, one transaction, audited writes.

Every file is validated whole by :mod:`baclotrack.exchange.csv_formats` (or the patients format
of :mod:`baclotrack.clinic.exchange_tables`), then every row is checked against the caseload:
a patient_id must be a client of this caseload, a day already recorded differently is a
correction. Any problem refuses the file with every (row, column, reason) listed and nothing is
written. Implausible values and corrections are *warnings*: the import runs, and is rolled back
unless the person confirmed. A row that would export exactly as what is stored is unchanged and
not written again, so importing the same file twice adds no version and no audit event.
Writes go through the clinic's services (create_client, import_diary_days, save_diary_day,
record_visit, record_assessment), each writing its AuditEvent, all inside one transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final, TypeVar

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from baclotrack.clinic import adapters
from baclotrack.clinic.access import clients_for
from baclotrack.clinic.audit import Actor
from baclotrack.clinic.exchange_tables import (
    FILE_KINDS,
    baseline_row,
    client_visit_rows,
    diary_row,
    diary_values,
    patient_row,
    validate_patients_csv,
)
from baclotrack.clinic.models import AssessmentKind, Client, DiaryDay, DiarySource, DoseDecision
from baclotrack.clinic.services.alerts import refresh_alerts
from baclotrack.clinic.services.assessments import record_assessment
from baclotrack.clinic.services.clients import create_client, update_client
from baclotrack.clinic.services.diary import DiaryEntry, import_diary_days, save_diary_day
from baclotrack.clinic.services.visits import record_visit
from baclotrack.core.alcohol import drinks_to_grams
from baclotrack.core.diary import SIDE_EFFECTS
from baclotrack.core.errors import InputError
from baclotrack.core.instruments import INSTRUMENTS
from baclotrack.core.plausibility import DEFAULT_LIMITS, PlausibilityLimits
from baclotrack.exchange.csv_formats import validate_baseline_csv, validate_diary_csv, validate_visits_csv
from baclotrack.exchange.csv_table import CsvFormatError, CsvImport, RowProblem

#: Reason stored with an imported dose that came without one (stored data, so not translated).
IMPORTED_REASON: Final = "imported from a visits file without a reason"
#: The kinds of file, in the order a caseload import applies them (clients before their days).
IMPORT_KINDS: Final = FILE_KINDS


CsvImportT = TypeVar("CsvImportT", bound=CsvImport)


@dataclass
class FileOutcome:
    """What one file did (or would do): counts, and the warnings that need confirmation."""

    kind: str
    source: str
    created: int = 0
    corrected: int = 0
    unchanged: int = 0
    warnings: list[RowProblem] = field(default_factory=list)
    #: Codes of the clients whose record the file changed.
    clients: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class ImportReport:
    files: tuple[FileOutcome, ...]
    applied: bool

    @property
    def needs_confirmation(self) -> bool:
        return any(f.warnings for f in self.files)

    @property
    def changed(self) -> int:
        return sum(f.created + f.corrected for f in self.files)


@dataclass
class _Import:
    """One file being imported: who, into which caseload, and what it did."""

    actor: Actor
    clinician: User
    today: dt.date
    limits: PlausibilityLimits
    outcome: FileOutcome

    def caseload(self) -> dict[str, Client]:
        return {c.code: c for c in clients_for(self.clinician)}

    def validated(
        self, validate: Callable[[], CsvImportT], content: str | bytes, caseload: dict[str, Client]
    ) -> CsvImportT:
        """``validate()``'s result, refused together with every row naming a client outside the caseload."""
        unknown = _unknown_patients(content, caseload)
        try:
            result = validate()
        except CsvFormatError as exc:
            if not unknown:
                raise
            merged = sorted([*exc.problems, *unknown], key=lambda p: (p.row or 0, p.column != "patient_id"))
            raise CsvFormatError(exc.source, merged) from None
        if unknown:
            raise CsvFormatError(self.outcome.source, unknown)
        return result


def _unknown_patients(content: str | bytes, caseload: dict[str, Client]) -> list[RowProblem]:
    """Rows whose patient_id is not a client of the caseload, read straight from the text so they
    are listed even when other values make the file unreadable as a table."""
    text = content.decode("utf-8-sig", errors="replace") if isinstance(content, bytes) else content
    try:
        records = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    except csv.Error:
        return []  # the format's own reader reports a file that is not CSV
    header = [name.strip() for name in (records[0] if records else [])]
    if "patient_id" not in header:
        return []  # the format's own check reports the missing column
    column = header.index("patient_id")
    problems = []
    for row, record in enumerate((r for r in records[1:] if r), start=1):
        code = record[column].strip() if column < len(record) else ""
        if code and code not in caseload:
            problems.append(
                RowProblem(row, "patient_id", _("client %(code)r is not in this caseload") % {"code": code})
            )
    return problems


def import_files(
    actor: Actor,
    clinician: User,
    files: Sequence[tuple[str, str, str | bytes]],
    *,
    today: dt.date,
    confirm: bool = False,
    limits: PlausibilityLimits = DEFAULT_LIMITS,
) -> ImportReport:
    """Import ``files`` ((kind, source name, content), kind in :data:`IMPORT_KINDS`) into the
    caseload of ``clinician``, patients first. Raises :class:`CsvFormatError` listing every
    problem of the first bad file (nothing written). With warnings and no ``confirm``, the
    report says what would happen and nothing is kept (``applied`` is False)."""
    order = list(IMPORT_KINDS)
    for kind, source, _content in files:
        if kind not in IMPORT_KINDS:
            raise InputError(f"{source}: unknown kind of file {kind!r} (known: {', '.join(order)})")
    outcomes = []
    with transaction.atomic():
        for kind, source, content in sorted(files, key=lambda f: order.index(f[0])):
            job = _Import(actor, clinician, today, limits, FileOutcome(kind, source))
            _IMPORTERS[kind](job, content)
            outcomes.append(job.outcome)
        report = ImportReport(tuple(outcomes), applied=True)
        if report.needs_confirmation and not confirm:
            transaction.set_rollback(True)
            return replace(report, applied=False)
    # Alerts follow every diary save (decision 0083); an unchanged client is not evaluated again.
    touched = set().union(*(f.clients for f in report.files))
    for client in clients_for(clinician).filter(code__in=touched):
        refresh_alerts(actor, client, today)
    return report


# -- patients ------------------------------------------------------------------------------------
def _import_patients(job: _Import, content: str | bytes) -> None:
    source = job.outcome.source
    frame = validate_patients_csv(content, source=source).frame
    records = [_patient_record(r) for r in frame.iter_rows(named=True)]
    caseload = job.caseload()
    codes = [r["patient_id"] for r in records]
    elsewhere = set(Client.objects.filter(code__in=codes).values_list("code", flat=True)) - set(caseload)
    problems = [
        RowProblem(
            row,
            "patient_id",
            _("client code %(code)r is already used outside this caseload") % {"code": r["patient_id"]},
        )
        for row, r in enumerate(records, start=1)
        if r["patient_id"] in elsewhere
    ]
    if problems:
        raise CsvFormatError(source, problems)
    for row, record in enumerate(records, start=1):
        existing = caseload.get(record["patient_id"])
        fields = {k: v for k, v in record.items() if k != "patient_id"}
        fields["treatment_start"] = fields.pop("start_date")
        fields["cautions"] = (fields["cautions"] or "").split()
        if existing is None:
            create_client(job.actor, job.clinician, code=record["patient_id"], **fields)
            job.outcome.created += 1
            job.outcome.clients.add(record["patient_id"])
            continue
        old = patient_row(existing)
        changed = sorted(k for k in record if record[k] != old[k])
        if not changed:
            job.outcome.unchanged += 1
            continue
        update_client(job.actor, existing, **fields)
        job.outcome.corrected += 1
        job.outcome.clients.add(record["patient_id"])
        job.outcome.warnings.append(
            RowProblem(
                row,
                None,
                _("changes %(fields)s of client %(code)r")
                % {"fields": ", ".join(changed), "code": record["patient_id"]},
            )
        )


def _patient_record(values: dict[str, Any]) -> dict[str, Any]:
    """A patients.csv row as Client fields. A file without a prescribing_country column (written
    before decision 0175) leaves it out: a new client then gets the standard-drink country's, an
    existing one keeps its own."""
    cautions = " ".join(sorted(set((values.get("cautions") or "").split()))) or None
    record = {
        "patient_id": values["patient_id"],
        "sex": values["sex"],
        "start_date": values["start_date"],
        "country": values["country"],
        "birth_year": values["birth_year"],
        "weight_kg": float(values["weight_kg"]),
        "creatinine_clearance": values.get("creatinine_clearance"),
        "cautions": cautions,
    }
    if values.get("prescribing_country") is not None:
        record["prescribing_country"] = values["prescribing_country"]
    return record


# -- diary and baseline calendar --------------------------------------------------------------------
def _entry(client: Client, values: dict[str, Any]) -> DiaryEntry:
    dose = values.get("dose_mg")
    return DiaryEntry(
        drinks=[{"beverage": "grams", "grams": drinks_to_grams(values["drinks"], client.country)}],
        craving=values.get("craving"),
        anxiety=values.get("anxiety"),
        doses_mg=[] if dose is None else [float(dose)],
        side_effects={k: values[k] for k in SIDE_EFFECTS if values.get(k)},
        note=values.get("note") or "",
    )


def _blank_drinks(values: dict[str, Any]) -> bool:
    """True when the row reports nothing; a problem is raised by the caller when only drinks are blank."""
    return all(v is None for k, v in values.items() if k not in ("patient_id", "date"))


def _import_days(job: _Import, content: str | bytes, *, baseline: bool) -> None:
    source = job.outcome.source
    caseload = job.caseload()
    result: CsvImport
    if baseline:
        # First the values, with every unknown client; then the window of each known client.
        job.validated(
            lambda: validate_baseline_csv(content, today=job.today, source=source, limits=job.limits),
            content,
            caseload,
        )
        starts = {code: c.treatment_start for code, c in caseload.items()}
        result = validate_baseline_csv(
            content, today=job.today, start_dates=starts, source=source, limits=job.limits
        )
    else:
        result = job.validated(
            lambda: validate_diary_csv(content, today=job.today, source=source, limits=job.limits),
            content,
            caseload,
        )
    job.outcome.warnings.extend(result.warnings)
    plan, problems = _plan_days(job, caseload, list(result.frame.iter_rows(named=True)), baseline)
    if problems:
        raise CsvFormatError(source, problems)
    where = DiarySource.BASELINE if baseline else DiarySource.IMPORT
    for client, new, corrections in plan:
        if new or corrections:
            job.outcome.clients.add(client.code)
        if new:
            import_diary_days(job.actor, client, new, source=where)
        for date, entry in corrections:
            save_diary_day(job.actor, client, date, entry, source=where, today=job.today)


DayPlan = tuple[Client, list[tuple[dt.date, DiaryEntry]], list[tuple[dt.date, DiaryEntry]]]


def _plan_days(
    job: _Import, caseload: dict[str, Client], rows: list[dict[str, Any]], baseline: bool
) -> tuple[list[DayPlan], list[RowProblem]]:
    """For each client: days to add and days to correct; every row that cannot be stored."""
    plans: dict[str, DayPlan] = {}
    problems: list[RowProblem] = []
    stored: dict[str, dict[dt.date, DiaryDay]] = {}
    for row, values in enumerate(rows, start=1):
        client = caseload[values["patient_id"]]
        if values["drinks"] is None:
            if not _blank_drinks(values):
                problems.append(
                    RowProblem(
                        row,
                        "drinks",
                        _(
                            "is blank but the row has other values; a stored diary day needs its "
                            "drinks (0 for none), and a blank is never read as abstinent"
                        ),
                    )
                )
            continue  # nothing reported that day: no diary day, as in the app
        date, entry = values["date"], _entry(client, values)
        try:
            candidate = adapters.validated_diary_values(client, date, entry)
        except InputError as exc:
            problems.append(RowProblem.refused(row, None, exc))
            continue
        if client.code not in stored:
            stored[client.code] = {d.date: d for d in client.diary_days.all()}
        days = stored[client.code]
        plan = plans.setdefault(client.code, (client, [], []))
        problem = _place_day(job, client, days.get(date), row, date, entry, candidate, plan, baseline)
        if problem is not None:
            problems.append(problem)
    return list(plans.values()), problems


def _place_day(
    job: _Import,
    client: Client,
    day: DiaryDay | None,
    row: int,
    date: dt.date,
    entry: DiaryEntry,
    candidate: dict[str, Any],
    plan: DayPlan,
    baseline: bool,
) -> RowProblem | None:
    """Add, correct or skip one day; a problem when a baseline row would overwrite a diary entry."""
    if day is None:
        plan[1].append((date, entry))
        job.outcome.created += 1
        return None
    if baseline:
        same = baseline_row(client.code, client.country, date, day.grams) == baseline_row(
            client.code, client.country, date, candidate["grams"]
        )
    else:
        same = diary_row(client.code, client.country, date, diary_values(day)) == diary_row(
            client.code, client.country, date, candidate
        )
    if same and day.deleted_at is None:
        job.outcome.unchanged += 1
        return None
    if baseline and day.source != DiarySource.BASELINE and day.deleted_at is None:
        return RowProblem(
            row,
            "date",
            _("%(date)s already has a diary entry of %(code)r; correct it in the diary")
            % {"date": date, "code": client.code},
        )
    plan[2].append((date, entry))
    job.outcome.corrected += 1
    job.outcome.warnings.append(
        RowProblem(
            row,
            None,
            _("corrects the diary day %(date)s of %(code)r (the earlier version is kept)")
            % {"date": date, "code": client.code},
        )
    )
    return None


def _import_diary(job: _Import, content: str | bytes) -> None:
    _import_days(job, content, baseline=False)


def _import_baseline(job: _Import, content: str | bytes) -> None:
    _import_days(job, content, baseline=True)


# -- visits ----------------------------------------------------------------------------------------
def _visit_record(values: dict[str, Any]) -> dict[str, Any]:
    """A visits row as it would be stored and exported again (severity 0 is "none", a dose
    without a reason gets :data:`IMPORTED_REASON`)."""
    record = {"patient_id": values["patient_id"], "date": values["date"]}
    record |= {name: values.get(name) for name in INSTRUMENTS}
    dose = values.get("dose_mg_per_day")
    record["dose_mg_per_day"] = None if dose is None else float(dose)
    record["dose_reason"] = (values.get("dose_reason") or IMPORTED_REASON) if dose is not None else None
    record |= {name: values.get(name) or None for name in SIDE_EFFECTS}
    return record


def dose_decision(client: Client, date: dt.date, dose_mg: float) -> str:
    """The decision an imported dose stands for: against the dose prescribed the day before,
    higher is an increase, lower a step back, the same a hold (decision 0111)."""
    before = adapters.current_dose_mg(client, date - dt.timedelta(days=1))
    if before is None:
        return DoseDecision.INCREASE if dose_mg > 0 else DoseDecision.HOLD
    if dose_mg > before:
        return DoseDecision.INCREASE
    return DoseDecision.DECREASE if dose_mg < before else DoseDecision.HOLD


def _import_visits(job: _Import, content: str | bytes) -> None:
    source = job.outcome.source
    caseload = job.caseload()
    result = job.validated(
        lambda: validate_visits_csv(content, today=job.today, source=source, limits=job.limits),
        content,
        caseload,
    )
    rows = list(result.frame.iter_rows(named=True))
    problems: list[RowProblem] = []
    job.outcome.warnings.extend(result.warnings)
    stored = {code: client_visit_rows(client) for code, client in caseload.items()}
    new: list[tuple[Client, dict[str, Any]]] = []
    for row, values in enumerate(rows, start=1):
        record = _visit_record(values)
        existing = stored[record["patient_id"]].get(record["date"])
        if existing is None:
            new.append((caseload[record["patient_id"]], record))
        elif existing == record:
            job.outcome.unchanged += 1
        else:
            problems.append(
                RowProblem(
                    row,
                    "date",
                    _(
                        "a visit or questionnaire of %(code)r on %(date)s is already recorded with "
                        "other values; an import does not change visits"
                    )
                    % {"code": record["patient_id"], "date": record["date"]},
                )
            )
    if problems:
        raise CsvFormatError(source, problems)
    # Date order, so that each inferred decision compares with the dose before it.
    for client, record in sorted(new, key=lambda item: (item[0].code, item[1]["date"])):
        _store_visit(job.actor, client, record)
        job.outcome.created += 1
        job.outcome.clients.add(client.code)


def _store_visit(actor: Actor, client: Client, record: dict[str, Any]) -> None:
    date, dose = record["date"], record["dose_mg_per_day"]
    answers = {name: record[name] for name in INSTRUMENTS if record[name] is not None}
    effects = {name: record[name] for name in SIDE_EFFECTS if record[name] is not None}
    visit = None
    # A row of questionnaires alone is questionnaires; anything else (or nothing else) is a visit.
    if dose is not None or effects or not answers:
        visit = record_visit(
            actor,
            client,
            date=date,
            decision=DoseDecision.CONTINUE if dose is None else dose_decision(client, date, dose),
            dose_mg=dose if dose is not None else (adapters.current_dose_mg(client, date) or 0.0),
            reason=record["dose_reason"] or IMPORTED_REASON,
            side_effects=effects,
        )
    kind = (
        AssessmentKind.VISIT
        if visit is not None or date > client.treatment_start
        else AssessmentKind.BASELINE
    )
    for instrument, items in answers.items():
        numbered = {str(n): int(a) for n, a in enumerate(items, start=1)}
        record_assessment(actor, client, instrument, date, numbered, kind=kind, visit=visit)


_IMPORTERS: Final[dict[str, Callable[[_Import, str | bytes], None]]] = {
    "patients": _import_patients,
    "baseline": _import_baseline,
    "diary": _import_diary,
    "visits": _import_visits,
}
