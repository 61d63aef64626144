"""Fast bulk writes shared by the imports and the demo: many rows inserted or updated
without model instances or signals (SQLite: one prepared statement run with
``executemany``; PostgreSQL: ``COPY``). Tens of thousands of rows take about a second,
where Django's ``bulk_create`` and ``bulk_update`` take many (docs/benchmarks.md). Callers
give database-ready values by attribute name; ``auto_now`` fields must be given (only
``auto_now_add`` ones get "now" by default)."""

import json
from collections.abc import Iterable, Iterator
from itertools import islice

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone


def batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


_AS_IS = {
    "CharField",
    "EmailField",
    "TextField",
    "BooleanField",
    "ForeignKey",
    "OneToOneField",
    "IntegerField",
    "BigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
}


def _preparer(field, conn):
    """A function turning a Python value into what the database driver takes for this
    field (None: the value as it is). Looked up once per field, not once per value."""
    kind = field.get_internal_type()
    if kind in _AS_IS:
        return None
    if kind == "DateField":
        adapt = conn.ops.adapt_datefield_value
        return lambda value: None if value is None else adapt(value)
    return lambda value: field.get_db_prep_save(value, conn)


def _prepared(preparers, values) -> list:
    return [v if prep is None else prep(v) for prep, v in zip(preparers, values, strict=True)]


def _copy_preparer(field):
    """For PostgreSQL's COPY, which takes plain Python values except JSON."""
    if field.get_internal_type() == "JSONField":
        encoder = field.encoder
        return lambda value: None if value is None else json.dumps(value, cls=encoder)
    return None


def bulk_set(model, field_names: list[str], rows: list[tuple[int, list]]) -> None:
    """UPDATE many rows by primary key, each with its own values. SQLite: one prepared
    statement run many times; PostgreSQL: COPY into a temporary table, then one UPDATE.
    Both are far faster than bulk_update's CASE expressions."""
    if not rows:
        return
    conn = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    quote = conn.ops.quote_name
    table = quote(meta.db_table)
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            preparers = [_copy_preparer(f) for f in fields]
            temp = quote("colead_bulk_set")
            columns = ", ".join(f"c{i} {f.db_type(conn)}" for i, f in enumerate(fields))
            cursor.execute(
                f"CREATE TEMPORARY TABLE {temp} (pk {meta.pk.db_type(conn)}, {columns}) "
                "ON COMMIT DROP"
            )
            with cursor.copy(f"COPY {temp} FROM STDIN") as copy:
                for pk, values in rows:
                    copy.write_row([pk, *_prepared(preparers, values)])
            assignments = ", ".join(f"{quote(f.column)} = s.c{i}" for i, f in enumerate(fields))
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM {temp} s "
                f"WHERE {table}.{quote(meta.pk.column)} = s.pk"
            )
            cursor.execute(f"DROP TABLE {temp}")
            return
        preparers = [_preparer(f, conn) for f in fields]
        assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
        sql = f"UPDATE {table} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
        for chunk in batched(rows, 5000):
            cursor.executemany(sql, [[*_prepared(preparers, values), pk] for pk, values in chunk])


def bulk_insert(model, rows: Iterable[dict]) -> None:
    """INSERT many rows given as {attname: value}; fields left out get their default
    (auto_now_add: now). Skips model instances and signals (SQLite: executemany;
    PostgreSQL: COPY): tens of thousands of rows in about a second, where bulk_create
    takes many."""
    conn = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not getattr(f, "db_returning", False)]
    names = [f.attname for f in fields]
    copying = conn.vendor == "postgresql"
    preparers = {f.attname: _copy_preparer(f) if copying else _preparer(f, conn) for f in fields}
    now = timezone.now()
    defaults = {}
    for f in fields:
        value = now if getattr(f, "auto_now_add", False) else f.get_default()
        prep = preparers[f.attname]
        defaults[f.attname] = value if prep is None else prep(value)
    quote = conn.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)

    def values(row):
        out = []
        for name in names:
            if name in row:
                prep = preparers[name]
                out.append(row[name] if prep is None else prep(row[name]))
            else:
                out.append(defaults[name])
        return out

    with conn.cursor() as cursor:
        if copying:
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(values(row))
            return
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
        for chunk in batched(rows, 5000):
            cursor.executemany(sql, [values(row) for row in chunk])
