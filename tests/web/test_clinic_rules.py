"""The clinic's choices stay in step with the core they feed."""

from __future__ import annotations

from baclotrack.clinic.models import Caution
from baclotrack.core.titration.rules import Caution as CoreCaution


def test_caution_checkboxes_are_exactly_the_cautions_the_rules_know() -> None:
    assert set(Caution.values) == {c.value for c in CoreCaution}


def test_admin_manages_accounts_but_sees_no_clinical_model() -> None:
    from django.contrib import admin

    registered = {model._meta.label for model in admin.site._registry}
    assert "auth.User" in registered
    assert not any(label.startswith("clinic.") for label in registered)
