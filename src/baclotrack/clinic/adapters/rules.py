"""Alerts: the rules' view of a client and the core's rules engine run on the stored record."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from baclotrack.clinic.adapters.common import _sex
from baclotrack.clinic.adapters.diary import core_diary_days
from baclotrack.clinic.adapters.titration import _active_plan, core_plan
from baclotrack.core import alcohol
from baclotrack.core.titration.caps import parse_jurisdiction
from baclotrack.core.titration.rules import DEFAULT_RULES, ClientContext, evaluate
from baclotrack.core.titration.rules import Caution as RuleCaution

if TYPE_CHECKING:
    from baclotrack.clinic.models import Client


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
