"""Forms: they check types and ranges of what people type; services and the core do the rest.

Labels and choices of clinical content (instrument items, side effects, protocols,
beverages) come from the core through :mod:`baclotrack.clinic.adapters`.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any, ClassVar

from django import forms
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from baclotrack.clinic import adapters
from baclotrack.clinic.models import Caution, Client, DoseDecision
from baclotrack.clinic.services.diary import BASELINE_DAYS, DiaryEntry
from baclotrack.core.diary import MAX_DOSE_MG_PER_DAY
from baclotrack.core.errors import InputError
from baclotrack.core.guidelines import STANDARD_DRINK_GRAMS, Country
from baclotrack.core.plausibility import DEFAULT_LIMITS
from baclotrack.core.titration.taper import (
    DEFAULT_MIN_TAPER_DAYS,
    DEFAULT_TAPER_INTERVAL_DAYS,
    DEFAULT_TAPER_STEP_MG,
    LABEL_MIN_TAPER_DAYS,
    TAPER_STEP_CHOICES_MG,
)

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


def not_in_future(value: dt.date) -> None:
    """Visits and questionnaires are recorded after they happen."""
    if value > timezone.localdate():
        raise forms.ValidationError(gettext("%(date)s is in the future.") % {"date": value.isoformat()})


class ConfirmImplausible(forms.Form):
    """Values above the core's plausibility limits (core/plausibility.py) are kept only when the
    person ticks a confirmation box, which appears with the warning."""

    confirm_implausible = forms.BooleanField(
        label=_("I have checked: these values are right."), required=False, widget=forms.HiddenInput
    )

    def confirm_last(self) -> None:
        """Put the confirmation box after the fields it confirms (call at the end of __init__)."""
        self.fields["confirm_implausible"] = self.fields.pop("confirm_implausible")

    def ask_confirmation(self, data: dict[str, Any], warnings: list[str]) -> None:
        confirmed = bool(data.pop("confirm_implausible", False))
        if not warnings:
            return
        self.fields["confirm_implausible"].widget = forms.CheckboxInput()
        if not confirmed:
            self.add_error(None, " ".join([*warnings, gettext("Tick the box below to keep them.")]))

    @staticmethod
    def too_many_drinks(drinks: float, when: str) -> str:
        return gettext("%(when)s: %(drinks).1f standard drinks is more than %(limit)g.") % {
            "when": when,
            "drinks": drinks,
            "limit": DEFAULT_LIMITS.drinks_per_day,
        }

    @staticmethod
    def dose_too_high(dose_mg: float | None) -> list[str]:
        if dose_mg is None or dose_mg <= DEFAULT_LIMITS.dose_mg_per_day:
            return []
        return [
            gettext("%(dose)g mg/day of baclofen is more than %(limit)g mg/day.")
            % {"dose": dose_mg, "limit": DEFAULT_LIMITS.dose_mg_per_day}
        ]


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
            "prescribing_country",
            "creatinine_clearance",
            "cautions",
            "treatment_start",
        )
        widgets = {"treatment_start": DateInput()}  # noqa: RUF012 - Django's Meta convention

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["prescribing_country"]
        known = [choice for choice in field.choices if choice[0]]  # type: ignore[attr-defined]
        if self.instance.pk is None:
            # A new client is prescribed where their standard drink comes from unless the
            # clinician says otherwise (services/clients.py fills it in; WHO drinks give ZZ).
            field.required = False
            field.choices = [("", _("same as the standard drink")), *known]  # type: ignore[attr-defined]
        else:
            field.choices = known  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ResolveAlertForm(forms.Form):
    note = forms.CharField(label=_("How was it dealt with?"), widget=forms.Textarea(attrs={"rows": 3}))


class BaselineCalendarForm(ConfirmImplausible):
    """The 28 days before treatment, in standard drinks of the client's country, oldest first."""

    def __init__(self, *args: Any, start: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for offset in range(BASELINE_DAYS):
            day = start - dt.timedelta(days=BASELINE_DAYS - offset)
            self.fields[f"day_{offset}"] = forms.FloatField(
                label=day.strftime("%a %d %b"), min_value=0, max_value=200, initial=0
            )
        self.confirm_last()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        warnings = [
            self.too_many_drinks(float(data[name]), str(self.fields[name].label))
            for name in (f"day_{offset}" for offset in range(BASELINE_DAYS))
            if data.get(name) is not None and float(data[name]) > DEFAULT_LIMITS.drinks_per_day
        ]
        self.ask_confirmation(data, warnings)
        return data

    def drinks(self) -> list[float]:
        return [float(self.cleaned_data[f"day_{offset}"]) for offset in range(BASELINE_DAYS)]


class InstrumentForm(forms.Form):
    """One questionnaire, its items and answers as the core defines them."""

    date = forms.DateField(label=_("Date"), widget=DateInput(), validators=[not_in_future])

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


class PlanForm(ConfirmImplausible):
    protocol = forms.ChoiceField(label=_("Protocol"))
    start_date = forms.DateField(label=_("First day"), widget=DateInput())
    max_dose_mg = forms.FloatField(label=_("Cap, mg/day"), min_value=5, max_value=400)
    max_mg_per_kg = forms.FloatField(
        label=_("Cap, mg/kg/day (optional)"), min_value=0.1, max_value=10, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["protocol"].choices = adapters.protocol_choices()  # type: ignore[attr-defined]
        self.confirm_last()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.ask_confirmation(data, self.dose_too_high(data.get("max_dose_mg")))
        return data


class TaperForm(forms.Form):
    """A taper to zero (decision 0184): the core checks the pace and length (core/titration/taper.py)."""

    start_date = forms.DateField(label=_("First day"), widget=DateInput())
    from_mg = forms.FloatField(
        label=_("Taper from, mg/day"),
        help_text=_("The dose the client takes now."),
        min_value=1,
        max_value=MAX_DOSE_MG_PER_DAY,
    )
    step_mg = forms.TypedChoiceField(
        label=_("Step, mg"),
        coerce=float,
        choices=[(f"{mg:g}", f"{mg:g}") for mg in TAPER_STEP_CHOICES_MG],
        initial=f"{DEFAULT_TAPER_STEP_MG:g}",
    )
    interval_days = forms.IntegerField(
        label=_("Days between steps"), min_value=1, max_value=28, initial=DEFAULT_TAPER_INTERVAL_DAYS
    )
    min_duration_days = forms.IntegerField(
        label=_("Shortest taper, days"),
        min_value=LABEL_MIN_TAPER_DAYS,
        max_value=120,
        initial=DEFAULT_MIN_TAPER_DAYS,
    )


def _side_effect_fields(prefix: str = "se_") -> dict[str, forms.Field]:
    return {
        f"{prefix}{name}": forms.TypedChoiceField(
            label=label, choices=SEVERITY_CHOICES, coerce=int, initial=0, required=False, empty_value=None
        )
        for name, label in adapters.side_effect_choices()
    }


def side_effect_fields(form: forms.Form, prefix: str = "se_") -> None:
    form.fields.update(_side_effect_fields(prefix))


def side_effects_of(form: forms.Form, prefix: str = "se_") -> dict[str, int]:
    data = form.cleaned_data
    return {k.removeprefix(prefix): int(v) for k, v in data.items() if k.startswith(prefix) and v}


class VisitForm(ConfirmImplausible):
    date = forms.DateField(label=_("Date"), widget=DateInput(), validators=[not_in_future])
    decision = forms.ChoiceField(label=_("Dose decision"), choices=DoseDecision.choices)
    dose_mg = forms.FloatField(label=_("Dose after the visit, mg/day"), min_value=0, max_value=400)
    reason = forms.CharField(label=_("Reason for the decision"), widget=forms.Textarea(attrs={"rows": 3}))
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        side_effect_fields(self)
        self.confirm_last()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.ask_confirmation(data, self.dose_too_high(data.get("dose_mg")))
        return data


class DrankAlcohol(models.TextChoices):
    """The answer to "Did you drink alcohol on this day?" on the diary form."""

    NO = "no", _("No alcohol")
    YES = "yes", _("Yes (enter the drinks below)")


def shown_as_rows(drinks: list[dict[str, Any]]) -> bool:
    """Whether a stored day's drinks can be shown, all of them, as the diary form's drink rows.

    Not when one is an amount in grams (the baseline calendar, imports) or when there are more
    drinks than rows: such a day's form keeps the recorded drinks unless new ones are entered.
    """
    return len(drinks) <= DRINK_ROWS and all("volume_ml" in drink for drink in drinks)


def keeps_recorded_drinks(day: Any) -> bool:
    """Whether a stored day's form keeps its alcohol unless drinks are entered: some alcohol the
    rows cannot show (:func:`shown_as_rows`)."""
    return bool(day.grams > 0) and not shown_as_rows(day.drinks)


def _own_copy(field: forms.Field) -> forms.Field:
    """A form's own copy of ``field``, as Django's ``Field.__deepcopy__`` makes it (own widget, widget
    attributes, error messages and validators) except that the choice lists are shared: Django
    copies and re-normalises them for every copy, which was most of the cost of a diary form
    (0.5 of 0.6 ms; decision 0178). Nothing changes a choice list after the field is made."""
    own = copy.copy(field)
    own.widget = copy.copy(field.widget)
    own.widget.attrs = dict(field.widget.attrs)
    own.error_messages = dict(field.error_messages)
    own.validators = list(field.validators)
    return own


class DiaryDayForm(ConfirmImplausible):
    """One day of the diary: drinks, craving, anxiety, doses taken, side effects and a note.

    An abstinent day is recorded only when the person says so: a day without drinks is stored
    as 0 g, which the endpoints count as abstinent, so "No alcohol" must be an answer and never
    the default of a question left blank (decision 0174). Drinks typed without an answer are a
    "yes".
    """

    drank = forms.ChoiceField(
        label=_("Did you drink alcohol on this day?"),
        choices=DrankAlcohol.choices,
        widget=forms.RadioSelect,
        required=False,  # blank is allowed when drinks are entered; clean() checks the rest
    )
    craving = forms.IntegerField(label=_("Craving today (0 none - 10 worst)"), min_value=0, max_value=10)
    anxiety = forms.IntegerField(label=_("Anxiety today (0 none - 10 worst)"), min_value=0, max_value=10)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    #: Set on the form of a stored day whose drinks cannot be shown as drink rows (see
    #: :func:`shown_as_rows`): with "Yes" and no rows entered, the recorded drinks stay as they are.
    keep_drinks = forms.BooleanField(required=False, widget=forms.HiddenInput)

    #: The drink, intake and side-effect fields, made once per language (their choices are
    #: translated when made) and copied into each form, as Django copies declared fields:
    #: half the cost of making them for every diary save (bench/web.py, decision 0173). The
    #: copies share the choice lists, which no form changes (:func:`_own_copy`).
    _day_fields: ClassVar[dict[str, dict[str, forms.Field]]] = {}

    def __init__(self, *args: Any, drink_grams: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Grams in one standard drink of the client's country (WHO's 10 g when not given).
        self.drink_grams = drink_grams or STANDARD_DRINK_GRAMS[Country.WHO]
        language = translation.get_language() or ""
        made = self._day_fields.get(language)
        if made is None:
            made = self._day_fields[language] = self._make_day_fields()
        self.fields.update({name: _own_copy(made_field) for name, made_field in made.items()})
        self.confirm_last()

    @staticmethod
    def _make_day_fields() -> dict[str, forms.Field]:
        fields: dict[str, forms.Field] = {}
        presets = [("", _("-- no drink --")), *adapters.beverage_choices()]
        for row in range(DRINK_ROWS):
            fields[f"drink_{row}_beverage"] = forms.ChoiceField(
                label=_("Drink"), choices=presets, required=False
            )
            fields[f"drink_{row}_count"] = forms.IntegerField(
                label=_("How many"), min_value=0, max_value=50, required=False
            )
            fields[f"drink_{row}_volume_ml"] = forms.FloatField(
                label=_("ml each"), min_value=1, max_value=3000, required=False
            )
            fields[f"drink_{row}_abv_percent"] = forms.FloatField(
                label=_("% alcohol"), min_value=0, max_value=100, required=False
            )
        for intake in range(INTAKES):
            fields[f"dose_{intake}"] = forms.FloatField(
                label=_("Intake %(n)s, mg") % {"n": intake + 1}, min_value=0, max_value=200, required=False
            )
        return fields | _side_effect_fields()

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
        self._check_drank(data)
        warnings = self.dose_too_high(sum(data.get(f"dose_{i}") or 0.0 for i in range(INTAKES)))
        drinks = self._standard_drinks(data)
        if drinks > DEFAULT_LIMITS.drinks_per_day:
            warnings.insert(0, self.too_many_drinks(drinks, gettext("This day")))
        self.ask_confirmation(data, warnings)
        return data

    def _check_drank(self, data: dict[str, Any]) -> None:
        """The answer to "Did you drink alcohol?" and the drink rows must agree."""
        # A row counts as entered once it names a drink or a number of drinks: one that is only
        # half filled in is reported by its own fields above, not taken for "no drinks".
        entered = any(
            data.get(f"drink_{row}_beverage") or data.get(f"drink_{row}_count") for row in range(DRINK_ROWS)
        )
        if "drank" in self.errors:
            return  # a value outside the choices, already refused by the field
        answer = data.get("drank")
        if answer == DrankAlcohol.NO and entered:
            self.add_error(
                "drank",
                _("You answered 'No alcohol' but entered drinks: clear the drinks or answer 'Yes'."),
            )
        elif answer == DrankAlcohol.YES and not entered and not data.get("keep_drinks"):
            self.add_error("drank", _("You answered 'Yes': enter your drinks below, or answer 'No alcohol'."))
        elif not answer and entered:
            data["drank"] = DrankAlcohol.YES  # typing the drinks is answer enough
        elif not answer:
            self.add_error("drank", _("Say whether you drank alcohol on this day."))

    def _standard_drinks(self, data: dict[str, Any]) -> float:
        grams = 0.0
        for row in range(DRINK_ROWS):
            beverage, count = data.get(f"drink_{row}_beverage"), data.get(f"drink_{row}_count")
            if not beverage or not count:
                continue
            volume, abv = data.get(f"drink_{row}_volume_ml"), data.get(f"drink_{row}_abv_percent")
            try:
                grams += adapters.drink_grams(adapters.drink_item(beverage, int(count), volume, abv))
            except (InputError, KeyError):
                continue  # an unknown beverage or strength is reported by its own field
        return grams / self.drink_grams

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
        # An intake of 0 mg is a dose not taken, not a blank: keep it, or missed doses stay invisible.
        doses = [float(data[f"dose_{i}"]) for i in range(INTAKES) if data.get(f"dose_{i}") is not None]
        # "Yes" with no rows on a day whose recorded drinks the rows cannot show: keep them.
        keep = bool(data.get("keep_drinks")) and data.get("drank") == DrankAlcohol.YES and not drinks
        return DiaryEntry(
            drinks=drinks,
            keep_drinks=keep,
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
        initial["drank"] = DrankAlcohol.YES if day.grams > 0 else DrankAlcohol.NO
        if keeps_recorded_drinks(day):
            # Rows would show part of the day, or nothing, and saving them would change it.
            initial["keep_drinks"] = True
        elif shown_as_rows(day.drinks):
            for row, drink in enumerate(day.drinks):
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
