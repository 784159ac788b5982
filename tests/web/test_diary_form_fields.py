"""The diary form's fields are made once per language and copied into each form: each form gets
its own fields, in its own language."""

from __future__ import annotations

from django.utils import translation

from baclotrack.clinic.forms import DiaryDayForm


def test_each_diary_form_has_its_own_fields() -> None:
    first, second = DiaryDayForm(), DiaryDayForm()
    assert first.fields["drink_0_beverage"] is not second.fields["drink_0_beverage"]
    first.fields["se_nausea"].widget.attrs["data-marked"] = "1"
    assert "data-marked" not in second.fields["se_nausea"].widget.attrs
    assert "data-marked" not in DiaryDayForm().fields["se_nausea"].widget.attrs


def test_a_french_diary_form_after_an_english_one_shows_french_choices() -> None:
    with translation.override("en"):
        english = dict(DiaryDayForm().fields["drink_0_beverage"].choices)  # type: ignore[attr-defined]
        english_label = str(DiaryDayForm().fields["dose_0"].label)
    with translation.override("fr"):
        french = dict(DiaryDayForm().fields["drink_0_beverage"].choices)  # type: ignore[attr-defined]
        french_label = str(DiaryDayForm().fields["dose_0"].label)
    assert english["wine"] != french["wine"]
    assert english_label == "Intake 1, mg" and french_label != english_label
    assert list(english) == list(french)  # the same beverages, in the same order
