"""Exporting the dataset to SQLite (for sqlite3, sqlite-utils and Datasette), one JSON file, or CSV files.

Every export is written to a temporary file or directory beside the target and renamed into place,
so readers never see half a file and a failure leaves nothing behind.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from relations_cli.database import LIST_FIELDS, SOURCE_FIELDS, sqlite_schema
from relations_cli.model import KINDS, TABLE_OF_KIND, Actor, Dataset, Record, Source
from relations_cli.render import cell, fields_of, role_date, role_dict, to_dict

if TYPE_CHECKING:
    import sqlite3

__all__ = ["LIST_FIELDS", "SOURCE_FIELDS", "ExportError", "export", "export_stream", "infer_format", "sqlite_schema"]

EXPORT_FORMATS: tuple[str, ...] = ("sqlite", "json", "csv")
SUFFIX_FORMATS: dict[str, str] = {".db": "sqlite", ".sqlite": "sqlite", ".sqlite3": "sqlite", ".json": "json"}
ACTOR_FIELDS: tuple[str, ...] = ("id", "name", "kind", "country", "aliases", "roles")
CSV_FILES: tuple[str, ...] = ("sources.csv", "actors.csv", "events.csv", "aid.csv", "agreements.csv")


class ExportError(Exception):
    """An export that cannot be done: a one-line reason and the exit code it deserves."""

    def __init__(self, message: str, code: int) -> None:
        """Keep the message and the exit code (1: file system, 2: usage)."""
        super().__init__(message)
        self.code = code


def infer_format(path: str | os.PathLike[str], fmt: str | None) -> str:
    """The asked format, or the one the file suffix names (.db, .sqlite, .sqlite3, .json)."""
    if fmt is not None:
        if fmt not in EXPORT_FORMATS:
            from relations_cli.query import unknown_value

            raise ExportError(unknown_value("export format", fmt, EXPORT_FORMATS), 2)
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix in SUFFIX_FORMATS:
        return SUFFIX_FORMATS[suffix]
    raise ExportError(
        f"cannot tell the format from '{os.fspath(path)}': name it .db/.sqlite or .json, "
        "or pass --format sqlite, json or csv (csv writes a directory)",
        2,
    )


def by_kind(records: Sequence[Record]) -> dict[str, list[Record]]:
    """Records split by kind, each list in the order given."""
    split: dict[str, list[Record]] = {kind: [] for kind in KINDS}
    for record in records:
        split[record.kind].append(record)
    return split


def source_row(source: Source) -> dict[str, Any]:
    """Every field of a source, in SOURCE_FIELDS order (authors as a list)."""
    return {name: list(source.authors) if name == "authors" else getattr(source, name) for name in SOURCE_FIELDS}


def actor_row(actor: Actor) -> dict[str, Any]:
    """Every field of an actor, in ACTOR_FIELDS order: aliases as a list, roles as render.role_dict gives them."""
    return {
        "id": actor.id,
        "name": actor.name,
        "kind": actor.kind,
        "country": actor.country,
        "aliases": list(actor.aliases),
        "roles": [role_dict(r) for r in actor.roles],
    }


def _role_cell(actor: Actor) -> list[str]:
    """An actor's roles for one CSV cell: `President of azerbaijan 1996-04 [alpha:5]` each."""
    cells = []
    for role in actor.roles:
        cited = ", ".join(c.source if c.paragraph is None else f"{c.source}:{c.paragraph}" for c in role.sources)
        when = role_date(role)
        cells.append(f"{role.title} of {role.of}{f' {when}' if when else ''} [{cited}]")
    return cells


def export_meta(dataset: Dataset, filters: Sequence[str], version: str) -> dict[str, str]:
    """The dataset's [meta] table, then its file name, what wrote it and which filters applied."""
    meta = dict(dataset.meta)
    meta.update(
        source_file=Path(dataset.path).name,
        exported_by=f"relations {version}",
        filters="; ".join(filters) or "none",
    )
    return meta


# ---------------------------------------------------------------------------
# Writers: each fills a fresh temporary path
# ---------------------------------------------------------------------------


def write_sqlite(
    target: Path,
    dataset: Dataset,
    records: Sequence[Record],
    meta: dict[str, str],
    store: sqlite3.Connection | None = None,
) -> None:
    """Fill an empty SQLite file: a copy of the store cut down to the records, or a fresh fill without one.

    Either way the tables come from `database.create` and `database.fill`; the store's own tables
    are dropped and the file must pass SQLite's integrity and foreign-key checks.
    """
    import sqlite3

    from relations_cli import database

    try:
        connection = sqlite3.connect(target)
    except sqlite3.Error as exc:
        raise ExportError(f"cannot create the database: {exc}", 1) from None
    try:
        if store is not None:
            store.backup(connection)
            selected: list[str] | None = [r.id for r in records]
        else:
            database.create(connection)
            with connection:
                database.fill(connection, dataset, records, {})
            selected = None
        problems = database.finish_export(connection, selected, meta)
        if problems:
            raise ExportError(f"the database fails SQLite's checks: {'; '.join(problems[:3])}", 1)
    except sqlite3.Error as exc:
        raise ExportError(f"SQLite failed: {exc}", 1) from None
    finally:
        connection.close()


def _write_synced(target: Path, write: Callable[[IO[str]], None], *, newline: str | None = None) -> None:
    """Write a text file as UTF-8 and flush it to disk before it is renamed into place."""
    with target.open("w", encoding="utf-8", newline=newline) as handle:
        write(handle)
        handle.flush()
        os.fsync(handle.fileno())


def json_document(dataset: Dataset, records: Sequence[Record], meta: dict[str, str]) -> dict[str, Any]:
    """The dataset as one object: `meta`, every source, every actor with its roles, and the records of each kind."""
    split = by_kind(records)
    document: dict[str, Any] = {
        "meta": meta,
        "sources": [source_row(s) for s in dataset.sources],
        "actors": [actor_row(a) for a in dataset.actors],
    }
    for kind in KINDS:
        document[TABLE_OF_KIND[kind]] = [to_dict(r) for r in split[kind]]
    return document


def write_json(target: Path, dataset: Dataset, records: Sequence[Record], meta: dict[str, str]) -> None:
    """Write the JSON document, indented, UTF-8."""
    import json

    def write(handle: IO[str]) -> None:
        """Dump the document with a final newline."""
        json.dump(json_document(dataset, records, meta), handle, ensure_ascii=False, indent=2)
        handle.write("\n")

    _write_synced(target, write)


CSV_TABLES: tuple[str, ...] = tuple(name.removesuffix(".csv") for name in CSV_FILES)


def _csv_rows(dataset: Dataset, records: Sequence[Record], table: str) -> tuple[Sequence[str], list[dict[str, Any]]]:
    """The header and rows of one CSV table: `sources` or a kind's table name."""
    if table == "sources":
        return SOURCE_FIELDS, [source_row(s) for s in dataset.sources]
    if table == "actors":
        return ACTOR_FIELDS, [{**actor_row(a), "roles": _role_cell(a)} for a in dataset.actors]
    kind = next((k for k in KINDS if TABLE_OF_KIND[k] == table or k == table), None)
    if kind is None:
        from relations_cli.query import unknown_value

        raise ExportError(unknown_value("table", table, CSV_TABLES), 2)
    return fields_of((kind,)), [to_dict(r) for r in records if r.kind == kind]


def _csv_table(handle: IO[str], fields: Sequence[str], rows: list[dict[str, Any]]) -> None:
    """One CSV table with a header, even when it has no rows, lists joined as in TSV output."""
    import csv

    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(fields)
    writer.writerows([cell(row.get(f)) for f in fields] for row in rows)


def write_csv(target: Path, dataset: Dataset, records: Sequence[Record], meta: dict[str, str]) -> None:
    """Fill an empty directory with sources.csv, actors.csv and one CSV per kind."""
    for table in CSV_TABLES:
        fields, rows = _csv_rows(dataset, records, table)
        _write_synced(target / f"{table}.csv", partial(_csv_table, fields=fields, rows=rows), newline="")


WRITERS: dict[str, Callable[[Path, Dataset, Sequence[Record], dict[str, str]], None]] = {
    "sqlite": write_sqlite,
    "json": write_json,
    "csv": write_csv,
}


# ---------------------------------------------------------------------------
# Atomic placement
# ---------------------------------------------------------------------------


def _sibling(target: Path, suffix: str) -> Path:
    """A hidden, unused name beside the target."""
    import secrets

    return target.with_name(f".{target.name}.{secrets.token_hex(4)}{suffix}")


def _remove(path: Path) -> None:
    """Delete a file or directory tree if it is there."""
    import shutil

    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with suppress(OSError):  # not there, or nothing more can be done
            path.unlink()


def _exists(shown: str) -> ExportError:
    """The error for a target that is there already."""
    return ExportError(f"{shown} exists; pass --force to replace it", 1)


def _check_target(target: Path, fmt: str, force: bool, shown: str) -> None:
    """Refuse, before any work, a target that exists (without --force) or could not be replaced.

    Only a regular file, or a directory of the files a csv export writes, is ever replaced: never a
    symbolic link (nor its target), a device, a pipe or a socket, whatever --force says.
    """
    try:
        info = os.lstat(target)
    except (FileNotFoundError, NotADirectoryError):
        return  # nothing there to protect; writing says what is wrong, if anything
    if stat.S_ISLNK(info.st_mode):
        raise ExportError(f"{shown} is a symbolic link; not replacing it or what it points to", 1)
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
        raise ExportError(f"{shown} is not a regular file or directory; not replacing it", 1)
    if not force:
        raise _exists(shown)
    is_dir = stat.S_ISDIR(info.st_mode)
    if fmt != "csv" and is_dir:
        raise ExportError(f"{shown} is a directory; a {fmt} export is one file", 1)
    if fmt == "csv":
        if not is_dir:
            raise ExportError(f"{shown} exists and is not a directory; a csv export is a directory", 1)
        others = sorted({p.name for p in target.iterdir()} - set(CSV_FILES))
        if others:
            listed = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
            raise ExportError(f"{shown} holds files a csv export does not write ({listed}); not replacing it", 1)


def _place_file(temporary: Path, target: Path, force: bool, shown: str) -> None:
    """Move a finished file onto the target: replacing it with --force, else only if it is still absent."""
    if force:
        _check_target(target, "file", force, shown)  # still a regular file, not swapped for a link meanwhile
        temporary.replace(target)
        return
    try:
        os.link(temporary, target)  # fails if the target appeared meanwhile: never clobbers
    except FileExistsError:
        raise _exists(shown) from None
    except OSError:  # a file system without hard links
        if os.path.lexists(target):
            raise _exists(shown) from None
        temporary.replace(target)
        return
    temporary.unlink()


def _place_directory(temporary: Path, target: Path, force: bool, shown: str) -> None:
    """Move a finished directory onto the target; with --force the old one is swapped out, then deleted."""
    if not os.path.lexists(target):
        temporary.rename(target)
        return
    _check_target(target, "csv", force, shown)
    old = _sibling(target, ".old")
    target.rename(old)
    try:
        temporary.rename(target)
    except BaseException:
        old.rename(target)
        raise
    _remove(old)


@contextmanager
def _cleanup(*paths: Path) -> Iterator[None]:
    """Remove the temporary paths if anything fails (or is interrupted), then let the failure through."""
    try:
        yield
    except BaseException:
        for path in paths:
            _remove(path)
        raise


STDOUT = "-"


def export_stream(
    dataset: Dataset,
    records: Sequence[Record],
    fmt: str,
    out: IO[bytes],
    *,
    kind: str | None = None,
    filters: Sequence[str] = (),
    version: str = "",
    store: sqlite3.Connection | None = None,
) -> None:
    """Write an export to a binary stream (`-`): JSON, the CSV of one kind, or SQLite when it is not a terminal."""
    import io

    meta = export_meta(dataset, filters, version)
    if fmt == "json":
        import json

        text = json.dumps(json_document(dataset, records, meta), ensure_ascii=False, indent=2) + "\n"
        out.write(text.encode("utf-8"))
    elif fmt == "csv":
        if kind is None:
            tables = ", ".join(CSV_TABLES)
            raise ExportError(f"a csv export to '-' is one table: name it with --kind ({tables})", 2)
        buffer = io.StringIO(newline="")
        _csv_table(buffer, *_csv_rows(dataset, records, kind))
        out.write(buffer.getvalue().encode("utf-8"))
    else:
        if _isatty(out):
            raise ExportError("not writing a SQLite database to a terminal; redirect it to a file or a pipe", 2)
        import tempfile

        with tempfile.TemporaryDirectory(prefix="relations-export-") as folder:
            temporary = Path(folder) / "export.db"
            write_sqlite(temporary, dataset, records, meta, store)
            with temporary.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    out.write(chunk)
    out.flush()


def _isatty(stream: IO[bytes]) -> bool:
    """Whether a stream is a terminal (False when it cannot tell)."""
    try:
        return stream.isatty()
    except (ValueError, OSError):
        return False


def export(
    dataset: Dataset,
    records: Sequence[Record],
    path: str | os.PathLike[str],
    fmt: str,
    *,
    force: bool = False,
    filters: Sequence[str] = (),
    version: str = "",
    store: sqlite3.Connection | None = None,
) -> None:
    """Write the records (and every source) to `path` in `fmt`, atomically; raise ExportError on failure.

    A SQLite export copies `store` (a read-only connection to the dataset's store) when given.
    """
    shown = os.fspath(path)
    target = Path(os.path.normpath(Path(path).absolute()))
    if not target.name:
        raise ExportError(f"cannot export to '{shown}': name a file or directory", 2)
    _check_target(target, fmt, force, shown)
    meta = export_meta(dataset, filters, version)
    temporary = _sibling(target, ".tmp")
    journals = [temporary.with_name(temporary.name + end) for end in ("-journal", "-wal", "-shm")]
    try:
        with _cleanup(temporary, *journals):
            if fmt == "csv":
                temporary.mkdir()
            else:
                os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            if fmt == "sqlite" and store is not None:
                write_sqlite(temporary, dataset, records, meta, store)
            else:
                WRITERS[fmt](temporary, dataset, records, meta)
            if fmt == "csv":
                _place_directory(temporary, target, force, shown)
            else:
                _place_file(temporary, target, force, shown)
    except OSError as exc:
        raise ExportError(f"cannot write {shown}: {exc.strerror or exc}", 1) from None
