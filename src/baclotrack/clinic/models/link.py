"""A personal, revocable diary link. Only the SHA-256 hash of the token is stored."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class DiaryLink(models.Model):
    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="diary_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
