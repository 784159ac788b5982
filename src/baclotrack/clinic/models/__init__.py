"""Clinic models, one small module per part of the record."""

from baclotrack.clinic.models.alert import Alert, AlertStatus
from baclotrack.clinic.models.assessment import Assessment, AssessmentKind
from baclotrack.clinic.models.audit import AuditEvent
from baclotrack.clinic.models.base import SoftDeleteModel
from baclotrack.clinic.models.client import Caution, Client, Sex
from baclotrack.clinic.models.diary import DiaryDay, DiaryDayVersion, DiarySource
from baclotrack.clinic.models.link import DiaryLink
from baclotrack.clinic.models.plan import PlanStep, TitrationPlan
from baclotrack.clinic.models.visit import DoseDecision, Visit

__all__ = [
    "Alert",
    "AlertStatus",
    "Assessment",
    "AssessmentKind",
    "AuditEvent",
    "Caution",
    "Client",
    "DiaryDay",
    "DiaryDayVersion",
    "DiaryLink",
    "DiarySource",
    "DoseDecision",
    "PlanStep",
    "Sex",
    "SoftDeleteModel",
    "TitrationPlan",
    "Visit",
]
