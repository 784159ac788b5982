"""A visit: the clinician's dose decision with its reason, side effects and notes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baclotrack.clinic.models.base import SoftDeleteModel


class DoseDecision(models.TextChoices):
    CONTINUE = "continue", _("Continue the plan")
    HOLD = "hold", _("Hold the current dose")
    INCREASE = "increase", _("Increase")
    DECREASE = "decrease", _("Step back")
    TAPER = "taper", _("Taper off")


class Visit(SoftDeleteModel):
    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="visits")
    date = models.DateField(_("date"))
    decision = models.CharField(_("dose decision"), max_length=10, choices=DoseDecision.choices)
    dose_mg = models.FloatField(_("dose after the visit (mg/day)"))
    reason = models.TextField(_("reason for the decision"))
    side_effects = models.JSONField(default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-date", "-created_at")

    def __str__(self) -> str:
        return f"{self.date}: {self.decision} {self.dose_mg:g} mg"
