"""`baclotrack evidence list`: the trial listing and the per-outcome view."""

from __future__ import annotations

import pytest

from baclotrack.cli import main


def test_list_prints_every_bundled_trial(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evidence", "list"]) == 0
    out = capsys.readouterr().out
    for study in ("Addolorato 2007", "Garbutt 2021", "Reynaud 2017 (ALPADIR)", "Jaury 2020 (Bacloville)"):
        assert study in out
    assert "15 trials" in out


def test_list_marks_outcomes_that_cannot_be_pooled_yet(capsys: pytest.CaptureFixture[str]) -> None:
    main(["evidence", "list"])
    garbutt_2010 = next(line for line in capsys.readouterr().out.splitlines() if "Garbutt 2010" in line)
    assert garbutt_2010.endswith("percent_heavy_drinking_days*")


def test_list_with_outcome_shows_only_reporting_trials_and_their_counts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["evidence", "list", "--outcome", "abstinence"]) == 0
    out = capsys.readouterr().out
    assert "2 trials" in out
    assert "30/42" in out and "12/42" in out
    assert "Garbutt 2021" not in out


def test_list_with_outcome_explains_a_split_placebo_arm(capsys: pytest.CaptureFixture[str]) -> None:
    main(["evidence", "list", "--outcome", "dropout"])
    out = capsys.readouterr().out
    assert "8.5/20" in out
    assert "Cochrane Handbook 23.3.4" in out


def test_list_with_an_outcome_no_trial_reports_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evidence", "list", "--outcome", "drinks_per_drinking_day"]) == 0
    assert "No bundled trial reports drinks_per_drinking_day" in capsys.readouterr().out


def test_unknown_outcome_is_an_argument_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["evidence", "list", "--outcome", "relapse"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
