"""The reminder count in the header of staff pages.

Lazy: the count is queried only when a template shows it (one query per staff page), never on
public pages, which are rendered without a user.
"""

from functools import cache

from .permissions import can_see_failures


def reminders(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def unread() -> int:
        from core.models import Notification

        return Notification.objects.filter(user=user, read_at__isnull=True).count()

    return {"reminder_count": unread, "can_see_failures": lambda: can_see_failures(user)}
