"""A new row, its historical record and its audit row, written in one statement.

    from audit.recorded import create_recorded
    create_recorded(objection, Action.STATE_CHANGE, object_repr=..., username=..., detail=...)

What ``instance.save()`` (with simple-history's post_save receiver) followed by ``audit.log.record``
writes, but on PostgreSQL in one round trip with the chain head locked first: the row goes in only
if its audit row does. For the public objection form, which takes the surge the morning a notice
opens (issue 8): the ORM way costs three statements and most of the request's CPU.

The values are Django's own: each field's ``pre_save`` (``auto_now_add``, a file upload saved to
storage) and ``get_db_prep_save`` (encrypted fields), the historical model's tracked fields, the user
and change reason simple-history would take, and ``audit.log.event_values``. PostgreSQL hashes the
audit row as ``audit.chain.row_hash`` does, with the new id in its place (``verify`` checks it).

No post_save signal is sent. tests/audit/test_create_recorded.py lists the receivers of the models
written this way and fails when one is added, so a new receiver is not silently skipped.
Elsewhere (SQLite, or before the chain has its head) the ORM way, the same rows.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.utils import get_change_reason_from_object

from .chain import payload_text
from .log import chain_append, event_values, locked_head, record
from .models import AuditEvent

__all__ = ["create_recorded", "insert_recorded"]

_ID = "\x00"  # stands for the new row's id in the hashed text, which PostgreSQL fills in
_ID_IN_TEXT = '"object_id":' + json.dumps(_ID)


def create_recorded(instance: Model, action: str, **audit) -> Model:
    """Insert ``instance`` (new) with its historical record and an audit row of ``action`` about it.

    ``audit``: the keywords of ``audit.log.record`` but ``obj``. One statement on PostgreSQL (atomic
    by itself, in the caller's transaction if there is one); elsewhere the ORM way, in one transaction.
    """
    if insert_recorded(instance, action, **audit):
        return instance
    with transaction.atomic(savepoint=False):
        instance.save(force_insert=True)
        record(action, obj=instance, **audit)
    return instance


def insert_recorded(instance: Model, action: str, *, guard: str = "", guard_params=(), **audit) -> bool:
    """``create_recorded``'s one statement, written only if ``guard`` (SQL, with ``guard_params``) holds.

    The guard is checked, and whatever it locks is locked, before the chain head, in the same
    statement: a caller can check its rules on rows read without a lock, then write only if those rows
    are still as read, and never hold the head across a round trip to the client (issue 8: the public
    objection form in autocommit). False when nothing was written: the guard was false, the chain has
    no head yet, or the database is not PostgreSQL.
    """
    if connection.vendor != "postgresql":
        return False
    return _insert_in_one_statement(instance, action, audit, guard, list(guard_params))


@functools.cache
def _history_model(model: type[Model]) -> type[Model]:
    """simple-history's historical model of ``model``: its descriptor builds a manager class per access."""
    return model.history.model


def _history_user_id(instance) -> int | None:
    """simple-history's own choice (HistoricalRecords.get_history_user): the instance's, or the request's."""
    user = getattr(instance, "_history_user", None)
    if user is None:
        request = getattr(HistoricalRecords.context, "request", None)
        user = getattr(request, "user", None)
        if not getattr(user, "is_authenticated", False):
            user = None
    return None if user is None else user.pk


@dataclass(frozen=True)
class _Shape:
    """What the statement of a model writes: its fields, and for each history column its source."""

    fields: list  # the row's fields but the primary key, given as parameters
    returned: list  # the row's columns the history copies from what the INSERT returns
    history_columns: list  # the history's columns after its id (the row's)
    history_params: list  # the history fields given as parameters, in their order among the columns


@functools.cache
def _shape(model: type[Model]) -> _Shape:
    """The columns of ``model``'s statement. A history field that is the row's own field (same class:
    the same value and encoding) is copied from the row as inserted, so the value goes over the wire
    once and the statement stays within psycopg's cache of converted queries (at most 50 parameters).
    """
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    own = {f.attname: f for f in fields}
    history = _history_model(model)
    returned, history_columns, history_params = [], [], []
    for f in history._meta.concrete_fields:
        if f.attname in ("history_id", meta.pk.attname):
            continue
        history_columns.append(f.column)
        source = own.get(f.attname) if f.attname not in _HISTORY_EXTRA else None
        if source is not None and type(source) is type(f) and source.column == f.column:
            returned.append(source.column)
        else:
            history_params.append(f)
    return _Shape(fields, returned, history_columns, history_params)


_HISTORY_EXTRA = ("history_date", "history_type", "history_change_reason", "history_user_id")


@functools.lru_cache(maxsize=64)  # a handful of models and guards; bounded all the same
def _statement(model: type[Model], event_names: tuple[str, ...], guard: str) -> str:
    """The SQL of the statement (built once per model, audit fields and guard).

    Every parameter carries its column's type: the statement is prepared, its parameters bound by the
    server, and a NULL or a string sent as such has no type PostgreSQL could take from an INSERT's SELECT.
    """
    meta, shape = model._meta, _shape(model)
    history = _history_model(model)
    event_fields = [_event_field(name) for name in event_names]
    quote = connection.ops.quote_name

    def typed(field) -> str:
        return f"%s::{field.db_type(connection)}"

    copied, params = set(shape.returned), iter(shape.history_params)
    history_values = ", ".join(
        f"new.{quote(column)}" if column in copied else typed(next(params)) for column in shape.history_columns
    )
    # The audit row, hashed with the new id between the two halves of its text.
    append = chain_append(
        [*(f.column for f in event_fields), "object_id"], f"{', '.join(map(typed, event_fields))}, new.id::text",
        "%s::text || new.id::text || %s::text", sources="head, new",
    )
    returning = "".join(f", {quote(column)}" for column in shape.returned)
    return f"""
        WITH {locked_head(guard)},
        new AS (
            INSERT INTO {quote(meta.db_table)} ({", ".join(quote(f.column) for f in shape.fields)})
            SELECT {", ".join(map(typed, shape.fields))} FROM head
            RETURNING {quote(meta.pk.column)} AS id{returning}
        ),
        hist AS (
            INSERT INTO {quote(history._meta.db_table)}
                ({quote(history._meta.get_field(meta.pk.attname).column)}, {", ".join(quote(c) for c in shape.history_columns)})
            SELECT new.id, {history_values} FROM new
        ),
        {append}
        SELECT id FROM new
    """


def _insert_in_one_statement(instance: Model, action: str, audit: dict, guard: str, guard_params: list) -> bool:
    model = type(instance)
    shape = _shape(model)
    now = timezone.now()
    row = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in shape.fields]

    extra = {
        "history_date": getattr(instance, "_history_date", now),
        "history_type": "+",
        "history_change_reason": get_change_reason_from_object(instance),
        "history_user_id": _history_user_id(instance),
    }
    history_row = [
        f.get_db_prep_save(extra[f.attname] if f.attname in extra else getattr(instance, f.attname), connection)
        for f in shape.history_params
    ]

    values = event_values(action, obj=instance, **audit)  # object_id is filled in by PostgreSQL
    values["object_id"] = _ID
    before_id, after_id = payload_text(values).split(_ID_IN_TEXT)
    before_id += '"object_id":"'
    after_id = '"' + after_id
    event_fields = [_event_field(name) for name in values if name != "object_id"]
    event_row = [f.get_db_prep_save(values[f.name], connection) for f in event_fields]

    sql = _statement(model, tuple(f.name for f in event_fields), guard)
    with _prepared_cursor() as cursor:
        cursor.execute(sql, [*guard_params, *row, *history_row, *event_row, before_id, after_id])
        found = cursor.fetchone()
    if found is None:  # the guard was false or there is no chain head yet: nothing was written
        return False
    instance.pk = found[0]
    instance._state.adding = False
    instance._state.db = connection.alias
    return True


@functools.cache
def _event_field(name: str):
    return AuditEvent._meta.get_field(name)


def _prepared_cursor():
    """A cursor of the connection whose statements are prepared: parsed and planned once per connection,
    then only bound and executed (the objection statement's parse and plan were half PostgreSQL's time
    per filing). Django's own cursors bind on the client and never prepare; the connection prepares only
    what is asked (settings: ``prepare_threshold``)."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(_preparing_cursor_class()(connection.connection))


@functools.cache
def _preparing_cursor_class():  # made when first needed: psycopg is there only for PostgreSQL
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        def _maybe_prepare_gen(self, pgq, *, prepare=None, binary=None):
            # psycopg keeps the query it ran, which Django's query log reads, only when it is not prepared
            self._query = pgq
            return super()._maybe_prepare_gen(pgq, prepare=True, binary=binary)

    return PreparingCursor
