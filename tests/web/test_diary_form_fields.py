"""The diary form's fields are made once per language and copied into each form: each form gets
its own fields (sharing only their choice lists), in its own language."""

from __future__ import annotations

from django.utils import translation

from baclotrack.clinic.forms import DiaryDayForm


def test_each_diary_form_has_its_own_fields() -> None:
    first, second = DiaryDayForm(), DiaryDayForm()
    assert first.fields["drink_0_beverage"] is not second.fields["drink_0_beverage"]
    first.fields["se_nausea"].widget.attrs["data-marked"] = "1"
    assert "data-marked" not in second.fields["se_nausea"].widget.attrs
    assert "data-marked" not in DiaryDayForm().fields["se_nausea"].widget.attrs
    first.fields["dose_0"].validators.append(lambda value: None)
    first.fields["dose_0"].error_messages["required"] = "changed"
    assert len(first.fields["dose_0"].validators) == len(second.fields["dose_0"].validators) + 1
    assert second.fields["dose_0"].error_messages["required"] != "changed"
    assert first.fields["se_nausea"].widget is not second.fields["se_nausea"].widget


def test_a_validated_and_rendered_diary_form_leaves_the_next_form_as_made() -> None:
    """The copies share their choice lists (decision 0178): using a form must not change them."""
    before = [
        (name, list(field.choices))
        for name, field in DiaryDayForm().fields.items()
        if hasattr(field, "choices")
    ]
    used = DiaryDayForm({"drink_0_beverage": "wine", "drink_0_count": "x", "se_nausea": "9"})
    assert not used.is_valid()
    str(used)  # render every field, with its errors
    after = [
        (name, list(field.choices))
        for name, field in DiaryDayForm().fields.items()
        if hasattr(field, "choices")
    ]
    assert before == after and len(before) > 9


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
