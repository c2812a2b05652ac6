"""Loading a user's CSV or Parquet file into the embedded warehouse as a table.

DuckDB's readers infer the types. A few choices make the result what a
BigQuery load of the same file would give:

- CSV is read strictly (RFC 4180 quoting, the delimiter taken from the header
  line, every row checked for types, not a sample), so a malformed file is an
  error naming its line, never a silently mangled table.
- CSV times without a zone are read as UTC TIMESTAMP (BigQuery's CSV
  autodetect does the same); Parquet keeps its own types (a Parquet timestamp
  not adjusted to UTC stays a DATETIME, as BigQuery loads it).
- Column names that SQL could not use unquoted (`Order Date`, `2nd`) are
  rewritten to identifiers (`Order_Date`, `_2nd`), and duplicates numbered.

The whole import is one transaction: a failure leaves the warehouse exactly
as it was. An existing table is replaced only when asked.
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
import stat
from pathlib import Path
from typing import Any

from dataset_tui.warehouse.base import LocalWarehouse, TableInfo, WarehouseError
from dataset_tui.warehouse.duckdb import DuckDBWarehouse
from dataset_tui.warehouse.duckdb_types import dq

CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz")
PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
_DELIMITERS = (",", ";", "\t", "|")


class ImportFailed(WarehouseError):
    """The file could not be imported; the warehouse is unchanged."""

    kind = "import"


def file_format(file: Path) -> str:
    name = file.name.lower()
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    kinds = f"CSV ({', '.join(CSV_SUFFIXES)}) and Parquet ({', '.join(PARQUET_SUFFIXES)})"
    raise ImportFailed(f"{file.name}: only {kinds} files can be imported")


def clean_names(names: list[str]) -> list[str]:
    """Identifiers for the columns: invalid characters become `_`, duplicates get `_2`, `_3`..."""
    out: list[str] = []
    seen: set[str] = set()
    for i, name in enumerate(names):
        clean = re.sub(r"[^A-Za-z0-9_]", "_", name.strip()) or f"column{i + 1}"
        if not re.match(r"[A-Za-z_]", clean):
            clean = "_" + clean
        candidate, n = clean, 1
        while candidate.lower() in seen:
            n += 1
            candidate = f"{clean}_{n}"
        seen.add(candidate.lower())
        out.append(candidate)
    return out


def _delimiter(file: Path) -> str:
    """The header line's most frequent candidate delimiter (a `.tsv` is tab-separated)."""
    if file.name.lower().endswith((".tsv", ".tsv.gz")):
        return "\t"
    if file.name.lower().endswith(".gz"):
        return ","
    with file.open("r", encoding="utf-8", errors="replace", newline="") as handle:
        header = handle.readline()
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _csv_reader() -> str:
    return (
        # skip = 0: left to itself the sniffer may skip leading rows it finds
        # irregular and take a later row for the header, dropping data silently.
        "read_csv(?, delim = ?, quote = '\"', escape = '\"', header = true, skip = 0, strict_mode = true, "
        "sample_size = -1, auto_detect = true)"
    )


def _diagnose_csv(file: Path, delimiter: str) -> str | None:
    """Find the first row that breaks the CSV rules, to name it in the error (slow path only)."""
    try:
        with file.open("r", encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter, strict=True)
            header = next(reader, None)
            if header is None:
                return "the file is empty (it needs a header row)"
            for row in reader:
                if row and len(row) != len(header):
                    return (
                        f"line {reader.line_num} has {len(row)} fields but the header has {len(header)} "
                        f"(delimiter {delimiter!r})"
                    )
    except UnicodeDecodeError as exc:
        return f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})"
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            return f"a quoted field is never closed (the file ends inside quotes, at line {reader.line_num})"
        return f"line {reader.line_num}: {exc}"
    return None


def _header(file: Path, delimiter: str) -> list[str] | None:
    """The header row's fields as Python's csv module reads them (None for compressed files)."""
    if file.name.lower().endswith(".gz"):
        return None
    with file.open("r", encoding="utf-8", errors="replace", newline="") as handle:
        return next(csv.reader(handle, delimiter=delimiter), None)


def _first_lines(message: str) -> str:
    lines = []
    for line in message.splitlines():
        if line.startswith(("Possible fixes", "* ", "The search space")):
            break
        if line.strip():
            lines.append(line.strip())
    return " ".join(lines[:4])


def import_table(
    warehouse: LocalWarehouse,
    file: Path,
    table: str,
    *,
    dataset: str = "raw_data",
    replace: bool = False,
) -> TableInfo:
    """Load `file` into `dataset.table`; returns the new table's info.

    All or nothing, in two steps. The file is first loaded into a staging
    DuckDB file beside the warehouse and checked there as the warehouse will
    use it (its info: rows, sizes, columns). Only a table that passed is then
    copied into the warehouse in one transaction (or, for a new or empty
    warehouse file, the staging file becomes the warehouse by rename). So a
    file DuckDB cannot read, or a table the warehouse could not use, never
    opens the warehouse for writing: it stays byte-identical.
    """
    from dataset_tui.domain.definition import IDENT_RE, TABLE_RE

    file = Path(file)
    # fullmatch: `re.match` with `$` would let "name\n" through.
    if not TABLE_RE.fullmatch(table) or len(table) > 1024:
        raise ImportFailed(
            f"table name {table!r} is not allowed: use letters, digits, _ and - (starting with a letter or _)"
        )
    if not IDENT_RE.fullmatch(dataset):
        raise ImportFailed(f"dataset name {dataset!r} is not allowed")
    if not file.is_file():
        raise ImportFailed(f"there is no file at {file}")
    kind = file_format(file)
    if kind == "csv" and file.stat().st_size == 0:
        raise ImportFailed(f"{file.name} is empty (a CSV file needs a header row); nothing was imported")

    fresh = is_fresh(warehouse.path)
    if fresh and warehouse.path.is_symlink():
        raise ImportFailed(f"{warehouse.path} is a link to nothing; point --warehouse at a DuckDB file")
    if not fresh and not replace:
        # Checked on the read-only connection first: no write lock for a refusal.
        try:
            existing = [t.name.lower() for t in warehouse.list_tables(dataset)]
        except WarehouseError as exc:
            if "does not exist" not in str(exc):
                raise
            existing = []
        if table.lower() in existing:
            raise ImportFailed(f"table {dataset}.{table} already exists; pass --replace to overwrite it")

    from dataset_tui.warehouse.demo import clean_leftovers

    clean_leftovers(warehouse.path)
    stage = staging_path(warehouse.path)
    try:
        _load_into(stage, file, kind, dataset, table)
        if fresh:
            _place_new_warehouse(warehouse, stage)
        else:
            _copy_into(warehouse, stage, dataset, table, replace=replace)
    finally:
        remove_db_file(stage)
    return warehouse.table_info(dataset, table)


def is_fresh(path: Path) -> bool:
    """No warehouse there yet, or an empty file (0 bytes): the import makes the file.

    Anything but a regular file (a device such as /dev/null, a FIFO, a folder) is refused:
    the new file would be renamed over it.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        return not path.is_symlink()  # a dangling link: refused below rather than replaced
    if not stat.S_ISREG(info.st_mode):
        raise ImportFailed(f"{path} is not a regular file; point --warehouse at a DuckDB file")
    return info.st_size == 0


def staging_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.importing")


def remove_db_file(path: Path) -> None:
    for victim in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            victim.unlink()


def _load_into(stage: Path, file: Path, kind: str, dataset: str, table: str) -> None:
    """Create `dataset.table` from `file` in a new staging file, and check the warehouse can use it."""
    import duckdb

    from dataset_tui.domain import clock
    from dataset_tui.warehouse.demo import record_changes
    from dataset_tui.warehouse.transpile import prepare_connection

    delimiter = _delimiter(file) if kind == "csv" else ""
    reader = _csv_reader() if kind == "csv" else "read_parquet(?)"
    params: list[Any] = [str(file), delimiter] if kind == "csv" else [str(file)]
    remove_db_file(stage)
    stage.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(stage))
    except duckdb.Error as exc:
        reason = _first_lines(str(exc))
        raise ImportFailed(f"cannot write beside the warehouse ({reason}); nothing was imported") from None
    try:
        prepare_connection(con)
        try:
            described = con.execute(f"DESCRIBE SELECT * FROM {reader}", params).fetchall()
        except duckdb.Error as exc:
            raise _read_error(file, kind, delimiter, exc) from None
        names = [row[0] for row in described]
        types = [row[1] for row in described]
        header = _header(file, delimiter) if kind == "csv" else None
        if header is not None and len(header) != len(names):
            why = _diagnose_csv(file, delimiter) or f"the header has {len(header)} fields but rows have {len(names)}"
            raise ImportFailed(
                f"could not import {file.name} as CSV: {why}. "
                "Fix the file and import it again; the warehouse was not changed."
            )
        selects = []
        for original, clean, duck_type in zip(names, clean_names(names), types, strict=True):
            expr = dq(original)
            if kind == "csv" and duck_type == "TIMESTAMP":
                expr = f"CAST({expr} AS TIMESTAMPTZ)"  # the session is UTC: read as UTC
            elif duck_type == "UUID" or str(duck_type).startswith("ENUM("):
                expr = f"CAST({expr} AS VARCHAR)"  # BigQuery has no UUID or ENUM: a STRING, as its load gives
            selects.append(f"{expr} AS {dq(clean)}")
        try:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {dq(dataset)}")
            con.execute(f"CREATE TABLE {dq(dataset)}.{dq(table)} AS SELECT {', '.join(selects)} FROM {reader}", params)
            record_changes(con, dataset, [table], clock.now())
            con.execute("CHECKPOINT")
        except duckdb.Error as exc:
            raise _read_error(file, kind, delimiter, exc) from None
    finally:
        con.close()
    # Use the table as the warehouse will (rows, sizes, schema): a type it
    # cannot handle fails here, not after the warehouse was changed.
    check = DuckDBWarehouse(stage)
    try:
        check.table_info(dataset, table)
        check.schema(dataset, table)
    except WarehouseError as exc:
        raise ImportFailed(
            f"could not import {file.name}: the table it makes cannot be used ({exc}); the warehouse was not changed"
        ) from None
    finally:
        check.close()


def _place_new_warehouse(warehouse: LocalWarehouse, stage: Path) -> None:
    """A new warehouse file: the checked staging file becomes it, by rename (never over another's file)."""
    warehouse.close()
    target = warehouse.path
    try:
        if target.exists():  # the empty file: replace it
            os.replace(stage, target)
        else:
            os.link(stage, target)  # fails if someone created the file meanwhile
    except FileExistsError:
        raise ImportFailed(f"{target} appeared while importing; import again") from None
    except OSError as exc:
        raise ImportFailed(f"cannot create {target}: {exc.strerror or exc}; nothing was imported") from None


def _copy_into(warehouse: LocalWarehouse, stage: Path, dataset: str, table: str, *, replace: bool) -> None:
    """Copy the checked table from the staging file into the warehouse, in one transaction."""
    import duckdb

    target = f"{dq(dataset)}.{dq(table)}"
    with warehouse.writable() as con:
        con.execute(f"ATTACH {_sql_string(str(stage))} AS import_stage (READ_ONLY)")
        try:
            con.execute("BEGIN TRANSACTION")
            try:
                exists = con.execute(
                    "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                    "AND schema_name = ? AND lower(table_name) = lower(?)",
                    [dataset, table],
                ).fetchone()[0]
                if exists and not replace:
                    raise ImportFailed(f"table {dataset}.{table} already exists; pass --replace to overwrite it")
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {dq(dataset)}")
                con.execute(f"DROP TABLE IF EXISTS {target}")
                con.execute(f"CREATE TABLE {target} AS SELECT * FROM import_stage.{target}")
                _copy_meta(con, dataset, table)
                con.execute("COMMIT")
            except BaseException as exc:
                con.execute("ROLLBACK")
                if isinstance(exc, duckdb.Error):
                    raise ImportFailed(
                        f"could not copy the table into the warehouse: {_first_lines(str(exc))}; nothing was changed"
                    ) from None
                raise
        finally:
            con.execute("DETACH import_stage")


def _copy_meta(con: Any, dataset: str, table: str) -> None:
    from dataset_tui.domain import clock
    from dataset_tui.warehouse.demo import record_changes

    record_changes(con, dataset, [table], clock.now())


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _read_error(file: Path, kind: str, delimiter: str, exc: Exception) -> ImportFailed:
    what = _diagnose_csv(file, delimiter) if kind == "csv" else None
    detail = what or _first_lines(str(exc))
    return ImportFailed(
        f"could not import {file.name} as {kind.upper()}: {detail}. Fix the file and import it again; "
        "the warehouse was not changed."
    )
