"""The diary day asks "Did you drink alcohol on this day?": a day without drinks is an abstinent day
(0 g) only when the person answers "No alcohol", never because the question was left blank
(decision 0174)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from baclotrack.clinic.audit import Actor
from baclotrack.clinic.forms import DiaryDayForm
from baclotrack.clinic.models import AuditEvent, DiaryDay
from baclotrack.clinic.services.diary import DiaryEntry, save_diary_day

QUESTION_FR = "Avez-vous bu de l&#x27;alcool ce jour-là ?"
BEER = {"drink_0_beverage": "beer", "drink_0_count": "2"}
TWO_BEERS_G = 2 * 330 * 0.05 * 0.789  # the beer preset's volume and strength


def day_form(**extra: str) -> DiaryDayForm:
    return DiaryDayForm({"craving": "3", "anxiety": "2", **extra})


def days_ago(days: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=days)).isoformat()


# The form


def test_no_alcohol_without_drinks_is_a_day_without_drinks() -> None:
    form = day_form(drank="no")
    assert form.is_valid(), form.errors
    assert form.entry().drinks == []


def test_no_alcohol_with_a_drink_entered_is_refused_at_the_question() -> None:
    form = day_form(drank="no", **BEER)
    assert not form.is_valid()
    assert "No alcohol" in form.errors["drank"][0]


def test_no_alcohol_with_only_a_drink_chosen_is_refused_at_the_question() -> None:
    form = day_form(drank="no", drink_1_beverage="wine")
    assert not form.is_valid()
    assert "drank" in form.errors and "drink_1_count" in form.errors


def test_yes_without_any_drink_is_refused() -> None:
    form = day_form(drank="yes")
    assert not form.is_valid()
    assert "enter your drinks" in form.errors["drank"][0]


def test_no_answer_and_no_drinks_is_refused_with_the_question() -> None:
    form = day_form()
    assert not form.is_valid()
    assert form.errors["drank"] == ["Say whether you drank alcohol on this day."]


def test_drinks_without_an_answer_are_a_yes() -> None:
    form = day_form(**BEER)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["drank"] == "yes"
    assert [d["count"] for d in form.entry().drinks] == [2]


def test_yes_with_drinks_in_a_later_row_is_accepted() -> None:
    form = day_form(drank="yes", drink_2_beverage="wine", drink_2_count="1")
    assert form.is_valid(), form.errors


def test_an_answer_outside_the_choices_is_refused_once() -> None:
    form = day_form(drank="maybe")
    assert not form.is_valid()
    assert len(form.errors["drank"]) == 1 and "valid choice" in form.errors["drank"][0]


def test_a_row_with_zero_drinks_and_no_drink_chosen_is_not_a_drink() -> None:
    assert day_form(drank="no", drink_0_count="0").is_valid()
    assert "drank" in day_form(drank="yes", drink_0_count="0").errors


@pytest.mark.parametrize(("grams", "answer"), [(0.0, "no"), (26.0, "yes")])
def test_a_stored_day_fills_in_the_answer(grams: float, answer: str) -> None:
    day = DiaryDay(grams=grams, drinks=[], doses_mg=[], side_effects={}, craving=1, anxiety=1)
    assert DiaryDayForm.initial_from(day)["drank"] == answer


# Through the pages


def test_a_day_without_the_answer_and_without_drinks_is_refused_and_nothing_is_stored(cast) -> None:
    day = days_ago(3)
    events = AuditEvent.objects.count()
    response = cast.http("anonymous").post(f"/d/{cast.token_a}/{day}/", {"craving": 3, "anxiety": 2})
    assert response.status_code == 200
    assert "Say whether you drank alcohol on this day." in response.content.decode()
    assert not DiaryDay.objects.filter(client=cast.client_a, date=day).exists()
    assert AuditEvent.objects.count() == events


def test_no_alcohol_stores_an_abstinent_day(cast) -> None:
    day = days_ago(3)
    data = {"craving": 3, "anxiety": 2, "drank": "no"}
    assert cast.http("client_a").post(f"/diary/{day}/", data).status_code == 302
    stored = DiaryDay.objects.get(client=cast.client_a, date=day)
    assert (stored.grams, stored.drinks) == (0.0, [])


def test_drinks_alone_store_their_grams(cast) -> None:
    day = days_ago(3)
    response = cast.http("anonymous").post(f"/d/{cast.token_a}/{day}/", {"craving": 3, "anxiety": 2, **BEER})
    assert response.status_code == 302
    assert DiaryDay.objects.get(client=cast.client_a, date=day).grams == pytest.approx(TWO_BEERS_G)


def test_the_clinicians_page_refuses_yes_without_drinks_and_keeps_the_stored_day(cast) -> None:
    url = f"/clients/{cast.client_a.pk}/diary/{cast.day_a.date.isoformat()}/"
    grams = cast.day_a.grams
    response = cast.http("clinician_a").post(url, {"craving": 1, "anxiety": 1, "drank": "yes"})
    assert response.status_code == 200 and "drank" in response.context["form"].errors
    stored = DiaryDay.objects.get(pk=cast.day_a.pk)
    assert (stored.version, stored.grams) == (1, grams)


def test_correcting_a_day_with_drinks_to_no_alcohol_needs_the_drinks_cleared(cast) -> None:
    http = cast.http("client_a")
    url = f"/diary/{cast.day_a.date.isoformat()}/"
    kept_drinks = {"craving": 4, "anxiety": 2, "drank": "no", "drink_0_beverage": "beer", "drink_0_count": 2}
    assert http.post(url, kept_drinks).status_code == 200
    assert http.post(url, {"craving": 4, "anxiety": 2, "drank": "no"}).status_code == 302
    assert DiaryDay.objects.get(pk=cast.day_a.pk).grams == 0.0


def answer_checked(page: str) -> str | None:
    """The answer whose radio button the page shows ticked."""
    ticked = re.search(r'<input type="radio" name="drank" value="(\w+)"[^>]*\bchecked\b', page)
    return ticked.group(1) if ticked else None


def test_editing_a_day_shows_its_stored_answer(cast) -> None:
    http = cast.http("client_a")
    abstinent = timezone.localdate() - dt.timedelta(days=5)
    save_diary_day(Actor(cast.clinician_a), cast.client_a, abstinent, DiaryEntry(craving=1))
    assert answer_checked(http.get(f"/diary/{abstinent.isoformat()}/").content.decode()) == "no"
    assert answer_checked(http.get(f"/diary/{cast.day_a.date.isoformat()}/").content.decode()) == "yes"
    assert answer_checked(http.get(f"/diary/{days_ago(6)}/").content.decode()) is None


def test_the_french_page_asks_the_question_in_french(cast) -> None:
    http: Any = cast.http("client_a")
    http.cookies["django_language"] = "fr"
    page = http.get(f"/diary/{days_ago(2)}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert QUESTION_FR in page and "Pas d&#x27;alcool" in page
    assert "Did you drink alcohol" not in page
    refused = http.post(f"/diary/{days_ago(2)}/", {"craving": 3, "anxiety": 2}, HTTP_ACCEPT_LANGUAGE="fr")
    assert "Dites si vous avez bu de l&#x27;alcool ce jour-là." in refused.content.decode()


# A day the drink rows cannot show (recorded in grams, or more drinks than rows)


def grams_day(cast: Any, grams: float = 48.0) -> DiaryDay:
    """A day recorded as an amount of grams, as the baseline calendar and imports record them."""
    date = timezone.localdate() - dt.timedelta(days=4)
    entry = DiaryEntry(drinks=[{"beverage": "grams", "grams": grams}], craving=6, anxiety=2)
    return save_diary_day(Actor(cast.clinician_a), cast.client_a, date, entry)


def test_a_day_in_grams_opens_with_its_alcohol_explained_and_kept(cast) -> None:
    day = grams_day(cast)
    page = cast.http("client_a").get(f"/diary/{day.date.isoformat()}/").content.decode()
    assert "Recorded for this day: 48 g of alcohol" in page
    assert answer_checked(page) == "yes"
    assert 'name="keep_drinks" value="True"' in page
    assert 'name="drink_0_beverage"' in page and 'value="grams"' not in page


def test_correcting_the_craving_of_a_day_in_grams_keeps_its_alcohol(cast) -> None:
    day = grams_day(cast)
    url = f"/diary/{day.date.isoformat()}/"
    data = {"craving": 2, "anxiety": 2, "drank": "yes", "keep_drinks": "True"}
    assert cast.http("client_a").post(url, data).status_code == 302
    stored = DiaryDay.objects.get(pk=day.pk)
    assert (stored.grams, stored.drinks, stored.craving, stored.version) == (48.0, day.drinks, 2, 2)
    assert stored.versions.get().snapshot["craving"] == 6  # the earlier version is kept


def test_drinks_entered_on_a_day_in_grams_replace_its_alcohol(cast) -> None:
    day = grams_day(cast)
    data = {"craving": 2, "anxiety": 2, "drank": "yes", "keep_drinks": "True", **BEER}
    assert cast.http("client_a").post(f"/diary/{day.date.isoformat()}/", data).status_code == 302
    assert DiaryDay.objects.get(pk=day.pk).grams == pytest.approx(TWO_BEERS_G)


def test_no_alcohol_on_a_day_in_grams_makes_it_abstinent(cast) -> None:
    day = grams_day(cast)
    data = {"craving": 2, "anxiety": 2, "drank": "no", "keep_drinks": "True"}
    assert cast.http("client_a").post(f"/diary/{day.date.isoformat()}/", data).status_code == 302
    assert (DiaryDay.objects.get(pk=day.pk).grams, DiaryDay.objects.get(pk=day.pk).drinks) == (0.0, [])


def test_keeping_drinks_on_a_day_without_any_is_refused_and_nothing_is_written(cast) -> None:
    date = days_ago(6)
    events = AuditEvent.objects.count()
    data = {"craving": 2, "anxiety": 2, "drank": "yes", "keep_drinks": "True"}
    response = cast.http("client_a").post(f"/diary/{date}/", data)
    assert response.status_code == 200
    assert "no drinks are recorded for this day" in response.content.decode()
    assert not DiaryDay.objects.filter(client=cast.client_a, date=date).exists()
    assert AuditEvent.objects.count() == events


def test_more_drinks_than_rows_are_kept_whole_not_cut_to_the_rows(cast) -> None:
    """Five drinks (an import) do not fit four rows: the form shows none and keeps all five."""
    five = [{"beverage": "beer", "count": 1, "volume_ml": 330.0, "abv_percent": 5.0}] * 5
    date = timezone.localdate() - dt.timedelta(days=4)
    day = save_diary_day(Actor(cast.clinician_a), cast.client_a, date, DiaryEntry(drinks=five, craving=5))
    assert DiaryDayForm.initial_from(day)["keep_drinks"] is True
    assert "drink_0_beverage" not in DiaryDayForm.initial_from(day)
    data = {"craving": 1, "anxiety": 1, "drank": "yes", "keep_drinks": "True"}
    assert cast.http("client_a").post(f"/diary/{date.isoformat()}/", data).status_code == 302
    assert DiaryDay.objects.get(pk=day.pk).grams == pytest.approx(day.grams)


def test_a_day_the_rows_can_show_is_not_kept_but_shown() -> None:
    day = DiaryDay(
        grams=26.0,
        drinks=[{"beverage": "beer", "count": 2, "volume_ml": 330.0, "abv_percent": 5.0}],
        doses_mg=[],
        side_effects={},
    )
    initial = DiaryDayForm.initial_from(day)
    assert "keep_drinks" not in initial and initial["drink_0_count"] == 2


def test_the_service_refuses_drinks_and_keep_together(cast) -> None:
    from baclotrack.clinic.errors import ClinicInputError

    entry = DiaryEntry(drinks=[{"beverage": "grams", "grams": 10.0}], keep_drinks=True)
    with pytest.raises(ClinicInputError, match="not both"):
        save_diary_day(Actor(cast.clinician_a), cast.client_a, cast.day_a.date, entry)


def test_the_kept_alcohol_is_explained_in_french(cast) -> None:
    day = grams_day(cast)
    http: Any = cast.http("client_a")
    http.cookies["django_language"] = "fr"
    page = http.get(f"/diary/{day.date.isoformat()}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Enregistré pour ce jour : 48 g d'alcool" in page
    refused = http.post(
        f"/diary/{days_ago(6)}/",
        {"craving": 2, "anxiety": 2, "drank": "yes", "keep_drinks": "True"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert "aucune boisson n&#x27;est enregistrée pour ce jour" in refused.content.decode()
