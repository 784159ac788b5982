"""The clinical core: pure, typed functions with no I/O and no Django.

Every clinical number (standard drinks, heavy-day thresholds, score rules, doses, caps)
has one home here, with its source beside it.
"""
