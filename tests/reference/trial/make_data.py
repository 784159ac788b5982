"""Make the trial test datasets (fixed seed). Run from the repository root:

    .venv/bin/python tests/reference/trial/make_data.py

then regenerate the R reference values with ``Rscript tests/reference/trial/reference.R``.

Three designs, each written as DIARY and PATIENTS CSVs in the `baclotrack trial` format:
- ``addolorato``: three arms of 14 (placebo, 10 mg tid, 20 mg tid), 28 baseline days and 84
  treatment days, about 5 % of days not reported (Addolorato et al. 2011, Alcohol Alcohol 46:312).
- ``unbalanced``: arms of 9, 17 and 12 patients, dropouts (the diary stops) and whole weeks
  not reported, and some diary days absent instead of blank.
- ``flatslope``: no between-patient variation in the weekly trend, so the random-slope
  variance is estimated near zero (the boundary case of the optimiser).

And ``stress_weekly.csv``: 30 weekly-outcome datasets (the primary model's input directly)
with 8 to 80 patients and random-effect variances from zero to large, including boundary
fits, to check the optimiser over many shapes of the REML deviance.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SEED = 20261127
ARMS = (("placebo", 0), ("10mg_tid", 30), ("20mg_tid", 60))


def _patient_days(
    rng: np.random.Generator, baseline_mean: float, slope: float, treatment_effect: float, n_days: int
) -> np.ndarray:
    """Daily drink counts: 28 baseline days then ``n_days`` treatment days, gamma-Poisson with zeros."""
    days = np.arange(-28, n_days + 1)
    days = days[days != 0]
    week = np.where(days > 0, (days - 1) // 7 + 1, 0)
    mean = np.where(days < 0, baseline_mean, baseline_mean * treatment_effect * np.exp(slope * week))
    abstinent = rng.random(days.size) < np.where(days < 0, 0.15, 0.3)
    counts = rng.poisson(rng.gamma(shape=2.0, scale=np.maximum(mean, 0.05) / 2.0))
    return np.where(abstinent, 0, counts).astype(float)


def _write(name: str, patients: list[dict[str, str]], diary: list[dict[str, str]]) -> None:
    with open(HERE / f"{name}_patients.csv", "w", newline="") as fh:
        writer = csv.DictWriter(
            fh, fieldnames=["patient_id", "sex", "start_date", "country", "arm", "dose_mg"]
        )
        writer.writeheader()
        writer.writerows(patients)
    with open(HERE / f"{name}_diary.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["patient_id", "date", "drinks"])
        writer.writeheader()
        writer.writerows(diary)


def make_design(
    rng: np.random.Generator, name: str, sizes: tuple[int, int, int], *, slope_sd: float, unbalanced: bool
) -> None:
    patients: list[dict[str, str]] = []
    diary: list[dict[str, str]] = []
    start0 = dt.date(2011, 1, 10)
    effects = {0: 0.85, 30: 0.5, 60: 0.35}
    number = 0
    for (arm, dose), size in zip(ARMS, sizes, strict=True):
        for _ in range(size):
            number += 1
            pid = f"P{number:03d}"
            start = start0 + dt.timedelta(days=int(rng.integers(0, 60)))
            sex = "F" if rng.random() < 0.3 else "M"
            country = "FR" if rng.random() < 0.5 else "US"
            patients.append(
                {
                    "patient_id": pid,
                    "sex": sex,
                    "start_date": start.isoformat(),
                    "country": country,
                    "arm": arm,
                    "dose_mg": str(dose),
                }
            )
            baseline_mean = float(rng.gamma(shape=6.0, scale=1.2))
            slope = float(rng.normal(-0.03, slope_sd))
            effect = effects[dose] * float(np.exp(rng.normal(0.0, 0.3)))
            last_day = 84
            if unbalanced and rng.random() < 0.3:
                last_day = int(rng.integers(10, 70))  # dropout: the diary stops
            counts = _patient_days(rng, baseline_mean, slope, effect, last_day)
            days = [d for d in range(-28, last_day + 1) if d != 0]
            missing_weeks = set(rng.choice(np.arange(2, 12), size=2, replace=False)) if unbalanced else set()
            for day, count in zip(days, counts, strict=True):
                week = (day - 1) // 7 + 1 if day > 0 else 0
                date = start + dt.timedelta(days=day if day < 0 else day - 1)
                unreported = rng.random() < 0.05 or week in missing_weeks
                if unreported and unbalanced and rng.random() < 0.5:
                    continue  # an absent row means not reported, like a blank
                drinks = "" if unreported else f"{count:g}"
                diary.append({"patient_id": pid, "date": date.isoformat(), "drinks": drinks})
    _write(name, patients, diary)


def make_stress(rng: np.random.Generator, datasets: int = 30) -> None:
    rows = []
    for k in range(datasets):
        n_patients = int(rng.integers(8, 80))
        sd_intercept = float(rng.choice([0.0, 0.3, 1.0, 2.0]))
        sd_slope = float(rng.choice([0.0, 0.02, 0.1, 0.3]))
        rho = float(rng.uniform(-0.9, 0.9))
        cov = np.array(
            [[sd_intercept**2, rho * sd_intercept * sd_slope], [rho * sd_intercept * sd_slope, sd_slope**2]]
        )
        for p in range(n_patients):
            arm = p % 3
            baseline = float(rng.gamma(5.0, 1.2))
            intercept, slope = rng.multivariate_normal([0.0, 0.0], cov)
            for week in range(1, 13):
                if rng.random() < 0.15:
                    continue  # a week without a reported day
                y = 2 + 0.3 * baseline - 0.8 * arm + (slope - 0.05) * week + intercept + rng.normal(0, 1.2)
                rows.append(
                    [
                        k,
                        f"P{p:03d}",
                        ARMS[arm][0],
                        ARMS[arm][1],
                        week,
                        f"{baseline:.6f}",
                        f"{max(y, 0.0):.6f}",
                    ]
                )
    with open(HERE / "stress_weekly.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["dataset", "patient_id", "arm", "dose_mg", "week", "baseline", "y"])
        writer.writerows(rows)


def main() -> None:
    rng = np.random.default_rng(SEED)
    make_design(rng, "addolorato", (14, 14, 14), slope_sd=0.06, unbalanced=False)
    make_design(rng, "unbalanced", (9, 17, 12), slope_sd=0.06, unbalanced=True)
    make_design(rng, "flatslope", (14, 14, 14), slope_sd=0.0, unbalanced=False)
    make_stress(np.random.default_rng(SEED + 1))


if __name__ == "__main__":
    main()
