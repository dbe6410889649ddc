"""In-app reminders; idempotent per (user, key) so a task that runs twice sends once."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from .models import Notification


def notify(users, *, key: str, text: str, url: str = "") -> int:
    sent = 0
    for user in users:
        try:
            with transaction.atomic():
                Notification.objects.create(user=user, key=key, text=text[:300], url=url)
            sent += 1
        except IntegrityError:
            pass  # already sent
    return sent
