"""A client in treatment: pseudonymous, with what the titration rules need to know."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from baclotrack.clinic.models.base import SoftDeleteModel
from baclotrack.core.guidelines import Country
from baclotrack.core.titration.caps import Jurisdiction


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class Caution(models.TextChoices):
    """Cautions for baclofen (UK SmPC; FACTS.md), each a checkbox on the client's record."""

    EPILEPSY = "epilepsy", _("Epilepsy or seizures")
    RENAL_IMPAIRMENT = "renal_impairment", _("Renal impairment")
    BIPOLAR_OR_PSYCHOSIS = "bipolar_or_psychosis", _("Bipolar disorder or psychosis")
    PREGNANCY = "pregnancy", _("Pregnancy")
    SEDATIVES_OR_OPIOIDS = "sedatives_or_opioids", _("Takes sedatives or opioids")
    SUICIDE_RISK = "suicide_risk", _("Suicide risk")


COUNTRY_CHOICES = [(c.value, c.value) for c in Country]
#: Prescribing countries by code, like the standard-drink countries; ZZ is "another country".
JURISDICTION_CHOICES = [
    (j.value, _("ZZ (another country)") if j is Jurisdiction.ZZ else j.value) for j in Jurisdiction
]


class Client(SoftDeleteModel):
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="clients",
        verbose_name=_("clinician"),
    )
    code = models.CharField(_("pseudonymous code"), max_length=40, unique=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_year = models.PositiveSmallIntegerField(
        _("birth year"), validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    weight_kg = models.FloatField(
        _("weight (kg)"), validators=[MinValueValidator(25), MaxValueValidator(350)]
    )
    country = models.CharField(
        _("country of standard drink"), max_length=3, choices=COUNTRY_CHOICES, default=Country.FR.value
    )
    # Whose regulatory cap applies (France: 80 mg/day), apart from whose drink the diary counts
    # (decision 0175). No default: services/clients.py fills it from ``country`` when not given.
    prescribing_country = models.CharField(
        _("prescribing country"),
        max_length=2,
        choices=JURISDICTION_CHOICES,
        help_text=_("The country whose rules govern the prescription; its regulatory dose cap applies."),
    )
    creatinine_clearance = models.FloatField(
        _("creatinine clearance (ml/min)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(250)],
    )
    cautions = models.JSONField(_("cautions"), default=list, blank=True)
    treatment_start = models.DateField(_("start of treatment"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="client_record",
        verbose_name=_("diary login"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("code",)
        verbose_name = _("client")
        verbose_name_plural = _("clients")

    def __str__(self) -> str:
        return self.code

    def caution_labels(self) -> list[str]:
        labels = dict(Caution.choices)
        return [str(labels[c]) for c in self.cautions if c in labels]
