"""The daily diary: one current row per client and day, every earlier version kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baclotrack.clinic.models.base import SoftDeleteModel


class DiarySource(models.TextChoices):
    CLIENT = "client", _("Client diary")
    CLINICIAN = "clinician", _("Entered by clinician")
    BASELINE = "baseline", _("Baseline calendar (timeline follow-back)")
    IMPORT = "import", _("Imported")


class DiaryDay(SoftDeleteModel):
    """Current state of one diary day. ``drinks`` is a list of {beverage, volume_ml, abv_percent,
    count}; ``doses_mg`` the baclofen actually taken per intake; ``side_effects`` {name: 0-3}."""

    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="diary_days")
    date = models.DateField(_("date"))
    drinks = models.JSONField(default=list, blank=True)
    grams = models.FloatField(_("grams of ethanol"), default=0.0)
    craving = models.PositiveSmallIntegerField(_("craving (0-10)"), null=True, blank=True)
    anxiety = models.PositiveSmallIntegerField(_("anxiety (0-10)"), null=True, blank=True)
    doses_mg = models.JSONField(default=list, blank=True)
    side_effects = models.JSONField(default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(max_length=10, choices=DiarySource.choices, default=DiarySource.CLIENT)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("date",)
        constraints = (
            models.UniqueConstraint(fields=["client", "date"], name="one_diary_day_per_client_and_date"),
        )

    def __str__(self) -> str:
        return f"{self.client_id} {self.date}"

    @property
    def dose_taken_mg(self) -> float:
        return float(sum(self.doses_mg))


class DiaryDayVersion(models.Model):
    """A frozen copy of a diary day as it was before a correction (append-only)."""

    diary_day = models.ForeignKey(DiaryDay, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ("diary_day", "version")
        constraints = (models.UniqueConstraint(fields=["diary_day", "version"], name="one_row_per_version"),)
