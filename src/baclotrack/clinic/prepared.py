"""Reads on the diary-save path whose SQL the ORM writes once and reuses with new parameters.

A diary save is the app's most frequent request. Django writes a query's SQL afresh on every call,
and for the short reads a save makes (the diary link, the client's active plan, the plan's steps
from today, the rules' 90 diary days) writing the SQL costs several times what the database takes
to run it: about 0.4 ms of Python for a one-row read on the machines measured here, against 0.05 ms
for SQLite to answer it (decision 0178, bench/instructions.py).

A :class:`PreparedRead` asks the ORM for its query's SQL once per database connection settings,
with a marker value in place of each argument, and records where each argument goes among the
query's parameters (constants of the query, such as ``is_active = true``, stay as the ORM wrote
them). Later calls bind the new arguments, run that SQL through Django's cursor (so query counting,
execute wrappers and transactions behave as for any query) and convert the rows with the ORM's own
converters: the rows are those the QuerySet would have returned, on SQLite and on PostgreSQL
(tests/web/test_prepared_reads.py compares them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)
Row = tuple[Any, ...]

#: Marker values for the arguments, by type: chosen so that no constant of a query equals one.
_MARKERS: dict[type, Callable[[int], Any]] = {
    int: lambda i: -918_273_645 - i,
    str: lambda i: f"\x00prepared-read-argument-{i}\x00",
    dt.date: lambda i: dt.date(1873, 1, 1 + i),
}


@dataclass(frozen=True)
class _Statement:
    sql: str
    #: For each parameter of ``sql``: the index of the argument bound there, or None for a constant.
    slots: tuple[int | None, ...]
    constants: tuple[Any, ...]
    binders: tuple[Callable[[Any], Any], ...]
    compiler: Any
    converters: dict[int, Any]


def _binder(kind: type, connection: BaseDatabaseWrapper) -> Callable[[Any], Any]:
    """How the ORM turns an argument of ``kind`` into a query parameter on ``connection``."""
    if kind is dt.date:
        return connection.ops.adapt_datefield_value
    return lambda value: value


class PreparedRead:
    """A read whose SQL is written once: ``build(*arguments)`` returns the QuerySet (a values_list
    query, sliced if only the first rows are wanted); ``types`` are its arguments' types (int, str or
    datetime.date), each of which must appear among the query's parameters."""

    def __init__(self, build: Callable[..., QuerySet[Any]], *types: type) -> None:
        unknown = [kind for kind in types if kind not in _MARKERS]
        if unknown:
            raise TypeError(f"prepared reads take int, str or date arguments, not {unknown}")
        self._build = build
        self._types = types
        self._statements: dict[tuple[str, str], _Statement] = {}

    def _prepare(self, connection: BaseDatabaseWrapper) -> _Statement:
        markers = [_MARKERS[kind](i) for i, kind in enumerate(self._types)]
        binders = tuple(_binder(kind, connection) for kind in self._types)
        bound = [bind(marker) for bind, marker in zip(binders, markers, strict=True)]
        compiler = self._build(*markers).query.get_compiler(using=connection.alias)
        sql, params = compiler.as_sql()
        slots: list[int | None] = []
        for param in params:
            found = [i for i, value in enumerate(bound) if type(value) is type(param) and value == param]
            if len(found) > 1:
                raise ValueError(f"prepared read: parameter {param!r} matches more than one argument")
            slots.append(found[0] if found else None)
        missing = sorted(set(range(len(markers))) - set(slots))
        if missing:
            raise ValueError(f"prepared read: arguments {missing} are not parameters of the query")
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        return _Statement(
            sql=sql,
            slots=tuple(slots),
            constants=tuple(params),
            binders=binders,
            compiler=compiler,
            converters=compiler.get_converters(fields),
        )

    def rows(self, *arguments: Any) -> list[Row]:
        """The rows of the query for ``arguments``, as the QuerySet's values_list would give them."""
        if len(arguments) != len(self._types):
            raise TypeError(f"prepared read takes {len(self._types)} arguments, got {len(arguments)}")
        connection = connections[DEFAULT_DB_ALIAS]
        key = (connection.alias, connection.vendor)
        statement = self._statements.get(key)
        if statement is None:
            statement = self._statements[key] = self._prepare(connection)
        params = [
            constant if slot is None else statement.binders[slot](arguments[slot])
            for slot, constant in zip(statement.slots, statement.constants, strict=True)
        ]
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, params)
            fetched = cursor.fetchall()
        if not statement.converters:
            return [tuple(row) for row in fetched]
        return [tuple(row) for row in statement.compiler.apply_converters(fetched, statement.converters)]


def columns(model: type[Model]) -> list[str]:
    """The stored columns of ``model`` (attribute names, ``client_id`` for a foreign key), in the
    order :func:`instance` expects them."""
    return [field.attname for field in model._meta.concrete_fields]


def instance(model: type[M], row: Sequence[Any]) -> M:
    """A model instance from a row of :func:`columns`, as the ORM makes one from a query."""
    return model.from_db(DEFAULT_DB_ALIAS, columns(model), list(row))
