"""Forms: they check types and ranges of what people type; services and the core do the rest.

Labels and choices of clinical content (instrument items, side effects, protocols,
beverages) come from the core through :mod:`baclotrack.clinic.adapters`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from baclotrack.clinic import adapters
from baclotrack.clinic.models import Caution, Client, DoseDecision
from baclotrack.clinic.services.diary import BASELINE_DAYS, DiaryEntry

#: Rows of drinks offered on one diary day (more than anyone should need; blank rows are ignored).
DRINK_ROWS = 4
#: Intakes of baclofen offered on one diary day (protocols use up to four a day).
INTAKES = 4
SEVERITY_CHOICES = [(0, _("none")), (1, _("mild")), (2, _("moderate")), (3, _("severe"))]


class DateInput(forms.DateInput):
    """A native date picker; its value must be ISO 8601 whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class ClientForm(forms.ModelForm):  # type: ignore[type-arg]
    cautions = forms.MultipleChoiceField(
        label=_("Cautions"), choices=Caution.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Client
        fields = (
            "code",
            "sex",
            "birth_year",
            "weight_kg",
            "country",
            "creatinine_clearance",
            "cautions",
            "treatment_start",
        )
        widgets = {"treatment_start": DateInput()}  # noqa: RUF012 - Django's Meta convention


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ResolveAlertForm(forms.Form):
    note = forms.CharField(label=_("How was it dealt with?"), widget=forms.Textarea(attrs={"rows": 3}))


class BaselineCalendarForm(forms.Form):
    """The 28 days before treatment, in standard drinks of the client's country, oldest first."""

    def __init__(self, *args: Any, start: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for offset in range(BASELINE_DAYS):
            day = start - dt.timedelta(days=BASELINE_DAYS - offset)
            self.fields[f"day_{offset}"] = forms.FloatField(
                label=day.strftime("%a %d %b"), min_value=0, max_value=200, initial=0
            )

    def drinks(self) -> list[float]:
        return [float(self.cleaned_data[f"day_{offset}"]) for offset in range(BASELINE_DAYS)]


class InstrumentForm(forms.Form):
    """One questionnaire, its items and answers as the core defines them."""

    date = forms.DateField(label=_("Date"), widget=DateInput())

    def __init__(self, *args: Any, instrument_id: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number, label, choices in adapters.instrument_items(instrument_id):
            self.fields[f"item_{number}"] = forms.TypedChoiceField(
                label=f"{number}. {label}", choices=choices, coerce=int, widget=forms.RadioSelect
            )

    def answers(self) -> dict[str, int]:
        return {
            name.removeprefix("item_"): v for name, v in self.cleaned_data.items() if name.startswith("item_")
        }


class PlanForm(forms.Form):
    protocol = forms.ChoiceField(label=_("Protocol"))
    start_date = forms.DateField(label=_("First day"), widget=DateInput())
    max_dose_mg = forms.FloatField(label=_("Cap, mg/day"), min_value=5, max_value=400)
    max_mg_per_kg = forms.FloatField(
        label=_("Cap, mg/kg/day (optional)"), min_value=0.1, max_value=10, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["protocol"].choices = adapters.protocol_choices()  # type: ignore[attr-defined]


def side_effect_fields(form: forms.Form, prefix: str = "se_") -> None:
    for name, label in adapters.side_effect_choices():
        form.fields[f"{prefix}{name}"] = forms.TypedChoiceField(
            label=label, choices=SEVERITY_CHOICES, coerce=int, initial=0, required=False, empty_value=None
        )


def side_effects_of(form: forms.Form, prefix: str = "se_") -> dict[str, int]:
    data = form.cleaned_data
    return {k.removeprefix(prefix): int(v) for k, v in data.items() if k.startswith(prefix) and v}


class VisitForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    decision = forms.ChoiceField(label=_("Dose decision"), choices=DoseDecision.choices)
    dose_mg = forms.FloatField(label=_("Dose after the visit, mg/day"), min_value=0, max_value=400)
    reason = forms.CharField(label=_("Reason for the decision"), widget=forms.Textarea(attrs={"rows": 3}))
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        side_effect_fields(self)


class DiaryDayForm(forms.Form):
    """One day of the diary: drinks, craving, anxiety, doses taken, side effects and a note."""

    craving = forms.IntegerField(label=_("Craving today (0 none - 10 worst)"), min_value=0, max_value=10)
    anxiety = forms.IntegerField(label=_("Anxiety today (0 none - 10 worst)"), min_value=0, max_value=10)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        presets = [("", _("-- no drink --")), *adapters.beverage_choices()]
        for row in range(DRINK_ROWS):
            self.fields[f"drink_{row}_beverage"] = forms.ChoiceField(
                label=_("Drink"), choices=presets, required=False
            )
            self.fields[f"drink_{row}_count"] = forms.IntegerField(
                label=_("How many"), min_value=0, max_value=50, required=False
            )
            self.fields[f"drink_{row}_volume_ml"] = forms.FloatField(
                label=_("ml each"), min_value=1, max_value=3000, required=False
            )
            self.fields[f"drink_{row}_abv_percent"] = forms.FloatField(
                label=_("% alcohol"), min_value=0, max_value=100, required=False
            )
        for intake in range(INTAKES):
            self.fields[f"dose_{intake}"] = forms.FloatField(
                label=_("Intake %(n)s, mg") % {"n": intake + 1}, min_value=0, max_value=200, required=False
            )
        side_effect_fields(self)

    def drink_rows(self) -> list[list[forms.BoundField]]:
        parts = ("beverage", "count", "volume_ml", "abv_percent")
        return [[self[f"drink_{row}_{part}"] for part in parts] for row in range(DRINK_ROWS)]

    def dose_fields(self) -> list[forms.BoundField]:
        return [self[f"dose_{i}"] for i in range(INTAKES)]

    def side_effect_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("se_")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for row in range(DRINK_ROWS):
            beverage = data.get(f"drink_{row}_beverage")
            count = data.get(f"drink_{row}_count")
            if beverage and not count:
                self.add_error(f"drink_{row}_count", _("Say how many, or choose 'no drink'."))
            if count and not beverage:
                self.add_error(f"drink_{row}_beverage", _("Choose the drink."))
        return data

    def entry(self) -> DiaryEntry:
        data = self.cleaned_data
        drinks = []
        for row in range(DRINK_ROWS):
            if data.get(f"drink_{row}_beverage") and data.get(f"drink_{row}_count"):
                drinks.append(
                    adapters.drink_item(
                        data[f"drink_{row}_beverage"],
                        int(data[f"drink_{row}_count"]),
                        data.get(f"drink_{row}_volume_ml"),
                        data.get(f"drink_{row}_abv_percent"),
                    )
                )
        doses = [float(data[f"dose_{i}"]) for i in range(INTAKES) if data.get(f"dose_{i}")]
        return DiaryEntry(
            drinks=drinks,
            craving=data["craving"],
            anxiety=data["anxiety"],
            doses_mg=doses,
            side_effects=side_effects_of(self),
            note=data.get("note") or "",
        )

    @staticmethod
    def initial_from(day: Any) -> dict[str, Any]:
        """Initial values to correct a stored day."""
        initial: dict[str, Any] = {"craving": day.craving, "anxiety": day.anxiety, "note": day.note}
        for row, drink in enumerate(d for d in day.drinks if "volume_ml" in d):
            if row >= DRINK_ROWS:
                break
            for part in ("beverage", "count", "volume_ml", "abv_percent"):
                initial[f"drink_{row}_{part}"] = drink.get(part)
        for i, dose in enumerate(day.doses_mg[:INTAKES]):
            initial[f"dose_{i}"] = dose
        for name, severity in day.side_effects.items():
            initial[f"se_{name}"] = severity
        return initial


class GrantLoginForm(forms.Form):
    username = forms.CharField(label=_("Username for the client"), max_length=150)
    # Shown as typed: the clinician reads it out to the client, who changes it later.
    password = forms.CharField(
        label=_("Temporary password"), widget=forms.TextInput(attrs={"autocomplete": "off"}), min_length=8
    )
