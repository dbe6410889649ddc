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


def notify_each(messages) -> int:
    """Many reminders at once: ``messages`` as (user, key, text, url). One query finds those sent
    already, one INSERT sends the rest (a concurrent sender's are skipped by the unique key); the
    header's reminder count moves on once (core.versions, bulk_create sends no signal)."""
    from .versions import DATA, bump

    messages = list(messages)
    if not messages:
        return 0
    # By user and key: the unique (user, key) index answers it; by key alone it read every reminder
    # ever sent, once per batch (issue 8: the objection sweep at national size).
    sent = set(
        Notification.objects.filter(
            user_id__in={user.pk for user, _k, _t, _l in messages}, key__in={key for _u, key, _t, _l in messages}
        ).order_by().values_list("user_id", "key")
    )
    new = {}
    for user, key, text, url in messages:
        if (user.pk, key) not in sent:
            new[(user.pk, key)] = Notification(user=user, key=key, text=text[:300], url=url)
    Notification.objects.bulk_create(new.values(), ignore_conflicts=True)
    if new:
        bump(DATA)
    return len(new)
