"""What commands share when they print: JSON that stays valid with NaN and infinities."""

from __future__ import annotations

import json
import math
from typing import Any


def json_safe(value: Any) -> Any:
    """``value`` with every NaN and infinity (not JSON) replaced by null, recursively."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def json_text(value: Any) -> str:
    """Indented, standard JSON of ``value`` (NaN and infinities as null)."""
    return json.dumps(json_safe(value), indent=2, allow_nan=False)
