"""Domain exceptions and warnings of the meta-analysis engine."""

from __future__ import annotations

from baclotrack.core.errors import InputError


class MetaInputError(InputError):
    """Study data that cannot be meta-analysed; the message names the row and column."""


class ConvergenceError(RuntimeError):
    """An iterative estimator of tau^2 did not converge.

    The message says what to do: usually switch to method="DL" or "PM", or raise ``max_iter``.
    """


class StatisticalWarning(UserWarning):
    """A fit ran but its result needs care (as metafor warns: KNHA with a common-effect model,
    REML stuck at a local maximum and reset to tau^2 = 0)."""
