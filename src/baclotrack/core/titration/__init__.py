"""Baclofen titration: protocols as data, tablets, plans, caps, tapers, indifference and safety rules.

- :mod:`.protocols`  protocols with their sources (``PROTOCOLS``, ``get_protocol``)
- :mod:`.tablets`    splitting a daily dose into intakes real tablets can make
- :mod:`.caps`       protocol ceilings, regulatory caps, renal reduction, Cockcroft-Gault
- :mod:`.plan`       ``generate_plan``: day-by-day plans that never exceed a cap
- :mod:`.taper`      ``taper_plan``: gradual tapers that never stop abruptly
- :mod:`.indifference` ``find_indifference_dose`` (the only implementation)
- :mod:`.context`, :mod:`.rules` ``evaluate``: the safety rules engine
"""
