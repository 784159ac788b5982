"""A questionnaire filled at baseline or at a visit; the score comes from core.instruments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baclotrack.clinic.models.base import SoftDeleteModel


class AssessmentKind(models.TextChoices):
    BASELINE = "baseline", _("Baseline")
    VISIT = "visit", _("Visit")


class Assessment(SoftDeleteModel):
    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="assessments")
    visit = models.ForeignKey(
        "clinic.Visit", null=True, blank=True, on_delete=models.PROTECT, related_name="assessments"
    )
    kind = models.CharField(max_length=10, choices=AssessmentKind.choices)
    instrument = models.CharField(_("instrument"), max_length=20)
    date = models.DateField(_("date"))
    answers = models.JSONField(_("answers"))
    total = models.FloatField(_("score"))
    band = models.CharField(_("band"), max_length=200, blank=True)
    #: The score's flags as core messages (core/i18n.py), shown in the reader's language.
    flags = models.JSONField(_("flags"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("date", "instrument")

    def __str__(self) -> str:
        return f"{self.instrument} {self.date}: {self.total:g}"
