"""The de-identified research export of all caseloads, for the researchers group. Audited.

The tables come from :func:`baclotrack.clinic.exchange_tables.research_tables` (shared with
``baclotrack research-export``) and are de-identified by
:func:`baclotrack.exchange.research.deidentify` (study ids, shifted dates, bands, k-anonymity);
notes and free text are never selected, client codes are replaced by random study ids.
"""

from __future__ import annotations

import io
import zipfile

from django.db import transaction

from baclotrack.clinic.audit import Actor, record
from baclotrack.clinic.exchange_tables import research_tables
from baclotrack.clinic.models import Client
from baclotrack.exchange.research import ResearchExport, deidentify


def export_for_research(actor: Actor, *, seed: int | None = None) -> ResearchExport:
    """De-identify every caseload; the audit trail records who exported how much, not what."""
    clients = list(Client.objects.filter(deleted_at__isnull=True).order_by("pk"))
    patients, diary = research_tables(clients)
    export = deidentify(patients, diary, seed=seed)
    with transaction.atomic():
        record(
            actor,
            "research.export",
            actor.signed_in(),
            client=None,
            new={
                "patients": export.patients.height,
                "diary_days": export.diary.height,
                "k_anonymity": export.k_anonymity.summary(),
            },
        )
    return export


def export_zip(export: ResearchExport) -> bytes:
    """PATIENTS.csv, DIARY.csv and the k-anonymity report in one ZIP archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in export.to_csv().items():
            archive.writestr(name, text)
        below = export.k_anonymity.below_k.write_csv(line_terminator="\n")
        archive.writestr("K_ANONYMITY.txt", f"{export.k_anonymity.summary()}\n\nClasses below k:\n{below}")
    return buffer.getvalue()
