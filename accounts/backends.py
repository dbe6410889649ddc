"""The logged-in user of each request, read through the shared cache (AUTHENTICATION_BACKENDS).

Every staff request loads its user; the row changes seldom. A copy is kept under the user's own
version (core.versions, ``user:<pk>``), read in the same round trip as the AUTHZ and DATA versions,
with a copy in each process (core.localcache). Every save or delete of the user moves the version on
(core.versions.model_changed), and so does the one bulk write that sends no signal
(accounts.policy.end_all_sessions): a deactivated account, a new password or an ended session shows
on the next request in every process. Any other bulk ``update()`` of users must call ``user_changed``
too, or the copy lives on until it expires (COPY_SECONDS).

The copy holds neither the password hash nor the encrypted phone number: they are left deferred (read
from the row if a caller asks for them), and the session hash computed from the password is kept
instead, which is all a request needs to verify its session.
"""

from __future__ import annotations

import pickle

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from core import localcache, versions

LEFT_OUT = ("password", "phone")
COPY_SECONDS = 3600


def version_name(user_id) -> str:
    return f"user:{user_id}"


def version_timeout() -> int:
    return int(settings.SESSION_ABSOLUTE_SECONDS + settings.SESSION_COOKIE_AGE + 3600)


def user_changed(user_id) -> None:
    versions.bump(version_name(user_id), timeout=version_timeout())


class CachedModelBackend(ModelBackend):
    def get_user(self, user_id):
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except Exception:
            return None
        name = version_name(pk)
        key = f"{settings.APP_CACHE_PREFIX}user:{pk}:{versions.versions(name, timeout=version_timeout())[name]}"
        body = localcache.get(key)
        if body is not None:
            values, session_hash = pickle.loads(body)
            user = model.from_db("default", list(values), list(values.values()))
            user.__dict__["_known_session_hash"] = session_hash
            return user if self.user_can_authenticate(user) else None
        user = model._default_manager.filter(pk=pk).first()
        if user is None:
            return None
        values = {f.attname: getattr(user, f.attname) for f in model._meta.concrete_fields if f.attname not in LEFT_OUT}
        localcache.put(key, pickle.dumps((values, user.get_session_auth_hash()), pickle.HIGHEST_PROTOCOL), COPY_SECONDS)
        return user if self.user_can_authenticate(user) else None
