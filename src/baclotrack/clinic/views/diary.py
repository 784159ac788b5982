"""The diary: the client's own pages (by login or personal link) and the clinician's view."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from baclotrack.clinic import adapters, throttle
from baclotrack.clinic.access import client_of_login, get_client, get_diary_day, link_for_token
from baclotrack.clinic.audit import Actor
from baclotrack.clinic.forms import DiaryDayForm, ReasonForm, keeps_recorded_drinks
from baclotrack.clinic.models import Client, DiaryDay, DiaryLink, DiarySource
from baclotrack.clinic.services.alerts import refresh_alerts
from baclotrack.clinic.services.diary import save_diary_day, soft_delete_diary_day
from baclotrack.clinic.views.helpers import actor_of, add_service_error, clinician_required, parse_day
from baclotrack.core.errors import InputError

DayUrl = Callable[[str], str]


def _diary_home(request: HttpRequest, client: Client, day_url: DayUrl, *, clinician: bool) -> HttpResponse:
    today = timezone.localdate()
    if request.GET.get("day"):  # "another day" picker: older days than the table shows
        return redirect(day_url(parse_day(request.GET["day"]).isoformat()))
    days = adapters.recent_diary(client, today, days=14)
    for row in days:
        row["url"] = day_url(row["date"].isoformat())
    context = {
        "client": client,
        "days": days,
        "today_url": day_url(today.isoformat()),
        "clinician": clinician,
    }
    return render(request, "clinic/diary_home.html", context)


def _day_page(
    request: HttpRequest, client: Client, day: str, actor: Actor, source: str, back: str, *, clinician: bool
) -> HttpResponse:
    date = parse_day(day)
    today = timezone.localdate()
    if date > today:
        raise Http404("a future day cannot be recorded")
    drink_grams = adapters.standard_drink_grams(client.country)
    if request.method == "POST":
        # A save reads nothing it does not need: the stored day and the plan's intakes only fill an
        # empty form (saves are the app's most frequent request; bench/web.py).
        form = DiaryDayForm(request.POST, drink_grams=drink_grams)
        if form.is_valid():
            try:
                save_diary_day(actor, client, date, form.entry(), source=source, today=today)
            except InputError as exc:
                add_service_error(form, exc)
            else:
                refresh_alerts(actor, client, today)
                return redirect(back)
    stored = DiaryDay.objects.filter(client=client, date=date, deleted_at__isnull=True).first()
    if request.method != "POST":
        initial = (
            DiaryDayForm.initial_from(stored)
            if stored is not None
            else adapters.diary_day_defaults(client, date)
        )
        form = DiaryDayForm(initial=initial, drink_grams=drink_grams)
    context = {
        "client": client,
        "form": form,
        "date": date,
        "stored": stored,
        # Alcohol recorded as one amount (or more drinks than rows): kept unless drinks are entered.
        "kept_grams": stored.grams if stored is not None and keeps_recorded_drinks(stored) else None,
        "back": back,
        "clinician": clinician,
        "presets": adapters.beverage_presets_json(),
        "drink_grams": drink_grams,
    }
    return render(request, "clinic/diary_day.html", context)


@login_required
def own_diary(request: HttpRequest) -> HttpResponse:
    client = client_of_login(request.user)
    return _diary_home(request, client, lambda d: reverse("clinic:own_day", args=[d]), clinician=False)


@login_required
@require_http_methods(["GET", "POST"])
def own_day(request: HttpRequest, day: str) -> HttpResponse:
    client = client_of_login(request.user)
    back = reverse("clinic:own_diary")
    return _day_page(request, client, day, actor_of(request), DiarySource.CLIENT, back, clinician=False)


def _throttled_link(request: HttpRequest, token: str) -> DiaryLink | HttpResponse:
    """The link of ``token``; wrong guesses count per address, and too many are refused (429)
    before the token is even looked up."""
    window = throttle.link_window()
    address = throttle.client_address(request)
    wait = window.blocked_for(address)
    if wait:
        context = {"minutes": throttle.minutes(wait)}
        return render(request, "clinic/throttled.html", context, status=429)
    try:
        return link_for_token(token)
    except Http404:
        window.fail(address)
        raise


def link_diary(request: HttpRequest, token: str) -> HttpResponse:
    link = _throttled_link(request, token)
    if isinstance(link, HttpResponse):
        return link
    url = lambda d: reverse("clinic:link_day", args=[token, d])  # noqa: E731
    return _diary_home(request, link.client, url, clinician=False)


@require_http_methods(["GET", "POST"])
def link_day(request: HttpRequest, token: str, day: str) -> HttpResponse:
    link = _throttled_link(request, token)
    if isinstance(link, HttpResponse):
        return link
    actor = Actor(None, label=f"diary link {link.pk}")
    back = reverse("clinic:link_diary", args=[token])
    return _day_page(request, link.client, day, actor, DiarySource.CLIENT, back, clinician=False)


@clinician_required
def clinician_diary(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client(request.user, client_id)
    return _diary_home(
        request, client, lambda d: reverse("clinic:client_day", args=[client.pk, d]), clinician=True
    )


@clinician_required
@require_http_methods(["GET", "POST"])
def clinician_day(request: HttpRequest, client_id: int, day: str) -> HttpResponse:
    client = get_client(request.user, client_id)
    back = reverse("clinic:client_diary", args=[client.pk])
    return _day_page(request, client, day, actor_of(request), DiarySource.CLINICIAN, back, clinician=True)


@clinician_required
def day_history(request: HttpRequest, day_id: int) -> HttpResponse:
    day = get_diary_day(request.user, day_id)
    versions = day.versions.select_related("recorded_by")
    return render(
        request, "clinic/day_history.html", {"day": day, "client": day.client, "versions": versions}
    )


@clinician_required
@require_http_methods(["GET", "POST"])
def day_delete(request: HttpRequest, day_id: int) -> HttpResponse:
    day = get_diary_day(request.user, day_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            soft_delete_diary_day(actor_of(request), day, form.cleaned_data["reason"])
        except InputError as exc:
            add_service_error(form, exc)
        else:
            return redirect("clinic:client_diary", client_id=day.client_id)
    what = day.date.isoformat()
    return render(request, "clinic/confirm_delete.html", {"form": form, "client": day.client, "what": what})
