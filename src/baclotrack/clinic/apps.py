from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClinicConfig(AppConfig):
    name = "baclotrack.clinic"
    label = "clinic"
    verbose_name = _("Clinic")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from baclotrack.clinic import checks  # noqa: F401 - registers the database checks
