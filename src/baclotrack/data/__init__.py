"""Bundled sample data (a package so that its CSV files ship in the wheel).

- ``sample_patients.csv``: six fictitious patients (F and M; US, UK, FR, AU, CA) with start dates.
- ``sample_diary.csv``: their daily drinks (standard drinks of each patient's country) and
  craving, for the 28 days before and the 84 days from each start date, made from a fixed
  seed: some days are blank, some absent, and BT-006 stops filling the diary after day 70.

``baclotrack endpoints --diary .../sample_diary.csv --patients .../sample_patients.csv``
computes their endpoints; tests/reference/endpoints/endpoints.R computes the same in R.
"""
