"""The one place where clinic rows become core inputs and core results become page rows.

Views and templates never compute a clinical number: doses, standard drinks, heavy days,
endpoints, scores and alerts all come from :mod:`baclotrack.core` through this package.

One module per concern (drinks, diary, instruments, titration, rules, endpoints, timeline, report,
analytics; common holds what they share). Callers use ``adapters.NAME``, re-exported here. Inside
the package a module imports another's names, so a test that replaces a function replaces it in the
module that calls it (``adapters.rules.core_diary_days``, not ``adapters.core_diary_days``).
"""

from baclotrack.clinic.adapters.analytics import dose_response_inputs, practice_outcomes
from baclotrack.clinic.adapters.common import HEAVY_DAY
from baclotrack.clinic.adapters.diary import (
    baseline_drinks,
    core_diary_days,
    diary_day_defaults,
    last_dose_taken,
    recent_diary,
    side_effect_choices,
    validated_diary_values,
    validated_side_effects,
)
from baclotrack.clinic.adapters.drinks import (
    beverage_choices,
    beverage_presets_json,
    drink_grams,
    drink_item,
    drinks_to_grams,
    standard_drink_grams,
)
from baclotrack.clinic.adapters.endpoints import (
    ENDPOINT_LABELS,
    caseload_rows,
    client_summary,
    endpoint_windows,
    endpoints_table,
    treatment_day,
)
from baclotrack.clinic.adapters.instruments import instrument_choices, instrument_items, score_instrument
from baclotrack.clinic.adapters.report import report_data
from baclotrack.clinic.adapters.rules import client_context, evaluate_rules
from baclotrack.clinic.adapters.timeline import CHART_DAYS_AHEAD, TIMELINE_SCHEMA, timeline_frame
from baclotrack.clinic.adapters.titration import (
    VisitDose,
    core_plan,
    current_dose_mg,
    default_caps,
    generate_plan_steps,
    generate_taper_steps,
    plan_view,
    protocol_choices,
    protocol_descriptions,
)

__all__ = [
    "CHART_DAYS_AHEAD",
    "ENDPOINT_LABELS",
    "HEAVY_DAY",
    "TIMELINE_SCHEMA",
    "VisitDose",
    "baseline_drinks",
    "beverage_choices",
    "beverage_presets_json",
    "caseload_rows",
    "client_context",
    "client_summary",
    "core_diary_days",
    "core_plan",
    "current_dose_mg",
    "default_caps",
    "diary_day_defaults",
    "dose_response_inputs",
    "drink_grams",
    "drink_item",
    "drinks_to_grams",
    "endpoint_windows",
    "endpoints_table",
    "evaluate_rules",
    "generate_plan_steps",
    "generate_taper_steps",
    "instrument_choices",
    "instrument_items",
    "last_dose_taken",
    "plan_view",
    "practice_outcomes",
    "protocol_choices",
    "protocol_descriptions",
    "recent_diary",
    "report_data",
    "score_instrument",
    "side_effect_choices",
    "standard_drink_grams",
    "timeline_frame",
    "treatment_day",
    "validated_diary_values",
    "validated_side_effects",
]
