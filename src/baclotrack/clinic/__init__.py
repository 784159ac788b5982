"""The clinic: clients, baseline, titration plans, visits, diary, alerts and the audit trail.

Django is the shell around :mod:`baclotrack.core`: every clinical number shown here is
computed by the core, through :mod:`baclotrack.clinic.adapters`.
"""
