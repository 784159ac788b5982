"""Safety rules: a client's plan and diary in, plain-language alerts out.

Each rule has a stable id, a cited source and thresholds in :class:`RuleConfig`; each alert
carries the numbers and dates that triggered it, a reason a clinician can read in ten
seconds and the action to take. Rules only read data: they never change a plan.
docs/methods/titration.md lists every rule with its source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from baclotrack.core.diary import SEVERITY_LABELS, SIDE_EFFECTS, DiaryDay, sort_diary
from baclotrack.core.titration.caps import Cap, effective_cap
from baclotrack.core.titration.context import (
    DEFAULT_RULES,
    SEVERITY_ORDER,
    SRC_INDIFFERENCE,
    SRC_LABELS,
    SRC_RESAB_STEP_BACK,
    SRC_RESPIRATORY,
    SRC_WITHDRAWAL,
    Alert,
    Caution,
    ClientContext,
    EvidenceValue,
    RuleConfig,
    RuleError,
    Severity,
)
from baclotrack.core.titration.indifference import find_indifference_dose
from baclotrack.core.titration.plan import Plan

__all__ = [
    "CAUTION_RULES",
    "DEFAULT_RULES",
    "RULES",
    "Alert",
    "Caution",
    "ClientContext",
    "RuleConfig",
    "RuleError",
    "Severity",
    "evaluate",
    "last_tolerated_dose",
]


@dataclass(frozen=True, slots=True)
class _Facts:
    """Everything a rule may look at, prepared once."""

    client: ClientContext
    plan: Plan | None
    diary: list[DiaryDay]  # sorted, nothing after today
    recent: list[DiaryDay]  # the last ``recent_days`` calendar days up to today
    today: dt.date
    config: RuleConfig
    cap: Cap

    def on_baclofen(self) -> bool:
        planned = self.plan.on(self.today) if self.plan else None
        taken = any((d.dose_taken_mg or 0) > 0 for d in self.recent)
        return taken or (planned is not None and planned.mg_per_day > 0)

    def current_dose(self) -> float | None:
        """The latest dose taken, else today's planned dose."""
        taken = [d.dose_taken_mg for d in self.diary if d.dose_taken_mg is not None and d.dose_taken_mg > 0]
        if taken:
            return taken[-1]
        planned = self.plan.on(self.today) if self.plan else None
        return planned.mg_per_day if planned else None


def last_tolerated_dose(
    diary: Sequence[DiaryDay], before: dt.date, below_mg: float | None, max_severity: int
) -> DiaryDay | None:
    """The latest diary day before ``before`` at a dose below ``below_mg`` with no side effect
    at ``max_severity`` or worse: the last tolerated dose (RESAB step-back rule)."""
    for day in reversed(sort_diary(diary)):
        if day.date >= before or day.dose_taken_mg is None or day.dose_taken_mg <= 0:
            continue
        if below_mg is not None and day.dose_taken_mg >= below_mg:
            continue
        if day.max_severity < max_severity:
            return day
    return None


def _step_back_advice(
    facts: _Facts, onset: dt.date, dose: float | None
) -> tuple[str, dict[str, EvidenceValue]]:
    tolerated = last_tolerated_dose(facts.diary, onset, dose, facts.config.persistent_severity)
    if tolerated is None:
        return (
            "no lower dose without moderate or severe side effects is in the diary: ask the prescriber "
            "before any change, and reduce gradually, never stop abruptly",
            {"last_tolerated_dose_mg": None, "last_tolerated_date": None},
        )
    assert tolerated.dose_taken_mg is not None
    return (
        f"step back to {tolerated.dose_taken_mg:g} mg/day, the last dose taken without moderate or severe "
        f"side effects (diary {tolerated.date})",
        {
            "last_tolerated_dose_mg": tolerated.dose_taken_mg,
            "last_tolerated_date": tolerated.date.isoformat(),
        },
    )


def _rule_severe_side_effect(facts: _Facts) -> list[Alert]:
    hits = [
        (day, name, sev)
        for day in facts.recent
        for name, sev in day.side_effects.items()
        if sev >= facts.config.severe_severity
    ]
    if not hits:
        return []
    day, name, sev = hits[-1]
    listing = ", ".join(f"{SIDE_EFFECTS[n].lower()} {s}/3 on {d.date}" for d, n, s in hits)
    dose = day.dose_taken_mg
    advice, evidence = _step_back_advice(facts, hits[0][0].date, dose)
    at_dose = f" at {dose:g} mg/day" if dose is not None else ""
    return [
        Alert(
            rule_id="SE-SEVERE",
            severity=Severity.URGENT,
            title="Severe side effect",
            reason=f"The client reported a severe side effect{at_dose}: {listing}.",
            evidence={
                "date": day.date.isoformat(),
                "side_effect": name,
                "severity": sev,
                "dose_mg": dose,
                **evidence,
            },
            action=f"Contact the client today and do not increase the dose; {advice}.",
            source=f"{SRC_LABELS}; {SRC_RESAB_STEP_BACK}",
        )
    ]


def _rule_persistent_side_effect(facts: _Facts) -> list[Alert]:
    cfg = facts.config
    if not facts.recent:
        return []
    latest = facts.recent[-1]
    alerts: list[Alert] = []
    for name in SIDE_EFFECTS:
        run: list[DiaryDay] = []
        for day in reversed(facts.diary):
            expected = latest.date - dt.timedelta(days=len(run))
            if day.date != expected or day.severity(name) < cfg.persistent_severity:
                break
            run.append(day)
        if len(run) < cfg.persistent_days:
            continue
        onset = run[-1].date
        dose = latest.dose_taken_mg
        advice, evidence = _step_back_advice(facts, onset, dose)
        alerts.append(
            Alert(
                rule_id="SE-PERSISTENT",
                severity=Severity.WARNING,
                title=f"Persistent side effect: {SIDE_EFFECTS[name].lower()}",
                reason=(
                    f"{SIDE_EFFECTS[name]} has been {SEVERITY_LABELS[cfg.persistent_severity]} or worse "
                    f"on {len(run)} consecutive days "
                    f"({onset} to {latest.date})" + (f" at {dose:g} mg/day." if dose is not None else ".")
                ),
                evidence={
                    "side_effect": name,
                    "days": len(run),
                    "first_date": onset.isoformat(),
                    "last_date": latest.date.isoformat(),
                    "dose_mg": dose,
                    **evidence,
                },
                action=f"Hold the dose (no further increase); {advice}.",
                source=SRC_RESAB_STEP_BACK,
            )
        )
    return alerts


def _rule_dose_above_cap(facts: _Facts) -> list[Alert]:
    cap = facts.cap
    alerts: list[Alert] = []
    over = [
        d for d in facts.recent if d.dose_taken_mg is not None and d.dose_taken_mg > cap.mg_per_day + 1e-9
    ]
    if over:
        day = over[-1]
        assert day.dose_taken_mg is not None
        alerts.append(
            Alert(
                rule_id="DOSE-TAKEN-ABOVE-CAP",
                severity=Severity.URGENT,
                title="Dose taken above the cap",
                reason=(
                    f"The client took {day.dose_taken_mg:g} mg on {day.date}, "
                    f"above the {cap.mg_per_day:.4g} mg/day "
                    f"cap ({cap.label})."
                ),
                evidence={
                    "date": day.date.isoformat(),
                    "dose_mg": day.dose_taken_mg,
                    "cap_mg_per_day": cap.mg_per_day,
                    "cap_rule": cap.rule_id,
                },
                action=(
                    f"Bring the dose down to at most {cap.mg_per_day:.4g} mg/day gradually, "
                    "by 10-15 mg every 2 days, never in one step; review the client this week."
                ),
                source=f"{cap.source}; {SRC_WITHDRAWAL}",
            )
        )
    planned = [s for s in (facts.plan.steps if facts.plan else []) if s.date >= facts.today]
    planned_over = [s for s in planned if s.mg_per_day > cap.mg_per_day + 1e-9]
    if planned_over:
        first = planned_over[0]
        alerts.append(
            Alert(
                rule_id="PLAN-ABOVE-CAP",
                severity=Severity.WARNING,
                title="Plan goes above the cap",
                reason=(
                    f"The plan schedules {first.mg_per_day:g} mg/day from {first.date}, above the "
                    f"{cap.mg_per_day:.4g} mg/day cap ({cap.label})."
                ),
                evidence={
                    "first_date": first.date.isoformat(),
                    "planned_mg_per_day": first.mg_per_day,
                    "max_planned_mg_per_day": max(s.mg_per_day for s in planned_over),
                    "cap_mg_per_day": cap.mg_per_day,
                    "cap_rule": cap.rule_id,
                },
                action=(
                    f"Regenerate the plan with the {cap.rule_id} cap; "
                    f"do not escalate past {cap.mg_per_day:.4g} mg/day."
                ),
                source=cap.source,
            )
        )
    return alerts


def _rule_missed_doses(facts: _Facts) -> list[Alert]:
    cfg = facts.config
    if not facts.recent:
        return []
    latest = facts.recent[-1]
    missed: list[DiaryDay] = []
    for day in reversed(facts.diary):
        if day.date != latest.date - dt.timedelta(days=len(missed)) or day.dose_taken_mg != 0:
            break
        missed.append(day)
    if len(missed) < cfg.missed_dose_days:
        return []
    first_missed = missed[-1].date
    before = [d for d in facts.diary if d.date < first_missed and (d.dose_taken_mg or 0) > 0]
    if not before:
        return []
    last = before[-1]
    assert last.dose_taken_mg is not None
    if last.dose_taken_mg <= cfg.withdrawal_risk_above_mg_per_day:
        return []
    return [
        Alert(
            rule_id="MISSED-DOSES",
            severity=Severity.URGENT,
            title="Baclofen stopped suddenly",
            reason=(
                f"No baclofen taken for {len(missed)} days ({first_missed} to {latest.date}) after "
                f"{last.dose_taken_mg:g} mg/day on {last.date}: sudden stopping can cause withdrawal "
                "(agitation, hallucinations, confusion, fever, seizures)."
            ),
            evidence={
                "first_missed": first_missed.isoformat(),
                "last_missed": latest.date.isoformat(),
                "days_missed": len(missed),
                "last_dose_mg": last.dose_taken_mg,
                "last_dose_date": last.date.isoformat(),
                "withdrawal_risk_above_mg_per_day": cfg.withdrawal_risk_above_mg_per_day,
            },
            action=(
                "Contact the client today and ask about withdrawal signs. "
                f"Do not restart at {last.dose_taken_mg:g} mg/day: restart low and titrate up again, "
                "or, if stopping, taper by 10 mg every 2 days."
            ),
            source=SRC_WITHDRAWAL,
        )
    ]


def _rule_heavy_drinking_with_sedation(facts: _Facts) -> list[Alert]:
    cfg = facts.config
    sex = facts.client.sex
    for day in reversed(facts.recent):
        sedation = {
            n: day.severity(n)
            for n in cfg.sedation_side_effects
            if day.severity(n) >= cfg.sedation_min_severity
        }
        taking = day.dose_taken_mg is None or day.dose_taken_mg > 0
        if not sedation or not taking or day.is_heavy(sex, cfg.heavy) is not True:
            continue
        assert day.grams is not None
        listing = ", ".join(f"{SIDE_EFFECTS[n].lower()} {s}/3" for n, s in sedation.items())
        limit = cfg.heavy.threshold(sex)
        heavy_limit = f"{limit:g} g or more" if cfg.heavy.inclusive else f"more than {limit:g} g"
        dose = f"{day.dose_taken_mg:g} mg" if day.dose_taken_mg is not None else "an unrecorded dose of"
        return [
            Alert(
                rule_id="HEAVY-DRINKING-SEDATION",
                severity=Severity.URGENT,
                title="Heavy drinking with sedation",
                reason=(
                    f"On {day.date} the client drank {day.grams:g} g of alcohol (a heavy drinking day: "
                    f"{heavy_limit}) and reported {listing} while taking {dose} "
                    "baclofen; alcohol and baclofen together can depress breathing."
                ),
                evidence={
                    "date": day.date.isoformat(),
                    "grams": day.grams,
                    "heavy_threshold_g": cfg.heavy.threshold(sex),
                    "dose_mg": day.dose_taken_mg,
                    **{f"{n}_severity": s for n, s in sedation.items()},
                },
                action=(
                    "Contact the client today; do not increase the dose; consider stepping back. "
                    "Tell the client and those around them the signs of overdose (very drowsy, "
                    "slow breathing) and to call emergency services if they occur."
                ),
                source=SRC_RESPIRATORY,
            )
        ]
    return []


def _rule_indifference_reached(facts: _Facts) -> list[Alert]:
    cfg = facts.config
    if not facts.recent:
        return []
    end = facts.recent[-1].date
    window = [d for d in facts.diary if d.date > end - dt.timedelta(days=cfg.indifference_days)]
    result = find_indifference_dose(
        window,
        facts.client.sex,
        craving_threshold=cfg.craving_threshold,
        min_days=cfg.indifference_days,
        heavy=cfg.heavy,
    )
    if not result.reached or result.dose_mg is None:
        return []
    higher = [
        s
        for s in (facts.plan.steps if facts.plan else [])
        if s.date > facts.today and s.mg_per_day > result.dose_mg
    ]
    evidence: dict[str, EvidenceValue] = {
        "dose_mg": result.dose_mg,
        "date_reached": result.date_reached.isoformat() if result.date_reached else None,
        "days": cfg.indifference_days,
        "craving_threshold": cfg.craving_threshold,
        "plan_next_increase": higher[0].date.isoformat() if higher else None,
    }
    plan_note = f" The plan would raise the dose on {higher[0].date}." if higher else ""
    return [
        Alert(
            rule_id="INDIFFERENCE-REACHED",
            severity=Severity.INFO,
            title="Indifference dose reached",
            reason=f"Indifference reached at {result.dose_mg:g} mg/day: {result.reason}.{plan_note}",
            evidence=evidence,
            action=f"Stop escalating: hold at {result.dose_mg:g} mg/day and review at the next visit.",
            source=SRC_INDIFFERENCE,
        )
    ]


def _next_increase(facts: _Facts) -> tuple[dt.date, float] | None:
    """The first planned dose after today above the current dose."""
    if facts.plan is None:
        return None
    current = facts.current_dose() or 0.0
    for step in facts.plan.steps:
        if step.date > facts.today and step.mg_per_day > current + 1e-9:
            return step.date, step.mg_per_day
    return None


@dataclass(frozen=True, slots=True)
class _CautionRule:
    rule_id: str
    caution: Caution
    title: str
    reason: str
    action: str
    source: str
    needs_escalation: bool = False


#: Caution-driven rules. Each fires when the caution is recorded and the client is on
#: baclofen (or, for epilepsy, when the plan escalates).
CAUTION_RULES: Final[tuple[_CautionRule, ...]] = (
    _CautionRule(
        "CAUTION-EPILEPSY-ESCALATION",
        Caution.EPILEPSY,
        "Epilepsy: escalation planned",
        "The client has epilepsy and the plan raises the dose; baclofen can worsen seizure control, "
        "and seizures occur on overdose and on sudden withdrawal.",
        "Escalate slowly, check seizure control at each step, and make sure doses are never missed.",
        f"{SRC_LABELS} (caution in epilepsy: deterioration in seizure control)",
        needs_escalation=True,
    ),
    _CautionRule(
        "CAUTION-SUICIDE-SUPPLY",
        Caution.SUICIDE_RISK,
        "Suicide risk: limit supply",
        "The client has a recorded suicide risk; suicidal behaviour has been reported with baclofen and "
        "an overdose causes coma and respiratory depression.",
        "Prescribe small quantities (for example one week at a time), review mood at every visit and "
        "involve the client's supports.",
        f"{SRC_LABELS} (suicide and suicide-related events; overdose)",
    ),
    _CautionRule(
        "CAUTION-SEDATIVES",
        Caution.SEDATIVES_OR_OPIOIDS,
        "Sedatives or opioids: respiratory depression risk",
        "The client takes sedatives or opioids; with baclofen and alcohol their depressant effects add up.",
        "Escalate slowly, ask about drowsiness at each step, and warn the client about combining them "
        "with alcohol.",
        SRC_RESPIRATORY,
    ),
    _CautionRule(
        "CAUTION-PSYCHIATRIC",
        Caution.BIPOLAR_OR_PSYCHOSIS,
        "Bipolar disorder or psychosis: watch mood",
        "The client has bipolar disorder or psychosis; baclofen can exacerbate psychotic, depressive or "
        "manic disorders.",
        "Review mood and psychotic symptoms at each dose change; involve the treating psychiatrist.",
        f"{SRC_LABELS} (psychotic, depressive or manic disorders may be exacerbated)",
    ),
    _CautionRule(
        "CAUTION-PREGNANCY",
        Caution.PREGNANCY,
        "Pregnancy",
        "The client is pregnant; baclofen should be used only if clearly needed, and withdrawal "
        "convulsions have been reported in newborns exposed in the womb.",
        "Discuss with the prescriber and an obstetric team; do not stop abruptly.",
        "Baclofen labels: UK SmPC (Lioresal) section 4.6; FDA label, Pregnancy",
    ),
)


def _rule_cautions(facts: _Facts) -> list[Alert]:
    alerts: list[Alert] = []
    increase = _next_increase(facts)
    for rule in CAUTION_RULES:
        if rule.caution not in facts.client.cautions:
            continue
        if rule.needs_escalation and increase is None:
            continue
        if not rule.needs_escalation and not facts.on_baclofen():
            continue
        evidence: dict[str, EvidenceValue] = {
            "caution": rule.caution.value,
            "current_dose_mg": facts.current_dose(),
        }
        if increase is not None:
            evidence |= {"next_increase_date": increase[0].isoformat(), "next_increase_mg": increase[1]}
        alerts.append(
            Alert(rule.rule_id, Severity.WARNING, rule.title, rule.reason, evidence, rule.action, rule.source)
        )
    return alerts


def _rule_renal_unknown(facts: _Facts) -> list[Alert]:
    client = facts.client
    if Caution.RENAL_IMPAIRMENT not in client.cautions or client.crcl_ml_min is not None or client.dialysis:
        return []
    return [
        Alert(
            rule_id="CAUTION-RENAL-NO-CRCL",
            severity=Severity.WARNING,
            title="Renal impairment without a creatinine clearance",
            reason=(
                "The client has renal impairment but no creatinine clearance is recorded, so the renal "
                "dose reduction cannot be applied; baclofen is mostly excreted unchanged by the kidneys."
            ),
            evidence={"caution": Caution.RENAL_IMPAIRMENT.value, "crcl_ml_min": None},
            action="Measure serum creatinine and record the Cockcroft-Gault clearance before any increase.",
            source=(
                "Wuis 1989 (renal clearance of baclofen tracks creatinine clearance); "
                "Vlavonou 2014, doi:10.1002/jcph.247"
            ),
        )
    ]


RULES: Final[tuple[Callable[[_Facts], list[Alert]], ...]] = (
    _rule_severe_side_effect,
    _rule_persistent_side_effect,
    _rule_dose_above_cap,
    _rule_missed_doses,
    _rule_heavy_drinking_with_sedation,
    _rule_indifference_reached,
    _rule_cautions,
    _rule_renal_unknown,
)


def evaluate(
    client: ClientContext,
    plan: Plan | None,
    diary: Sequence[DiaryDay],
    today: dt.date,
    config: RuleConfig = DEFAULT_RULES,
) -> list[Alert]:
    """Every alert for this client today, most urgent first.

    Diary days after ``today`` are ignored. The cap is the lowest of the client's (highest
    studied, country, prescriber) and the plan's own caps, and the client's current renal cap
    derived from them, so a plan made before renal function fell is still checked.
    """
    ordered = [d for d in sort_diary(diary) if d.date <= today]
    recent = [d for d in ordered if d.date > today - dt.timedelta(days=config.recent_days)]
    caps = client.caps(plan.caps if plan else ())
    facts = _Facts(client, plan, ordered, recent, today, config, effective_cap(caps))
    alerts = [alert for rule in RULES for alert in rule(facts)]
    return sorted(alerts, key=lambda a: (SEVERITY_ORDER[a.severity], a.rule_id))
