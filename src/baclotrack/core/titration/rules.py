"""Safety rules: a client's plan and diary in, plain-language alerts out.

Each rule has a stable id, a cited source and thresholds in :class:`RuleConfig`; each alert
carries the numbers and dates that triggered it, a reason a clinician can read in ten
seconds and the action to take. Rules only read data: they never change a plan.
docs/methods/titration.md lists every rule with its source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from baclotrack.core.diary import SEVERITY_LABELS, SIDE_EFFECTS, DiaryDay, sort_diary
from baclotrack.core.i18n import N_, Message
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
from baclotrack.core.titration.taper import TAPER_PLAN_ID

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


def _alert(
    rule_id: str,
    severity: Severity,
    title: Message,
    reason: Message,
    evidence: Mapping[str, EvidenceValue],
    action: Message,
    source: str,
) -> Alert:
    """An alert in English with its texts also kept as messages for translation (decision 0170)."""
    return Alert(
        rule_id=rule_id,
        severity=severity,
        title=title.text(),
        reason=reason.text(),
        evidence=evidence,
        action=action.text(),
        source=source,
        messages={"title": title, "reason": reason, "action": action},
    )


def _effect(name: str, *, lowercase: bool = True) -> Message:
    """A side effect's label inside a sentence."""
    return Message(SIDE_EFFECTS[name], lowercase=lowercase)


def _step_back_advice(
    facts: _Facts, onset: dt.date, dose: float | None
) -> tuple[Message, dict[str, EvidenceValue]]:
    tolerated = last_tolerated_dose(facts.diary, onset, dose, facts.config.persistent_severity)
    if tolerated is None:
        return (
            Message(
                N_(
                    "no lower dose without moderate or severe side effects is in the diary: ask the "
                    "prescriber before any change, and reduce gradually, never stop abruptly"
                )
            ),
            {"last_tolerated_dose_mg": None, "last_tolerated_date": None},
        )
    assert tolerated.dose_taken_mg is not None
    return (
        Message(
            N_(
                "step back to {dose:g} mg/day, the last dose taken without moderate or severe side "
                "effects (diary {date})"
            ),
            {"dose": tolerated.dose_taken_mg, "date": tolerated.date.isoformat()},
        ),
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
    listing = tuple(
        Message(
            N_("{effect} {severity}/3 on {date}"),
            {"effect": _effect(n), "severity": s, "date": d.date.isoformat()},
        )
        for d, n, s in hits
    )
    dose = day.dose_taken_mg
    advice, evidence = _step_back_advice(facts, hits[0][0].date, dose)
    reason = (
        Message(
            N_("The client reported a severe side effect at {dose:g} mg/day: {listing}."),
            {"dose": dose, "listing": listing},
        )
        if dose is not None
        else Message(N_("The client reported a severe side effect: {listing}."), {"listing": listing})
    )
    return [
        _alert(
            rule_id="SE-SEVERE",
            severity=Severity.URGENT,
            title=Message(N_("Severe side effect")),
            reason=reason,
            evidence={
                "date": day.date.isoformat(),
                "side_effect": name,
                "severity": sev,
                "dose_mg": dose,
                **evidence,
            },
            action=Message(
                N_("Contact the client today and do not increase the dose; {advice}."), {"advice": advice}
            ),
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
        facts_of_run: dict[str, int | float | str | Message] = {
            "effect": _effect(name, lowercase=False),
            "severity": Message(SEVERITY_LABELS[cfg.persistent_severity]),
            "days": len(run),
            "first": onset.isoformat(),
            "last": latest.date.isoformat(),
        }
        reason = (
            Message(
                N_(
                    "{effect} has been {severity} or worse on {days} consecutive days ({first} to {last}) "
                    "at {dose:g} mg/day."
                ),
                {**facts_of_run, "dose": dose},
            )
            if dose is not None
            else Message(
                N_("{effect} has been {severity} or worse on {days} consecutive days ({first} to {last})."),
                facts_of_run,
            )
        )
        alerts.append(
            _alert(
                rule_id="SE-PERSISTENT",
                severity=Severity.WARNING,
                title=Message(N_("Persistent side effect: {effect}"), {"effect": _effect(name)}),
                reason=reason,
                evidence={
                    "side_effect": name,
                    "days": len(run),
                    "first_date": onset.isoformat(),
                    "last_date": latest.date.isoformat(),
                    "dose_mg": dose,
                    **evidence,
                },
                action=Message(N_("Hold the dose (no further increase); {advice}."), {"advice": advice}),
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
            _alert(
                rule_id="DOSE-TAKEN-ABOVE-CAP",
                severity=Severity.URGENT,
                title=Message(N_("Dose taken above the cap")),
                reason=Message(
                    N_(
                        "The client took {dose:g} mg on {date}, above the {cap:.4g} mg/day cap ({cap_label})."
                    ),
                    {
                        "dose": day.dose_taken_mg,
                        "date": day.date.isoformat(),
                        "cap": cap.mg_per_day,
                        "cap_label": cap.label_message,
                    },
                ),
                evidence={
                    "date": day.date.isoformat(),
                    "dose_mg": day.dose_taken_mg,
                    "cap_mg_per_day": cap.mg_per_day,
                    "cap_rule": cap.rule_id,
                    "cap_jurisdiction": cap.jurisdiction,
                },
                action=Message(
                    N_(
                        "Bring the dose down to at most {cap:.4g} mg/day gradually, "
                        "by 10-15 mg every 2 days, never in one step; review the client this week."
                    ),
                    {"cap": cap.mg_per_day},
                ),
                source=f"{cap.source}; {SRC_WITHDRAWAL}",
            )
        )
    # A taper only lowers the dose, from the dose the client takes (core/titration/taper.py): its
    # days above a cap are the way down to it, which DOSE-TAKEN-ABOVE-CAP's action asks for, and
    # regenerating it "with the cap" would be the abrupt drop the taper avoids (decision 0184).
    tapering = facts.plan is not None and facts.plan.protocol_id == TAPER_PLAN_ID
    planned = [s for s in (facts.plan.steps if facts.plan and not tapering else []) if s.date >= facts.today]
    planned_over = [s for s in planned if s.mg_per_day > cap.mg_per_day + 1e-9]
    if planned_over:
        first = planned_over[0]
        alerts.append(
            _alert(
                rule_id="PLAN-ABOVE-CAP",
                severity=Severity.WARNING,
                title=Message(N_("Plan goes above the cap")),
                reason=Message(
                    N_(
                        "The plan schedules {dose:g} mg/day from {date}, above the {cap:.4g} mg/day cap "
                        "({cap_label})."
                    ),
                    {
                        "dose": first.mg_per_day,
                        "date": first.date.isoformat(),
                        "cap": cap.mg_per_day,
                        "cap_label": cap.label_message,
                    },
                ),
                evidence={
                    "first_date": first.date.isoformat(),
                    "planned_mg_per_day": first.mg_per_day,
                    "max_planned_mg_per_day": max(s.mg_per_day for s in planned_over),
                    "cap_mg_per_day": cap.mg_per_day,
                    "cap_rule": cap.rule_id,
                    "cap_jurisdiction": cap.jurisdiction,
                },
                action=Message(
                    N_("Regenerate the plan with the {cap_rule} cap; do not escalate past {cap:.4g} mg/day."),
                    {"cap_rule": cap.rule_id, "cap": cap.mg_per_day},
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
        _alert(
            rule_id="MISSED-DOSES",
            severity=Severity.URGENT,
            title=Message(N_("Baclofen stopped suddenly")),
            reason=Message(
                N_(
                    "No baclofen taken for {days} days ({first} to {last}) after {dose:g} mg/day on "
                    "{dose_date}: sudden stopping can cause withdrawal (agitation, hallucinations, "
                    "confusion, fever, seizures)."
                ),
                {
                    "days": len(missed),
                    "first": first_missed.isoformat(),
                    "last": latest.date.isoformat(),
                    "dose": last.dose_taken_mg,
                    "dose_date": last.date.isoformat(),
                },
            ),
            evidence={
                "first_missed": first_missed.isoformat(),
                "last_missed": latest.date.isoformat(),
                "days_missed": len(missed),
                "last_dose_mg": last.dose_taken_mg,
                "last_dose_date": last.date.isoformat(),
                "withdrawal_risk_above_mg_per_day": cfg.withdrawal_risk_above_mg_per_day,
            },
            action=Message(
                N_(
                    "Contact the client today and ask about withdrawal signs. "
                    "Do not restart at {dose:g} mg/day: restart low and titrate up again, "
                    "or, if stopping, taper by 10 mg every 2 days."
                ),
                {"dose": last.dose_taken_mg},
            ),
            source=SRC_WITHDRAWAL,
        )
    ]


def _rule_fast_reduction(facts: _Facts) -> list[Alert]:
    """The latest dose taken fell faster than a taper may: by more than ``fast_reduction_mg`` from a
    dose taken in the ``fast_reduction_days`` before it (a stop, 0 mg, is MISSED-DOSES' case)."""
    cfg = facts.config
    latest = next((d for d in reversed(facts.recent) if (d.dose_taken_mg or 0) > 0), None)
    if latest is None or latest.dose_taken_mg is None:
        return []
    window = latest.date - dt.timedelta(days=cfg.fast_reduction_days)
    before = [d for d in facts.diary if window <= d.date < latest.date and (d.dose_taken_mg or 0) > 0]
    higher = max(before, key=lambda d: (d.dose_taken_mg or 0, d.date), default=None)
    if higher is None or higher.dose_taken_mg is None:
        return []
    drop = higher.dose_taken_mg - latest.dose_taken_mg
    if drop <= cfg.fast_reduction_mg + 1e-9:
        return []
    numbers: dict[str, float | str] = {
        "drop": drop,
        "before": higher.dose_taken_mg,
        "before_date": higher.date.isoformat(),
        "dose": latest.dose_taken_mg,
        "date": latest.date.isoformat(),
        "step": cfg.fast_reduction_mg,
        "days": cfg.fast_reduction_days,
    }
    return [
        _alert(
            rule_id="FAST-REDUCTION",
            severity=Severity.WARNING,
            title=Message(N_("Dose lowered faster than a taper")),
            reason=Message(
                N_(
                    "{dose:g} mg/day taken on {date}, {drop:g} mg less than {before:g} mg/day on "
                    "{before_date}: faster than a taper allows ({step:g} mg every {days} days), so "
                    "withdrawal is possible."
                ),
                numbers,
            ),
            evidence={
                "dose_mg": latest.dose_taken_mg,
                "date": latest.date.isoformat(),
                "earlier_dose_mg": higher.dose_taken_mg,
                "earlier_date": higher.date.isoformat(),
                "fast_reduction_mg": cfg.fast_reduction_mg,
                "fast_reduction_days": cfg.fast_reduction_days,
            },
            action=Message(
                N_(
                    "Ask whether the client meant to lower the dose and about withdrawal signs. To "
                    "stop or lower baclofen, start a taper from {before:g} mg/day: at most {step:g} mg "
                    "every {days} days."
                ),
                {
                    "before": higher.dose_taken_mg,
                    "step": cfg.fast_reduction_mg,
                    "days": cfg.fast_reduction_days,
                },
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
        listing = tuple(
            Message(N_("{effect} {severity}/3"), {"effect": _effect(n), "severity": s})
            for n, s in sedation.items()
        )
        limit = cfg.heavy.threshold(sex)
        heavy_limit = (
            Message(N_("{limit:g} g or more"), {"limit": limit})
            if cfg.heavy.inclusive
            else Message(N_("more than {limit:g} g"), {"limit": limit})
        )
        dose = (
            Message(N_("{dose:g} mg"), {"dose": day.dose_taken_mg})
            if day.dose_taken_mg is not None
            else Message(N_("an unrecorded dose of"))
        )
        return [
            _alert(
                rule_id="HEAVY-DRINKING-SEDATION",
                severity=Severity.URGENT,
                title=Message(N_("Heavy drinking with sedation")),
                reason=Message(
                    N_(
                        "On {date} the client drank {grams:g} g of alcohol (a heavy drinking day: "
                        "{heavy_limit}) and reported {listing} while taking {dose} "
                        "baclofen; alcohol and baclofen together can depress breathing."
                    ),
                    {
                        "date": day.date.isoformat(),
                        "grams": day.grams,
                        "heavy_limit": heavy_limit,
                        "listing": listing,
                        "dose": dose,
                    },
                ),
                evidence={
                    "date": day.date.isoformat(),
                    "grams": day.grams,
                    "heavy_threshold_g": cfg.heavy.threshold(sex),
                    "dose_mg": day.dose_taken_mg,
                    **{f"{n}_severity": s for n, s in sedation.items()},
                },
                action=Message(
                    N_(
                        "Contact the client today; do not increase the dose; consider stepping back. "
                        "Tell the client and those around them the signs of overdose (very drowsy, "
                        "slow breathing) and to call emergency services if they occur."
                    )
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
    # The finder's reason is a message too, so it is translated inside the alert's sentence.
    reason = (
        Message(
            N_("Indifference reached at {dose:g} mg/day: {why}. The plan would raise the dose on {date}."),
            {"dose": result.dose_mg, "why": result.message, "date": higher[0].date.isoformat()},
        )
        if higher
        else Message(
            N_("Indifference reached at {dose:g} mg/day: {why}."),
            {"dose": result.dose_mg, "why": result.message},
        )
    )
    return [
        _alert(
            rule_id="INDIFFERENCE-REACHED",
            severity=Severity.INFO,
            title=Message(N_("Indifference dose reached")),
            reason=reason,
            evidence=evidence,
            action=Message(
                N_("Stop escalating: hold at {dose:g} mg/day and review at the next visit."),
                {"dose": result.dose_mg},
            ),
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
        N_("Epilepsy: escalation planned"),
        N_(
            "The client has epilepsy and the plan raises the dose; baclofen can worsen seizure control, "
            "and seizures occur on overdose and on sudden withdrawal."
        ),
        N_("Escalate slowly, check seizure control at each step, and make sure doses are never missed."),
        f"{SRC_LABELS} (caution in epilepsy: deterioration in seizure control)",
        needs_escalation=True,
    ),
    _CautionRule(
        "CAUTION-SUICIDE-SUPPLY",
        Caution.SUICIDE_RISK,
        N_("Suicide risk: limit supply"),
        N_(
            "The client has a recorded suicide risk; suicidal behaviour has been reported with baclofen and "
            "an overdose causes coma and respiratory depression."
        ),
        N_(
            "Prescribe small quantities (for example one week at a time), review mood at every visit and "
            "involve the client's supports."
        ),
        f"{SRC_LABELS} (suicide and suicide-related events; overdose)",
    ),
    _CautionRule(
        "CAUTION-SEDATIVES",
        Caution.SEDATIVES_OR_OPIOIDS,
        N_("Sedatives or opioids: respiratory depression risk"),
        N_(
            "The client takes sedatives or opioids; with baclofen and alcohol their depressant effects "
            "add up."
        ),
        N_(
            "Escalate slowly, ask about drowsiness at each step, and warn the client about combining them "
            "with alcohol."
        ),
        SRC_RESPIRATORY,
    ),
    _CautionRule(
        "CAUTION-PSYCHIATRIC",
        Caution.BIPOLAR_OR_PSYCHOSIS,
        N_("Bipolar disorder or psychosis: watch mood"),
        N_(
            "The client has bipolar disorder or psychosis; baclofen can exacerbate psychotic, depressive or "
            "manic disorders."
        ),
        N_("Review mood and psychotic symptoms at each dose change; involve the treating psychiatrist."),
        f"{SRC_LABELS} (psychotic, depressive or manic disorders may be exacerbated)",
    ),
    _CautionRule(
        "CAUTION-PREGNANCY",
        Caution.PREGNANCY,
        N_("Pregnancy"),
        N_(
            "The client is pregnant; baclofen should be used only if clearly needed, and withdrawal "
            "convulsions have been reported in newborns exposed in the womb."
        ),
        N_("Discuss with the prescriber and an obstetric team; do not stop abruptly."),
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
        title, reason, action = Message(rule.title), Message(rule.reason), Message(rule.action)
        alerts.append(_alert(rule.rule_id, Severity.WARNING, title, reason, evidence, action, rule.source))
    return alerts


def _rule_renal_unknown(facts: _Facts) -> list[Alert]:
    client = facts.client
    if Caution.RENAL_IMPAIRMENT not in client.cautions or client.crcl_ml_min is not None or client.dialysis:
        return []
    return [
        _alert(
            rule_id="CAUTION-RENAL-NO-CRCL",
            severity=Severity.WARNING,
            title=Message(N_("Renal impairment without a creatinine clearance")),
            reason=Message(
                N_(
                    "The client has renal impairment but no creatinine clearance is recorded, so the renal "
                    "dose reduction cannot be applied; baclofen is mostly excreted unchanged by the kidneys."
                )
            ),
            evidence={"caution": Caution.RENAL_IMPAIRMENT.value, "crcl_ml_min": None},
            action=Message(
                N_("Measure serum creatinine and record the Cockcroft-Gault clearance before any increase.")
            ),
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
    _rule_fast_reduction,
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

    Diary days after ``today`` and before ``config.lookback_start(today)`` are ignored, and so
    are plan days before ``today`` (callers may pass ``plan.from_date(today)``). The cap
    is the lowest of the client's (highest studied, prescribing country's, prescriber's) and the
    plan's own caps, and the client's current renal cap derived from them, so a plan made before
    renal function fell is still checked.
    """
    # Days before the lookback are ignored, so passing the whole diary or only its last
    # config.lookback_days gives the same alerts. Of the plan, only today's day and the days after
    # it are read, so ``plan.from_date(today)`` gives the same alerts as the whole plan.
    oldest = config.lookback_start(today)
    ordered = [d for d in sort_diary(diary) if oldest <= d.date <= today]
    recent = [d for d in ordered if d.date > today - dt.timedelta(days=config.recent_days)]
    caps = client.caps(plan.caps if plan else ())
    facts = _Facts(client, plan, ordered, recent, today, config, effective_cap(caps))
    alerts = [alert for rule in RULES for alert in rule(facts)]
    return sorted(alerts, key=lambda a: (SEVERITY_ORDER[a.severity], a.rule_id))
