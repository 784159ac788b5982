"""Meta-analysis engine that reproduces R's metafor: effect sizes (escalc), pooling by inverse variance,
Mantel-Haenszel and random effects (DL, REML, PM) with Knapp-Hartung, heterogeneity, prediction
intervals, leave-one-out, subgroups, meta-regression, Egger's test, and forest and funnel plots.

Layers: effect_sizes (per-study yi, vi), estimators (tau^2 and weighted fits, pure numpy/scipy),
mantel_haenszel, models (estimator classes with fit() -> self), sensitivity, plots.
Methods and sources: docs/methods/meta-analysis.md.
"""

from __future__ import annotations

from baclotrack.analysis.meta.effect_sizes import (
    BinaryTable,
    EffectSizes,
    Measure,
    binary_effect_sizes,
    binary_table_from_frame,
    continuous_effect_sizes,
    effect_sizes_from_frame,
    hedges_correction,
    parse_measure,
)
from baclotrack.analysis.meta.errors import ConvergenceError, MetaInputError, StatisticalWarning
from baclotrack.analysis.meta.estimators import Method, parse_method, tau2_dl, tau2_pm, tau2_reml
from baclotrack.analysis.meta.models import MetaAnalysis, MetaRegression
from baclotrack.analysis.meta.plots import forest_plot, funnel_plot
from baclotrack.analysis.meta.sensitivity import (
    EggerTest,
    SubgroupAnalysis,
    egger_test,
    leave_one_out,
    subgroup_analysis,
)

__all__ = [
    "BinaryTable",
    "ConvergenceError",
    "EffectSizes",
    "EggerTest",
    "Measure",
    "MetaAnalysis",
    "MetaInputError",
    "MetaRegression",
    "Method",
    "StatisticalWarning",
    "SubgroupAnalysis",
    "binary_effect_sizes",
    "binary_table_from_frame",
    "continuous_effect_sizes",
    "effect_sizes_from_frame",
    "egger_test",
    "forest_plot",
    "funnel_plot",
    "hedges_correction",
    "leave_one_out",
    "parse_measure",
    "parse_method",
    "subgroup_analysis",
    "tau2_dl",
    "tau2_pm",
    "tau2_reml",
]
