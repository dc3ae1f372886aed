"""Every table's rows as plain values: a portable dump through SQLAlchemy, and content hashes.

A row is read through the column types the database reports (JSON columns as their text), made
JSON-safe (dates as ISO text, bytes as base64) and written as one JSON array a line. Reading back
converts each value by the type of the column it goes into. The same encoding gives each table's
content hash, so a database and its restored backup can be compared row for row.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import gzip
import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import Connection, Engine

#: first value of a portable dump's header line
FORMAT = "aimak-atlas portable backup"
VERSION = 1
#: rows sent to the database per INSERT
CHUNK = 1000
#: tables whose rows the dump does not carry (the revision is in the header)
SKIPPED = {"alembic_version"}


class DumpError(ValueError):
    """A file that is not a portable dump, or one this version cannot read."""


#: tables that belong to a PostgreSQL extension (PostGIS's spatial_ref_sys): not the app's data
EXTENSION_TABLES = sa.text(
    "SELECT c.relname FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class c ON c.oid = d.objid"
    " WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.deptype = 'e'"
    " AND c.relnamespace = current_schema()::regnamespace"
)


def table_names(connection: Connection) -> list[str]:
    """The database's own tables (alembic_version included; an extension's tables left out)."""
    names = sa.inspect(connection).get_table_names()
    if connection.dialect.name == "postgresql":
        extension = set(connection.scalars(EXTENSION_TABLES))
        names = [name for name in names if name not in extension]
    return names


def _reflect(connection: Connection) -> list[sa.Table]:
    """The database's own tables, parents before children."""
    metadata = sa.MetaData()
    metadata.reflect(connection, only=table_names(connection))
    return list(metadata.sorted_tables)


def tables(connection: Connection) -> list[sa.Table]:
    """The database's own tables, parents before children (alembic_version left out)."""
    return [table for table in _reflect(connection) if table.name not in SKIPPED]


def _is_json(column: sa.Column) -> bool:
    return isinstance(column.type, sa.JSON)


def _json_as_text(connection: Connection) -> Callable:
    """How a JSON column is read and written as its text on this backend."""
    return sa.cast if connection.dialect.name == "postgresql" else sa.type_coerce


def _select(connection: Connection, table: sa.Table) -> sa.Select:
    """Every column, JSON as text, in a stable order (primary key, else every other column)."""
    as_text = _json_as_text(connection)
    columns = [as_text(c, sa.Text).label(c.name) if _is_json(c) else c for c in table.columns]
    order = list(table.primary_key.columns) or [c for c in table.columns if not _is_json(c)]
    return sa.select(*columns).order_by(*order)


def _plain(value):
    """The JSON-safe form of one value."""
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def rows(connection: Connection, table: sa.Table) -> Iterator[list]:
    """The rows of `table` as lists of JSON-safe values, in a stable order."""
    for row in connection.execute(_select(connection, table)):
        yield [_plain(value) for value in row]


def _line(values: list) -> str:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def table_hashes(engine: Engine) -> dict[str, str]:
    """SHA-256 of each own table's rows (alembic_version included), by table name."""
    hashes = {}
    with engine.connect() as connection:
        for table in _reflect(connection):
            digest = hashlib.sha256()
            for values in rows(connection, table):
                digest.update(_line(values).encode() + b"\n")
            hashes[table.name] = digest.hexdigest()
    return hashes


def row_counts(engine: Engine) -> dict[str, int]:
    """The number of rows of each own table (alembic_version included), by table name."""
    with engine.connect() as connection:
        return {
            name: connection.scalar(sa.select(sa.func.count()).select_from(sa.table(name)))
            for name in table_names(connection)
        }


# --- writing ------------------------------------------------------------------------------


def _column_spec(column: sa.Column) -> dict:
    """A column as the dump records it: its name and generic type (to recreate side tables)."""
    generic = column.type.as_generic()
    spec = {"name": column.name, "type": type(generic).__name__}
    if getattr(generic, "length", None):
        spec["length"] = generic.length
    return spec


def write_dump(connection: Connection, path: Path, revision: str | None) -> dict[str, int]:
    """Write every table of the database `connection` reads into a gzipped JSON-lines file;
    returns the row count of each table written."""
    counts = {}
    with gzip.open(path, "wt", encoding="utf-8") as out:
        header = {
            "format": FORMAT,
            "version": VERSION,
            "revision": revision,
            "dialect": connection.dialect.name,
            "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        out.write(json.dumps(header) + "\n")
        for table in tables(connection):
            columns = [_column_spec(column) for column in table.columns]
            out.write(json.dumps({"table": table.name, "columns": columns}) + "\n")
            counts[table.name] = 0
            for values in rows(connection, table):
                out.write(_line(values) + "\n")
                counts[table.name] += 1
    return counts


# --- reading ------------------------------------------------------------------------------


def read_header(path: Path) -> dict:
    """The header of a portable dump; DumpError when `path` is not one this version reads."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as dump:
            header = json.loads(dump.readline())
    except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DumpError(f"{path} is not a portable backup: {error}") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise DumpError(f"{path} is not a portable backup of Aimak Atlas")
    if header.get("version") != VERSION:
        raise DumpError(f"{path} is a portable backup of format {header.get('version')}")
    return header


def _reader(column: sa.Column) -> Callable:
    """How a dumped value becomes the value of `column`."""
    kind = column.type
    if isinstance(kind, sa.LargeBinary):
        return base64.b64decode
    if isinstance(kind, sa.DateTime):
        return dt.datetime.fromisoformat
    if isinstance(kind, sa.Date):
        return dt.date.fromisoformat
    if isinstance(kind, sa.Numeric) and kind.asdecimal and not isinstance(kind, sa.Float):
        return decimal.Decimal
    return lambda value: value


def _side_table(connection: Connection, block: dict) -> sa.Table:
    """Create a table the migrations do not make (a downgrade's side table) as recorded."""
    columns = []
    for spec in block["columns"]:
        kind = getattr(sa.types, spec["type"], sa.Text)
        length = spec.get("length")
        columns.append(sa.Column(spec["name"], kind(length) if length else kind()))
    table = sa.Table(block["table"], sa.MetaData(), *columns)
    table.create(connection)
    return table


def _insert(connection: Connection, table: sa.Table) -> sa.Insert:
    """An INSERT of every column; JSON columns take their text as it was dumped."""
    postgresql = connection.dialect.name == "postgresql"

    def text_value(column: sa.Column):  # SQLite keeps JSON as the text itself
        value = sa.bindparam(column.name, type_=sa.Text)
        return sa.cast(value, column.type) if postgresql else value

    json_values = {c.name: text_value(c) for c in table.columns if _is_json(c)}
    return sa.insert(table).values(json_values) if json_values else sa.insert(table)


class _TableLoader:
    """Rows of one dumped table, converted by column type and inserted in chunks."""

    def __init__(self, connection: Connection, table: sa.Table, block: dict):
        self.names = [spec["name"] for spec in block["columns"]]
        missing = [name for name in self.names if name not in table.c]
        if missing:
            raise DumpError(f"table {table.name} of the backup has columns {missing} unknown here")
        self.readers = [
            (lambda value: value) if _is_json(table.c[name]) else _reader(table.c[name])
            for name in self.names
        ]
        self.connection, self.statement = connection, _insert(connection, table)
        self.chunk: list[dict] = []
        self.count = 0

    def add(self, values: list) -> None:
        self.chunk.append(
            {
                name: None if value is None else read(value)
                for name, read, value in zip(self.names, self.readers, values, strict=True)
            }
        )
        if len(self.chunk) == CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.chunk:
            self.connection.execute(self.statement, self.chunk)
            self.count, self.chunk = self.count + len(self.chunk), []


def load_dump(connection: Connection, path: Path) -> dict[str, int]:
    """Insert the rows of a portable dump into the (migrated, empty) database of `connection`;
    tables the migrations did not create are created as recorded. Returns rows per table."""
    existing = {table.name: table for table in tables(connection)}
    loaders: dict[str, _TableLoader] = {}
    loader = None
    with gzip.open(path, "rt", encoding="utf-8") as dump:
        dump.readline()  # the header
        for line in dump:
            values = json.loads(line)
            if isinstance(values, dict):  # the next table's description
                if loader:
                    loader.flush()
                table = existing.get(values["table"])
                if table is None:
                    table = _side_table(connection, values)
                loader = loaders[table.name] = _TableLoader(connection, table, values)
            elif loader is None:
                raise DumpError(f"{path}: rows before any table")
            else:
                loader.add(values)
    if loader:
        loader.flush()
    return {name: loader.count for name, loader in loaders.items()}
