"""An alert raised by the core's rules engine (core.titration.rules), never by a view."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class Alert(models.Model):
    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="alerts")
    rule_id = models.CharField(max_length=60)
    severity = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    reason = models.TextField()
    evidence = models.JSONField(default=dict, blank=True)
    action = models.TextField(blank=True)
    #: title/reason/action as core messages (template + numbers, core/i18n.py) so that pages can
    #: show them in the reader's language; the English columns above stay for audit and the CLI.
    messages = models.JSONField(default=dict, blank=True)
    source = models.TextField(blank=True)
    raised_on = models.DateField()
    status = models.CharField(max_length=10, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("status", "-raised_on")

    def __str__(self) -> str:
        return f"{self.rule_id} ({self.severity})"
