"""Inserting many rows fast: COPY on PostgreSQL, one executemany elsewhere.

The push path writes three rows per op (the visit, its change-log row, its applied-op row);
COPY writes them at several times the speed of executemany.
"""
from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from operator import itemgetter

from sqlalchemy import (JSON, BigInteger, Boolean, Date, DateTime, Integer, SmallInteger,
                        String, Table, Text, any_, bindparam, cast, func, insert,
                        select, text, true, update)
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType, TypeDecorator


def insert_rows(session: Session, table: Table, rows: list[dict]) -> None:
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), rows)
        return
    columns = tuple(rows[0])
    statement, types = _copy_plan(table, columns)
    values_of = itemgetter(*columns) if len(columns) > 1 else lambda row: (row[columns[0]],)
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(statement) as copy:
        copy.set_types(types)
        write_row = copy.write_row
        for row in rows:
            write_row(values_of(row))


# PostgreSQL's binary COPY format, by the column type of the table's metadata: psycopg writes
# each value in C, in the column's own binary form, where COPY's text format had it write
# each value as text for PostgreSQL to parse again (~10 µs of client CPU per visit row
# became ~5). JSON is dumped by psycopg's json dumper, which the dialect gives the engine's
# serializer (server.db.json_column_text): the same text as an INSERT stores.
_BINARY_NAMES = ((BigInteger, "int8"), (SmallInteger, "int2"), (Integer, "int4"),
                 (Boolean, "bool"), (Text, "text"), (String, "varchar"), (JSON, "json"),
                 (Date, "date"))
_copy_plans: dict[tuple[Table, tuple[str, ...]], tuple[str, list[str]]] = {}


def _copy_plan(table: Table, columns: tuple[str, ...]) -> tuple[str, list[str]]:
    """The COPY statement and the binary type of each column, worked out from the table's
    metadata once (a column type no binary name is known for is a programming error: say so
    here rather than let PostgreSQL misread its bytes)."""
    plan = _copy_plans.get((table, columns))
    if plan is None:
        types = [_binary_name(table.c[name].type) for name in columns]
        names = ", ".join(f'"{name}"' for name in columns)
        plan = (f'COPY "{table.name}" ({names}) FROM STDIN (FORMAT BINARY)', types)
        _copy_plans[(table, columns)] = plan
    return plan


def _binary_name(kind) -> str:
    if isinstance(kind, TypeDecorator):
        kind = kind.impl  # UTCDateTime: an aware instant, as psycopg dumps it
    if isinstance(kind, DateTime):
        return "timestamptz" if kind.timezone else "timestamp"
    for sql_type, name in _BINARY_NAMES:
        if isinstance(kind, sql_type):
            return name
    raise TypeError(f"no binary COPY type for the column type {kind!r}")


def array_literal(values) -> str | None:
    """``values`` as the text of a PostgreSQL array (``{"a","b",NULL}``), or None if one of them
    is not a plain string, integer, date or aware instant. psycopg adapts a list parameter item
    by item in Python: for 500 ids that was ~1 ms of CPU per parameter, a batch's largest single
    cost after validation; one text parameter cast on the server costs ~0.05 ms."""
    values = list(values)
    kinds = set(map(type, values))
    if kinds == {str}:
        joined = "".join(values)
        if '"' not in joined and "\\" not in joined:
            # Strings that need no escape (ids: the usual case) and integers are joined in one
            # go, not one by one: ~1 µs per op less for a batch's op ids. The same text as item
            # by item (tests/server/test_bulk_arrays.py).
            return '{"' + '","'.join(values) + '"}'
    elif kinds == {int}:
        return "{" + ",".join(map(str, values)) + "}"
    return _array_literal_by_item(values)


def _array_literal_by_item(values: list) -> str | None:
    parts = []
    for value in values:
        kind = type(value)
        if value is None:
            parts.append("NULL")
            continue
        if kind is int:
            parts.append(str(value))
            continue
        if kind is str:
            item = value
        elif kind is datetime and value.utcoffset() is not None:
            item = value.isoformat()
        elif kind is date:
            item = value.isoformat()
        else:
            return None
        parts.append('"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return "{" + ",".join(parts) + "}"


def pg_array(values, item_type):
    """A PostgreSQL array parameter of ``values``: one text parameter where it can be.

    The parameter is sent untyped and cast straight to the array type, so PostgreSQL reads the
    array once, when it binds the parameter. Typed as text first (``CAST($1::VARCHAR AS
    TEXT[])``), the cast from text to an array is not folded into a constant (array input is
    not immutable): a sequential scan parsed the whole array again for every row it read, and
    could not hash it (2.3 s for 500 ids over 5,000 rows; tests/server/test_bulk_arrays.py)."""
    values = list(values)
    literal = array_literal(values)
    if literal is None:
        return bindparam(None, values, type_=ARRAY(item_type))
    if isinstance(item_type, String):
        item_type = Text()  # a cast to varchar(n) would cut; compared with varchar all the same
    return cast(bindparam(None, literal, type_=NullType()), ARRAY(item_type))


def on_postgres(session: Session) -> bool:
    """Whether ``session`` talks to PostgreSQL (where arrays and binary COPY are used)."""
    return session.get_bind().dialect.name == "postgresql"


def among(session: Session, column, values):
    """``column IN (values)``; on PostgreSQL ``column = ANY(:array)``: one parameter to send
    and plan instead of hundreds."""
    values = list(values)
    if not on_postgres(session):
        return column.in_(values)
    return column == any_(pg_array(values, column.type))


def among_bound(column, name: str, postgres: bool):
    """:func:`among` for a statement built once and run again and again: the values come as
    the bound parameter ``name`` (give it :func:`bound_array` of them). A statement built
    afresh for every batch costs SQLAlchemy its cache key, a walk of the whole statement
    (~0.2 ms of CPU for a small SELECT); a statement kept has it remembered."""
    if not postgres:
        return column.in_(bindparam(name, expanding=True))
    return column == any_(array_param(name, column.type))


def array_param(name: str, item_type):
    """The bound parameter ``name`` as an array of ``item_type`` (see :func:`pg_array`)."""
    if isinstance(item_type, String):
        item_type = Text()
    return cast(bindparam(name, type_=NullType()), ARRAY(item_type))


def bound_array(values, postgres: bool):
    """The value of a parameter of :func:`among_bound` or :func:`array_param`."""
    values = list(values)
    if not postgres:
        return values
    literal = array_literal(values)
    return values if literal is None else literal


def found_keys(session: Session, column, values):
    """The SELECT of those ``values`` that ``column`` (a unique key) holds. On PostgreSQL each
    value is a probe of the key's index of its own (a LATERAL ``LIMIT 1`` over ``unnest``), so
    the cost is that of the values, never of the table: ``column = ANY(…)`` left the planner
    free to read a whole never-analysed table (visits grow with every push)."""
    postgres = on_postgres(session)
    return found_keys_bound(column, "keys", postgres).params(keys=bound_array(values, postgres))


def found_keys_bound(column, name: str, postgres: bool):
    """:func:`found_keys` for a statement built once: the values come as the bound parameter
    ``name`` (give it :func:`bound_array` of them; see :func:`among_bound`)."""
    if not postgres:
        return select(column).where(column.in_(bindparam(name, expanding=True)))
    keys = func.unnest(array_param(name, column.type)).table_valued("key").render_derived()
    probe = select(column).where(column == keys.c.key).limit(1).lateral()
    return select(probe).select_from(keys).join(probe, true())


def update_rows(session: Session, table: Table, key: str, rows: list[dict]) -> None:
    """Update many rows by ``key``, each with its own values (the same columns in every row):
    one ``UPDATE … FROM unnest(…)`` on PostgreSQL, one executemany elsewhere."""
    if not rows:
        return
    columns = tuple(name for name in rows[0] if name != key)
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(_update_statement(table, key, columns, False),
                           [{"_key": row[key], **{name: row[name] for name in columns}}
                            for row in rows])
        return
    arrays = {}
    for name in (key, *columns):
        values = [row[name] for row in rows]
        literal = array_literal(values)  # one text parameter, cast below (see array_literal)
        arrays[name] = values if literal is None else literal
    connection.execute(_update_statement(table, key, columns, True), arrays)


@lru_cache(maxsize=None)
def _update_statement(table: Table, key: str, columns: tuple[str, ...], postgres: bool):
    """:func:`update_rows`' statement, built once (see :func:`among_bound`; the column types
    were compiled again for every batch)."""
    if not postgres:
        return update(table).where(table.c[key] == bindparam("_key")).values(
            {name: bindparam(name) for name in columns})
    names = [key, *columns]
    dialect = postgresql.dialect()
    types = {name: table.c[name].type.compile(dialect=dialect) for name in names}
    assignments = ", ".join(f'"{name}" = v."{name}"' for name in columns)
    unnest = ", ".join(f"CAST(:{name} AS {types[name]}[])" for name in names)
    column_list = ", ".join(f'"{name}"' for name in names)
    return text(f'UPDATE "{table.name}" AS t SET {assignments} FROM unnest({unnest}) '
                f'AS v({column_list}) WHERE t."{key}" = v."{key}"')
