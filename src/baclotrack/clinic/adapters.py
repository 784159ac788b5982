"""The one place where clinic rows become core inputs and core results become page rows.

Views and templates never compute a clinical number: doses, standard drinks, heavy days,
endpoints, scores and alerts all come from :mod:`baclotrack.core` through this module.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

import polars as pl
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from baclotrack.clinic.core_text import core_messages, core_text
from baclotrack.clinic.page_reads import active_plan, live_diary
from baclotrack.core import alcohol
from baclotrack.core.diary import SIDE_EFFECTS
from baclotrack.core.diary import DiaryDay as CoreDiaryDay
from baclotrack.core.endpoints import Window, compute_endpoints, study_day
from baclotrack.core.guidelines import DEFAULT_HEAVY_DAY, HeavyDayDefinition, Sex
from baclotrack.core.instruments import INSTRUMENTS
from baclotrack.core.instruments import score as score_answers
from baclotrack.core.practice import PracticeOutcomes
from baclotrack.core.practice import practice_outcomes as core_practice_outcomes
from baclotrack.core.titration.caps import (
    HIGHEST_STUDIED_CAP,
    parse_jurisdiction,
    regulatory_caps_for_jurisdiction,
    user_cap,
)
from baclotrack.core.titration.plan import Plan, PlanDay, generate_plan, plan_caps
from baclotrack.core.titration.protocols import PROTOCOLS, get_protocol
from baclotrack.core.titration.rules import DEFAULT_RULES, ClientContext, evaluate
from baclotrack.core.titration.rules import Caution as RuleCaution
from baclotrack.core.titration.tablets import DEFAULT_TABLETS
from baclotrack.reports.prescriber import ClientInfo, ReportData, build_report_data

if TYPE_CHECKING:
    from baclotrack.clinic.models import Client
    from baclotrack.clinic.services.diary import DiaryEntry

#: Heavy-day definition the clinic shows (the core's default, FDA; core/guidelines.py).
HEAVY_DAY: HeavyDayDefinition = DEFAULT_HEAVY_DAY
#: Days of the plan drawn ahead of the diary on the timeline chart.
CHART_DAYS_AHEAD = 14


def _sex(client: Client) -> Sex:
    return "F" if client.sex == "F" else "M"


# -- alcohol -------------------------------------------------------------------------------------
def beverage_choices() -> list[tuple[str, str]]:
    return [(key, core_text(b.label)) for key, b in alcohol.BEVERAGE_PRESETS.items()]


def beverage_presets_json() -> dict[str, dict[str, float]]:
    return {
        k: {"volume_ml": b.volume_ml, "abv_percent": b.abv_percent}
        for k, b in alcohol.BEVERAGE_PRESETS.items()
    }


def standard_drink_grams(country: str) -> float:
    return alcohol.standard_drink_grams(country)


def drinks_to_grams(drinks: float, country: str) -> float:
    return alcohol.drinks_to_grams(drinks, country)


def drink_item(
    beverage: str, count: int, volume_ml: float | None, abv_percent: float | None
) -> dict[str, Any]:
    """A drink as stored: the preset's volume and strength unless the person changed them."""
    preset = alcohol.BEVERAGE_PRESETS[beverage]
    volume = float(volume_ml) if volume_ml else preset.volume_ml
    abv = float(abv_percent) if abv_percent is not None else preset.abv_percent
    return {"beverage": beverage, "count": count, "volume_ml": volume, "abv_percent": abv}


def drink_grams(drink: dict[str, Any]) -> float:
    """Grams of ethanol of one stored drink row (a beverage row, or a baseline grams row)."""
    if "grams" in drink:
        return float(drink["grams"])
    return alcohol.grams_of_ethanol(float(drink["volume_ml"]), float(drink["abv_percent"])) * int(
        drink["count"]
    )


# -- diary ---------------------------------------------------------------------------------------
def side_effect_choices() -> list[tuple[str, str]]:
    return [(key, core_text(label)) for key, label in SIDE_EFFECTS.items()]


def validated_side_effects(side_effects: dict[str, int]) -> dict[str, int]:
    day = CoreDiaryDay(date=timezone.localdate(), side_effects=side_effects)  # only the scale is checked
    return {k: v for k, v in day.side_effects.items() if v}


def validated_diary_values(client: Client, date: dt.date, entry: DiaryEntry) -> dict[str, Any]:
    """Model field values for a diary day, validated by the core's DiaryDay."""
    grams = sum(drink_grams(d) for d in entry.drinks)
    doses = [float(d) for d in entry.doses_mg]
    core_day = CoreDiaryDay(
        date=date,
        grams=grams,
        craving=entry.craving,
        anxiety=entry.anxiety,
        dose_taken_mg=sum(doses) if doses else None,
        side_effects=entry.side_effects,
    )
    return {
        "drinks": list(entry.drinks),
        "grams": core_day.grams,
        "craving": core_day.craving,
        "anxiety": core_day.anxiety,
        "doses_mg": doses,
        "side_effects": {k: v for k, v in core_day.side_effects.items() if v},
        "note": entry.note,
    }


def core_diary_days(client: Client, since: dt.date | None = None) -> list[CoreDiaryDay]:
    """The client's live diary (from ``since`` if given) as the core's DiaryDay records, oldest first."""
    return [
        CoreDiaryDay(
            date=date,
            grams=grams,
            craving=craving,
            anxiety=anxiety,
            dose_taken_mg=sum(doses) if doses else None,
            side_effects=side_effects,
        )
        for date, grams, craving, anxiety, doses, side_effects in live_diary(
            client, "date", "grams", "craving", "anxiety", "doses_mg", "side_effects", since=since
        )
    ]


def diary_day_defaults(client: Client, date: dt.date) -> dict[str, Any]:
    """A new day's form starts with the plan's intakes for that date (the client corrects them)."""
    step = _active_plan_step(client, date)
    initial: dict[str, Any] = {}
    if step is not None:
        for i, mg in enumerate(step.intakes_mg):
            initial[f"dose_{i}"] = mg
    return initial


def baseline_drinks(client: Client) -> dict[str, float]:
    """Initial values of the baseline calendar form from stored baseline days."""
    first = client.treatment_start - dt.timedelta(days=28)
    days = client.diary_days.filter(date__gte=first, date__lt=client.treatment_start, deleted_at__isnull=True)
    size = alcohol.standard_drink_grams(client.country)
    return {f"day_{(d.date - first).days}": round(d.grams / size, 2) for d in days}


def _severity_text(side_effects: dict[str, int]) -> str:
    names = dict(SIDE_EFFECTS)
    return ", ".join(f"{core_text(names.get(k, k))} {v}/3" for k, v in sorted(side_effects.items()) if v)


def recent_diary(client: Client, today: dt.date, days: int = 14) -> list[dict[str, Any]]:
    """The last ``days`` calendar days, newest first, filled in or not."""
    first = today - dt.timedelta(days=days - 1)
    stored = {
        d.date: d for d in client.diary_days.filter(date__gte=first, date__lte=today, deleted_at__isnull=True)
    }
    size = alcohol.standard_drink_grams(client.country)
    rows = []
    for offset in range(days):
        date = today - dt.timedelta(days=offset)
        day = stored.get(date)
        if day is None:
            rows.append({"date": date, "recorded": False, "day_id": None})
            continue
        rows.append(
            {
                "date": date,
                "recorded": True,
                "day_id": day.pk,
                "grams": day.grams,
                "drinks": day.grams / size,
                "heavy": HEAVY_DAY.is_heavy(day.grams, _sex(client)),
                "craving": day.craving,
                "anxiety": day.anxiety,
                "dose_mg": sum(day.doses_mg),
                "side_effects": _severity_text(day.side_effects),
                "version": day.version,
            }
        )
    return rows


# -- instruments ---------------------------------------------------------------------------------
def instrument_choices() -> list[tuple[str, str]]:
    return [(key, f"{inst.name}: {core_text(inst.title)}") for key, inst in INSTRUMENTS.items()]


def instrument_items(instrument_id: str) -> list[tuple[int, str, list[tuple[int, str]]]]:
    inst = INSTRUMENTS[instrument_id]
    return [
        (
            item.number,
            core_text(item.label),
            [(a.value, f"{a.value}" + (f" · {core_text(a.label)}" if a.label else "")) for a in item.answers],
        )
        for item in inst.items
    ]


def score_instrument(
    instrument_id: str, answers: dict[str, Any], sex: str
) -> tuple[float, str, list[dict[str, object]]]:
    """Total, band (English, translated at display) and flags (stored messages) of the answers."""
    result = score_answers(
        instrument_id, {int(k): v for k, v in answers.items()}, sex="F" if sex == "F" else "M"
    )
    return float(result.total), result.band or "", [flag.to_dict() for flag in result.flag_messages]


# -- titration -----------------------------------------------------------------------------------
def protocol_choices() -> list[tuple[str, str]]:
    return [(key, core_text(p.name)) for key, p in PROTOCOLS.items()]


def protocol_descriptions() -> list[dict[str, str]]:
    return [
        {
            "name": core_text(p.name),
            "source": p.source,
            "summary": _(
                "Start %(start)s mg/day, +%(step)s mg every %(days)s days, ceiling %(ceiling)s mg/day."
            )
            % {
                "start": f"{p.start_mg_per_day:g}",
                "step": f"{p.step_mg:g}",
                "days": p.interval_days,
                "ceiling": f"{p.ceiling_mg_per_day:g}",
            },
        }
        for p in PROTOCOLS.values()
    ]


def default_caps(client: Client) -> dict[str, float]:
    """The form's starting cap: the ceiling of the first protocol (the clinician chooses)."""
    first = next(iter(PROTOCOLS.values()))
    return {"max_dose_mg": first.ceiling_mg_per_day}


def generate_plan_steps(
    client: Client, protocol_id: str, start: dt.date, max_dose_mg: float, max_mg_per_kg: float | None
) -> list[dict[str, Any]]:
    """PlanStep field values for a plan generated by the core with the client's weight, renal function,
    the clinician's caps, and the caps the rules check: the highest dose studied and the regulatory cap
    of the prescribing country (decision 0175), so that a plan never schedules a dose the rules
    would flag on the day it is made."""
    caps = [
        user_cap(max_dose_mg),
        HIGHEST_STUDIED_CAP,
        *regulatory_caps_for_jurisdiction(parse_jurisdiction(client.prescribing_country)),
    ]
    if max_mg_per_kg is not None:
        caps.append(user_cap(max_mg_per_kg * client.weight_kg))
    plan = generate_plan(
        get_protocol(protocol_id),
        start,
        weight_kg=client.weight_kg,
        caps=caps,
        crcl_ml_min=client.creatinine_clearance,
    )
    return [
        {
            "day": s.day,
            "date": s.date,
            "total_mg": s.mg_per_day,
            "intakes_mg": list(s.intakes),
            "note": s.note,
            "messages": [m.to_dict() for m in s.messages],
        }
        for s in plan.steps
    ]


def _active_plan(client: Client) -> Any:
    return active_plan(client)


def _active_plan_step(client: Client, date: dt.date) -> Any:
    plan = _active_plan(client)
    if plan is None or date < plan.start_date:
        return None
    # After the last generated day the plan holds its final dose.
    return plan.steps.filter(date__lte=date).order_by("-date").first()


#: A visit as the dose needs it: (date, decision, dose_mg).
VisitDose = tuple[dt.date, str, float]


def _prescribed_dose(
    plan_start: dt.date | None, step_mg: float | None, visit: VisitDose | None
) -> float | None:
    """Prescribed dose today: the plan's, unless a later visit changed it (other than 'continue')."""
    if visit is not None and visit[1] != "continue" and (plan_start is None or visit[0] >= plan_start):
        return float(visit[2])
    return None if step_mg is None else float(step_mg)


def current_dose_mg(client: Client, today: dt.date) -> float | None:
    """Prescribed dose today: the plan's, unless a later visit changed it (other than 'continue')."""
    step = _active_plan_step(client, today)
    visits = client.visits.filter(deleted_at__isnull=True, date__lte=today)
    plan = _active_plan(client)
    return _prescribed_dose(
        plan.start_date if plan is not None else None,
        None if step is None else step.total_mg,
        visits.values_list("date", "decision", "dose_mg").first(),
    )


def _caseload_doses(clients: Sequence[Client], today: dt.date) -> dict[int, float | None]:
    """:func:`current_dose_mg` of every client in three queries, not four per client."""
    from baclotrack.clinic.models import PlanStep, TitrationPlan, Visit

    ids = [c.pk for c in clients]
    # Oldest first, so that the dict keeps the newest (what _active_plan and .first() return).
    active = TitrationPlan.objects.filter(client_id__in=ids, is_active=True, deleted_at__isnull=True)
    plans = {
        c: (pk, start)
        for pk, c, start in active.order_by("created_at", "pk").values_list("pk", "client_id", "start_date")
    }
    steps = PlanStep.objects.filter(plan_id__in=[pk for pk, _start in plans.values()], date__lte=today)
    step_mg = dict(steps.order_by("date").values_list("plan_id", "total_mg"))  # the last step by today
    visits = Visit.objects.filter(client_id__in=ids, deleted_at__isnull=True, date__lte=today)
    latest: dict[int, VisitDose] = {
        c: (date, decision, dose)
        for c, date, decision, dose in visits.order_by("date", "created_at").values_list(
            "client_id", "date", "decision", "dose_mg"
        )
    }
    doses: dict[int, float | None] = {}
    for client in clients:
        plan = plans.get(client.pk)
        started = plan is not None and today >= plan[1]
        doses[client.pk] = _prescribed_dose(
            plan[1] if plan is not None else None,
            step_mg.get(plan[0]) if plan is not None and started else None,
            latest.get(client.pk),
        )
    return doses


def treatment_day(client: Client, today: dt.date) -> int:
    """Study day of ``today`` by the core's convention (day 1 = start, no day 0)."""
    frame = pl.DataFrame({"date": [today], "start": [client.treatment_start]})
    return int(frame.select(study_day("date", "start")).item())


def plan_view(client: Client, today: dt.date) -> dict[str, Any] | None:
    plan = _active_plan(client)
    if plan is None:
        return None
    protocol = PROTOCOLS.get(plan.protocol)
    steps = list(plan.steps.all())
    today_step = _active_plan_step(client, today)
    # Show the dose changes, not every day: the day a dose starts is what a clinician plans around.
    changes = [s for i, s in enumerate(steps) if i == 0 or s.total_mg != steps[i - 1].total_mg]
    upcoming = [s for s in changes if s.date > today]
    rows = [
        {
            "day": s.day,
            "date": s.date,
            "total_mg": s.total_mg,
            "intakes": " + ".join(f"{mg:g}" for mg in s.intakes_mg),
            "note": core_messages(s.messages, s.note),
            "is_today": today_step is not None and s.pk == today_step.pk,
        }
        for s in changes
    ]

    def brief(step: Any) -> dict[str, Any] | None:
        if step is None:
            return None
        return {
            "total_mg": step.total_mg,
            "date": step.date,
            "intakes": " + ".join(f"{m:g}" for m in step.intakes_mg),
        }

    return {
        "protocol_name": core_text(protocol.name) if protocol else plan.protocol,
        "start_date": plan.start_date,
        "cap_mg": plan.max_dose_mg,
        "today": brief(today_step),
        "next": brief(upcoming[0] if upcoming else None),
        "steps": rows,
    }


# -- endpoints and the caseload --------------------------------------------------------------------
def _frames(
    clients: Sequence[Client], start_override: dt.date | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The core's diary and patients frames for ``clients`` (live diary days only)."""
    from baclotrack.clinic.models import DiaryDay

    ids = [c.pk for c in clients]
    rows: Any
    if len(clients) == 1:  # one client's page: the same read as its other panels (page_reads.py)
        rows = [(ids[0], *row) for row in live_diary(clients[0], "date", "grams", "craving")]
    else:
        rows = DiaryDay.objects.filter(client_id__in=ids, deleted_at__isnull=True).values_list(
            "client_id", "date", "grams", "craving"
        )
    diary = pl.DataFrame(
        list(rows),
        schema={"patient_id": pl.Utf8, "date": pl.Date, "grams": pl.Float64, "craving": pl.Float64},
        orient="row",
    )
    patients = pl.DataFrame(
        {
            "patient_id": [str(c.pk) for c in clients],
            "sex": [c.sex for c in clients],
            "start_date": [start_override or c.treatment_start for c in clients],
            "country": [c.country for c in clients],
        },
        schema={"patient_id": pl.Utf8, "sex": pl.Utf8, "start_date": pl.Date, "country": pl.Utf8},
    )
    return diary.with_columns(pl.col("patient_id").cast(pl.Utf8)), patients


#: Column headings of the endpoints table (marked for translation, translated when shown).
ENDPOINT_LABELS = {
    "days_reported": gettext_noop("days reported"),
    "pda": gettext_noop("days abstinent, %"),
    "hdd": gettext_noop("heavy days"),
    "phdd": gettext_noop("heavy days, %"),
    "drinks_per_day": gettext_noop("drinks/day"),
    "drinks_per_drinking_day": gettext_noop("drinks/drinking day"),
    "grams_per_day": gettext_noop("g/day"),
    "who_level": gettext_noop("WHO level"),
}


def endpoint_windows(client: Client, today: dt.date) -> list[Window]:
    """Baseline (28 days before start) and each 4-week window of treatment begun by ``today``."""
    windows = [Window("baseline", -28, -1)]
    day = treatment_day(client, today)
    for block in range(max(1, math.ceil(day / 28)) if day > 0 else 0):
        first = block * 28 + 1
        windows.append(Window(f"week {block * 4 + 1}-{block * 4 + 4}", first, first + 27))
    return windows


def endpoints_table(client: Client, today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    diary, patients = _frames([client])
    result = compute_endpoints(
        diary.select("patient_id", "date", "grams"), patients, endpoint_windows(client, today)
    )
    rows = []
    for record in result.iter_rows(named=True):
        values = []
        for key in ENDPOINT_LABELS:
            value = record[key]
            values.append(
                "–" if value is None else (f"{value:.1f}" if isinstance(value, float) else str(value))
            )
        rows.append({"window": record["window"], "values": values})
    note = _("Heavy day: %(source)s. Drinks are standard drinks of %(country)s (%(grams)s g).") % {
        "source": HEAVY_DAY.source,
        "country": client.country,
        "grams": f"{alcohol.standard_drink_grams(client.country):g}",
    }
    return {"columns": [(k, _(v)) for k, v in ENDPOINT_LABELS.items()], "rows": rows, "note": note}


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def caseload_rows(clients: Sequence[Client], today: dt.date) -> list[dict[str, Any]]:
    """One row per client. The recent columns come from one endpoint query over the whole caseload,
    with study day 1 set to 13 days ago so that days 8-14 are the last 7 days."""
    if not clients:
        return []
    from baclotrack.clinic.models import Alert, AlertStatus

    first = today - dt.timedelta(days=13)
    diary, patients = _frames(clients, start_override=first)
    # Doses and alert counts for the whole caseload at once (a query per client is an N+1).
    doses = _caseload_doses(clients, today)
    alerts = Alert.objects.filter(client_id__in=[c.pk for c in clients], status=AlertStatus.OPEN)
    open_alerts = Counter(alerts.values_list("client_id", flat=True))
    windows = [Window("last", 8, 14), Window("fortnight", 1, 14)]
    ends = compute_endpoints(diary.select("patient_id", "date", "grams"), patients, windows)
    by_key = {(r["patient_id"], r["window"]): r for r in ends.iter_rows(named=True)}
    rows = []
    for client in clients:
        pid = str(client.pk)
        recent, fortnight = by_key[(pid, "last")], by_key[(pid, "fortnight")]
        cravings = diary.filter(
            pl.col("patient_id") == pid, pl.col("date") >= first, pl.col("craving").is_not_null()
        )
        last = _mean(cravings.filter(pl.col("date") > today - dt.timedelta(days=7))["craving"].to_list())
        before = _mean(cravings.filter(pl.col("date") <= today - dt.timedelta(days=7))["craving"].to_list())
        dose = doses[client.pk]
        rows.append(
            {
                "client_id": client.pk,
                "code": client.code,
                "dose_mg": dose,
                "mg_per_kg": None if dose is None else dose / client.weight_kg,
                "treatment_day": treatment_day(client, today),
                "drinks_per_day": recent["drinks_per_day"],
                "heavy_days": recent["hdd"] if recent["days_reported"] else None,
                "craving": last,
                "craving_trend": _trend(last, before),
                "open_alerts": open_alerts[client.pk],
                "adherence": 100.0 * fortnight["days_reported"] / fortnight["days"],
            }
        )
    return rows


def _trend(last: float | None, before: float | None) -> str:
    if last is None or before is None:
        return ""
    return "↑" if last > before else "↓" if last < before else "→"


def client_summary(client: Client, today: dt.date) -> dict[str, Any]:
    dose = current_dose_mg(client, today)
    return {
        "treatment_day": treatment_day(client, today),
        "dose_mg": dose,
        "mg_per_kg": None if dose is None else dose / client.weight_kg,
    }


# -- the timeline chart ----------------------------------------------------------------------------
def timeline_frame(client: Client) -> pl.DataFrame:
    """Columns the chart draws: date, drinks, heavy, dose_mg (taken), planned_mg, craving, anxiety,
    side_effect_max. Heavy days by the core's definition."""
    size = alcohol.standard_drink_grams(client.country)
    sex = _sex(client)
    fields = ("date", "grams", "doses_mg", "craving", "anxiety", "side_effects")
    by_date = {row[0]: row for row in live_diary(client, *fields)}
    plan = _active_plan(client)
    # The plan is drawn up to two weeks past the last diary day (or today): the chart is about
    # what happened, with a glimpse of what comes next, not months of empty future.
    horizon = max([*by_date, timezone.localdate()]) + dt.timedelta(days=CHART_DAYS_AHEAD)
    steps = plan.steps.filter(date__lte=horizon).values_list("date", "total_mg") if plan is not None else []
    planned = dict(steps)
    # Built column by column: polars makes a frame from lists far faster than from a dict per row.
    columns: dict[str, list[Any]] = {name: [] for name in TIMELINE_SCHEMA}
    for date in sorted(by_date.keys() | planned.keys()):
        day = by_date.get(date)
        columns["date"].append(date)
        columns["planned_mg"].append(planned.get(date))
        if day is None:
            for name in ("drinks", "heavy", "dose_mg", "craving", "anxiety", "side_effect_max"):
                columns[name].append(None)
            continue
        _date, grams, doses, craving, anxiety, side_effects = day
        columns["drinks"].append(grams / size)
        columns["heavy"].append(HEAVY_DAY.is_heavy(grams, sex))
        columns["dose_mg"].append(float(sum(doses)) if doses else None)
        columns["craving"].append(craving)
        columns["anxiety"].append(anxiety)
        columns["side_effect_max"].append(max(side_effects.values(), default=0))
    return pl.DataFrame(columns, schema=TIMELINE_SCHEMA)


#: The timeline frame's columns and types (reports/charts.py TIMELINE_COLUMNS).
TIMELINE_SCHEMA: Final = {
    "date": pl.Date,
    "drinks": pl.Float64,
    "heavy": pl.Boolean,
    "dose_mg": pl.Float64,
    "planned_mg": pl.Float64,
    "craving": pl.Float64,
    "anxiety": pl.Float64,
    "side_effect_max": pl.Int64,
}


#: Marks "the client's active plan" where None means "no plan".
_ACTIVE: Any = object()


# -- alerts ------------------------------------------------------------------------------------------
def client_context(client: Client, max_mg_per_day: float | None = None) -> ClientContext:
    """The rules' view of ``client``: the regulatory cap follows the prescribing country, not the
    standard-drink country (decision 0175)."""
    return ClientContext(
        sex=_sex(client),
        weight_kg=client.weight_kg,
        crcl_ml_min=client.creatinine_clearance,
        cautions=frozenset(RuleCaution(c) for c in client.cautions),
        drink_country=alcohol.parse_country(client.country),
        prescribing_country=parse_jurisdiction(client.prescribing_country),
        max_mg_per_day=max_mg_per_day,
    )


def core_plan(client: Client, plan: Any = _ACTIVE, since: dt.date | None = None) -> Plan | None:
    """The active plan (or ``plan``, a stored TitrationPlan or None) as the core's Plan, rebuilt from
    the stored steps (not regenerated, so a later change to a protocol never rewrites what was
    prescribed). With ``since``, only the steps from that date: ``Plan.from_date(since)``."""
    if plan is _ACTIVE:
        plan = _active_plan(client)
    if plan is None:
        return None
    protocol = get_protocol(plan.protocol)
    caps = [user_cap(plan.max_dose_mg)]
    if plan.max_mg_per_kg is not None:
        caps.append(user_cap(plan.max_mg_per_kg * client.weight_kg))
    all_caps = plan_caps(
        protocol,
        weight_kg=client.weight_kg,
        caps=caps,
        crcl_ml_min=client.creatinine_clearance,
        dialysis=False,
    )
    steps = [
        PlanDay(
            day=day,
            date=date,
            mg_per_day=total_mg,
            intakes=tuple(intakes_mg),
            mg_per_kg=total_mg / client.weight_kg,
            note=note,
            rules=(),
        )
        for day, date, total_mg, intakes_mg, note in (
            plan.steps.filter(date__gte=since) if since is not None else plan.steps
        ).values_list("day", "date", "total_mg", "intakes_mg", "note")
    ]
    return Plan(
        title=protocol.name,
        source=protocol.source,
        start=plan.start_date,
        steps=steps,
        caps=all_caps,
        tablets=DEFAULT_TABLETS,
        protocol_id=protocol.id,
    )


def evaluate_rules(client: Client, today: dt.date) -> list[dict[str, Any]]:
    """Alerts from the core's rules engine, as Alert model field values."""
    plan = _active_plan(client)
    context = client_context(client, plan.max_dose_mg if plan is not None else None)
    # Only the days the rules read (RuleConfig.lookback_days): same alerts as the whole diary,
    # at a fixed cost per save however long the diary grows.
    diary = core_diary_days(client, since=DEFAULT_RULES.lookback_start(today))
    # Nor does it read the plan's past: from today on is the whole plan to the rules.
    alerts = evaluate(context, core_plan(client, plan, since=today), diary, today, DEFAULT_RULES)
    return [
        {
            "rule_id": a.rule_id,
            "severity": str(a.severity),
            "title": a.title,
            "reason": a.reason,
            "evidence": dict(a.evidence),
            "action": a.action,
            "source": a.source,
            "messages": {part: message.to_dict() for part, message in a.messages.items()},
        }
        for a in alerts
    ]


# -- the prescriber's report -----------------------------------------------------------------------
def report_data(client: Client, today: dt.date) -> ReportData:
    """The prescriber's report (reports/prescriber.py) from the client's record and active plan."""
    info = ClientInfo(
        code=client.code,
        sex=_sex(client),
        start_date=client.treatment_start,
        country=client.country,
        weight_kg=client.weight_kg,
    )
    rows = [
        {
            "date": date,
            "grams": grams,
            "dose_mg": float(sum(doses)) if doses else None,
            "craving": craving,
            "anxiety": anxiety,
            **{name: side_effects.get(name, 0) for name in SIDE_EFFECTS},
        }
        for date, grams, doses, craving, anxiety, side_effects in live_diary(
            client, "date", "grams", "doses_mg", "craving", "anxiety", "side_effects"
        )
    ]
    schema = {
        "date": pl.Date,
        "grams": pl.Float64,
        "dose_mg": pl.Float64,
        "craving": pl.Int64,
        "anxiety": pl.Int64,
    }
    schema |= dict.fromkeys(SIDE_EFFECTS, pl.Int64)
    diary = pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)
    return build_report_data(info, diary, core_plan(client), today=today, heavy=HEAVY_DAY)


# -- analytics: the N-of-1 dose-response and the caseload's practice outcomes ---------------------------
def dose_response_inputs(client: Client) -> tuple[pl.DataFrame, dict[str, Any]]:
    """The live diary (date, dose_mg taken, craving, grams) and the patient record that
    analysis.doseresponse.DoseResponse.fit takes. A day with no dose recorded has dose_mg null."""
    rows = [
        (date, float(sum(doses)) if doses else None, craving, grams)
        for date, doses, craving, grams in live_diary(client, "date", "doses_mg", "craving", "grams")
    ]
    schema = {"date": pl.Date, "dose_mg": pl.Float64, "craving": pl.Float64, "grams": pl.Float64}
    diary = pl.DataFrame(rows, schema=schema, orient="row")
    patient = {
        # The id is also the chart's title: a dollar sign would start matplotlib's mathtext.
        "patient_id": client.code.replace("$", r"\$"),
        "sex": _sex(client),
        "weight_kg": client.weight_kg,
        "country": client.country,
    }
    return diary, patient


def practice_outcomes(clients: Sequence[Client], today: dt.date) -> PracticeOutcomes:
    """The caseload's practice outcomes (core/practice.py) from one endpoint query over ``clients``."""
    diary, patients = _frames(clients)
    grams = diary.select("patient_id", "date", "grams")
    return core_practice_outcomes(grams, patients, today, heavy=HEAVY_DAY)
