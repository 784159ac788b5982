from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClinicConfig(AppConfig):
    name = "baclotrack.clinic"
    label = "clinic"
    verbose_name = _("Clinic")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Importing checks registers the database checks.
        from baclotrack.clinic import checks, dashboard_cache  # noqa: F401

        # Drawings kept by a previous run may come from other code: start empty (decision 0179).
        dashboard_cache.clear_left_over()
