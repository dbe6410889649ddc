"""Moving a session's expiry in a test: through the row's save, as every write of the system goes, so
the copy kept in the cache (accounts.session_store) moves on too. A queryset ``update()`` would leave
it behind, as it would in production."""

from __future__ import annotations

from django.contrib.sessions.models import Session


def set_session_expiry(session_key: str, when) -> None:
    row = Session.objects.get(session_key=session_key)
    row.expire_date = when
    row.save()
