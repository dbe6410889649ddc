"""The reminder count in the header of staff pages.

Lazy: the count is queried only when a template shows it (one query per staff page), never on
public pages, which are rendered without a user.
"""

from functools import cache

from .permissions import can_see_failures

# The header counts unread reminders up to this and shows "99+" beyond: counting them all would read
# every one, on every page, for staff told of thousands of objections in a surge.
UNREAD_SHOWN = 99


def reminders(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def unread() -> str:
        from core.models import Notification

        count = Notification.objects.filter(user=user, read_at__isnull=True)[: UNREAD_SHOWN + 1].count()
        if count > UNREAD_SHOWN:
            return f"{UNREAD_SHOWN}+"
        return str(count) if count else ""

    return {"reminder_count": unread, "can_see_failures": lambda: can_see_failures(user)}
