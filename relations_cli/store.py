"""Loading a dataset through its store: an indexed SQLite database of its validated records.

The first query of a file parses and validates its TOML, then writes a SQLite database with the
tables of `relations export` (see `database.py`) to `$XDG_CACHE_HOME/relations/` (default
`~/.cache/relations/`), one file per dataset path. Later queries read only the rows they may
match: kinds, categories, agreement types and dates are conditions on indexed columns, an id is
one row, and search words go through the FTS5 index; `query.run` then checks each candidate
exactly, so the answer is the same as from the file. Sources and actors are read whole.

A store is keyed by the dataset's resolved path, size, modification and change times (ns), inode,
device, the tool's version and the schema version, kept inside it. It is built in a temporary file
beside its final name and renamed into place. A stale, corrupt (not a database, truncated, other
tables, failing reads, impossible values) or foreign store is a miss: the file is read afresh and the
store rebuilt. A store location that cannot be written just means no store; standard input and a
file modified within RACY_SECONDS are never stored.
"""

from __future__ import annotations

import gc
import json
import os
import stat
import sys
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import date, timedelta
from pathlib import Path

from relations_cli import __version__
from relations_cli.database import FIRST_DAY, LONG_SPAN_DAYS, SCHEMA_VERSION, fts_query
from relations_cli.dataset import STDIN, build, load, parse_toml, printable, read_text
from relations_cli.model import (
    AGREEMENT_STATUSES,
    AGREEMENT_TYPES,
    AID_STATUSES,
    CATEGORIES,
    COUNT_QUALIFIERS,
    KINDS,
    Actor,
    Agreement,
    Aid,
    Citation,
    Dataset,
    Dispute,
    Event,
    FuzzyDate,
    Place,
    Reading,
    Record,
    Role,
    Source,
    known_currency,
    parse_date,
    parse_point,
)
from relations_cli.query import remember_text

TYPE_CHECKING = False  # `typing` costs milliseconds at start-up; only the type checker needs it here
if TYPE_CHECKING:
    import sqlite3
    from typing import Any

    from relations_cli.query import Query

# Bump when the layout of store files changes; older stores then read as stale.
CACHE_SCHEMA = SCHEMA_VERSION
# Files smaller than this are read directly (a hand-written toy file is not worth a store).
MIN_CACHE_BYTES = 4 * 1024
# A file modified this recently is not stored: a second edit within the same tick of a coarse
# file-system clock would keep size and times, and the store could not see it.
RACY_SECONDS = 2.0
# On a terminal, a load that takes longer than this says what it is reading.
PROGRESS_AFTER = 0.5
SUFFIX = ".sqlite3"

_EVENT_CATEGORIES = frozenset(CATEGORIES["event"])
_AID_CATEGORIES = frozenset(CATEGORIES["aid"])
_AGREEMENT_CATEGORIES = frozenset(CATEGORIES["agreement"])
_AGREEMENT_TYPES = frozenset(AGREEMENT_TYPES)
_COUNT_QUALIFIERS = frozenset(COUNT_QUALIFIERS)
_AGREEMENT_STATUSES = frozenset(AGREEMENT_STATUSES)
_AID_STATUSES = frozenset(AID_STATUSES)
_MAGIC = b"SQLite format 3\x00"


class Candidates:
    """Part of a dataset for one query: every record that may match it, and how many of its kinds there are.

    `dataset` has all the sources, actors and meta but only candidate records: run the query on them
    to get the matches. `total` counts every record of the query's kinds in the whole file. (A plain
    class: a dataclass costs about a millisecond of start-up to create.)
    """

    __slots__ = ("dataset", "known", "shown", "total")

    def __init__(
        self, dataset: Dataset, total: int, known: list[str] | None = None, shown: dict[str, bytes] | None = None
    ) -> None:
        """Keep the candidate dataset, the total and, when a record asked for by id is missing, every id.

        `shown`: each candidate's JSON members as the store keeps them (see `render.json_members`), in
        UTF-8, by record id, when they were asked for and read from a store.
        """
        self.dataset = dataset
        self.total = total
        self.known = known
        self.shown = shown

    def __repr__(self) -> str:
        """Show the counts, not every record."""
        return f"Candidates({len(self.dataset.records())} records of {self.total})"


class _Stale(Exception):
    """The store does not hold what this version would write for this dataset file."""


def cache_dir() -> Path | None:
    """Where stores live: `$XDG_CACHE_HOME/relations`, else `~/.cache/relations`; None without a home."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not Path(base).is_absolute():  # the XDG spec says to ignore a relative path
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError, OSError):
            return None
    return Path(base) / "relations"


def cache_path(resolved: str) -> Path | None:
    """The store for the dataset at this resolved path (one file per path, whatever its version)."""
    directory = cache_dir()
    if directory is None:
        return None
    raw = os.fsencode(resolved)
    return directory / f"{zlib.crc32(raw):08x}{zlib.adler32(raw):08x}{SUFFIX}"


# ---------------------------------------------------------------------------
# The API the runtime uses
# ---------------------------------------------------------------------------


def load_cached(path: Path, *, use_cache: bool = True) -> Dataset:
    """Load and validate the whole dataset at `path`, through the store unless `use_cache` is False."""
    return _load(path, use_cache, _Whole()).dataset


def load_candidates(
    path: Path, query: Query, *, use_cache: bool = True, shown: bool = False, undated: bool = False
) -> Candidates:
    """The records of `path` that may match `query`, and how many records of its kinds there are.

    From a store only the rows its indexed conditions select are read; otherwise the whole file is
    loaded. Either way, `run(candidates.dataset.records(), query)` gives what it gives on the whole dataset.
    With `shown`, a store also gives each candidate's JSON as printed (`Candidates.shown`); with
    `undated`, a store gives only undated candidates (the whole file still gives every record).
    """
    return _load(path, use_cache, _Matching(query, shown, undated))


def load_record(path: Path, ident: str, *, use_cache: bool = True) -> Candidates:
    """The dataset with only the record `ident`; when there is none, no record and `known` lists every id.

    From a store this reads one row (and, only when the id is missing, the ids).
    """
    return _load(path, use_cache, _One(ident))


@contextmanager
def opened(path: Path, *, use_cache: bool = True) -> Iterator[sqlite3.Connection | None]:
    """A read-only connection to the fresh store of `path`, or None when there is none (a load builds it)."""
    connection = None
    if use_cache and str(path) != STDIN:
        import sqlite3

        with suppress(OSError, RuntimeError, ValueError, _Stale, sqlite3.Error):
            located = _locate(path)
            if located is not None:
                connection = _open(*located)
    try:
        yield connection
    finally:
        if connection is not None:
            connection.close()


# ---------------------------------------------------------------------------
# What a load reads: the whole dataset, a query's candidates, one record, or only ids
# ---------------------------------------------------------------------------


class _Want:
    """What to read from a store, and how to pick the same from a whole dataset."""

    kinds: tuple[str, ...] = KINDS
    shown = False  # whether to read each record's JSON members (`shown`) too
    words = False  # whether to read each record's searched words (`words`) too

    def columns(self) -> str:
        """The columns rows() gives: payload and CRC-32, then `shown` and `words` if asked for, each with its CRC-32."""
        shown = ["CAST(shown AS BLOB), shown_crc"] if self.shown else []  # as bytes: printed as they are
        return ", ".join(["payload, crc", *shown, *(["words, words_crc"] if self.words else [])])

    def rows(self, connection: sqlite3.Connection) -> list[Any]:
        """The payloads to decode, with their CRC-32, in file order."""
        return connection.execute(f"SELECT {self.columns()} FROM store_records ORDER BY rid").fetchall()

    def pick(self, dataset: Dataset) -> Candidates:
        """The same selection from a whole dataset (no store)."""
        kinds = self.kinds
        return Candidates(dataset, sum(1 for r in dataset.records() if r.kind in kinds))

    def missing(self, connection: sqlite3.Connection, found: int) -> list[str] | None:
        """What `Candidates.known` holds after reading `found` records from a store."""
        return None


class _Whole(_Want):
    """Every record."""


class _Matching(_Want):
    """The candidates of a query."""

    def __init__(self, query: Query, shown: bool = False, undated: bool = False) -> None:
        """Keep the query and what else to read: JSON members, words (for a search), only undated records."""
        self.query = query
        self.kinds = query.kinds
        self.shown = shown
        self.words = bool(query.text)
        self.undated = undated

    def rows(self, connection: sqlite3.Connection) -> list[Any]:
        """The payloads of the rows the query's indexed conditions select."""
        where, params = conditions(self.query)
        if self.undated:  # an undated record's span is NULL, and it is not long: found through the span index
            where = " AND ".join(w for w in (where, "long = 0 AND first_day IS NULL") if w)
        query = self.query
        # Without statistics SQLite picks the kind index for a dated query and reads every record of
        # the kind (45 ms at 100,000 records); the span index finds the same rows in about 1 ms. Not
        # forced when search words or a source may select fewer rows through their own lookups.
        span = query.dated and not query.text and not query.source
        table = "store_records INDEXED BY store_records_first_day" if span else "store_records"
        sql = f"SELECT {self.columns()} FROM {table}" + (f" WHERE {where}" if where else "") + " ORDER BY rid"
        return connection.execute(sql, params).fetchall()


class _One(_Want):
    """One record by id."""

    def __init__(self, ident: str) -> None:
        """Keep the id."""
        self.ident = ident

    def rows(self, connection: sqlite3.Connection) -> list[Any]:
        """The record's payload, if there is one."""
        return connection.execute("SELECT payload, crc FROM store_records WHERE id = ?", (self.ident,)).fetchall()

    def pick(self, dataset: Dataset) -> Candidates:
        """The dataset with only that record, or every id when it is missing."""
        records = dataset.records()
        chosen = [r for r in records if r.id == self.ident]
        return Candidates(_only(dataset, chosen), len(records), None if chosen else [r.id for r in records])

    def missing(self, connection: sqlite3.Connection, found: int) -> list[str] | None:
        """Every id, when the record was not found."""
        if found:
            return None
        return [_text(i) for (i,) in connection.execute("SELECT id FROM store_records ORDER BY rid")]


def _only(dataset: Dataset, records: list[Record]) -> Dataset:
    """A dataset with the same sources, actors and meta and only these records."""
    return Dataset(
        dataset.path,
        dataset.sources,
        tuple(r for r in records if isinstance(r, Event)),
        tuple(r for r in records if isinstance(r, Aid)),
        tuple(r for r in records if isinstance(r, Agreement)),
        dataset.meta,
        dataset.actors,
    )


def conditions(query: Query) -> tuple[str, list[Any]]:
    """The SQL conditions on `store_records` that every record matching `query` meets, and their parameters.

    Kinds, categories, agreement types, years, `--from`/`--to`, `--source` and search words; the
    other filters are left to `query.run`. A record's `first_day`/`last_day` are its effective span.
    """
    where: list[str] = []
    params: list[Any] = []

    def among(column: str, values: tuple[str, ...]) -> None:
        """`column IN (values)`."""
        where.append(f"{column} IN ({', '.join('?' * len(values))})")
        params.extend(values)

    def overlap(ranges: list[tuple[date, date]]) -> None:
        """The effective span shares a day with any of the ranges (a record spanning long is looked up apart)."""
        overlaps = []
        for low, high in ranges:
            try:
                earliest = (low - timedelta(days=LONG_SPAN_DAYS)).isoformat()
            except OverflowError:
                earliest = FIRST_DAY
            overlaps.append(
                "(long = 0 AND first_day BETWEEN ? AND ? AND last_day >= ?) "
                "OR (long = 1 AND first_day <= ? AND last_day >= ?)"
            )
            params.extend([earliest, high.isoformat(), low.isoformat(), high.isoformat(), low.isoformat()])
        where.append("(" + " OR ".join(overlaps) + ")")

    if set(query.kinds) != set(KINDS):
        among("kind", tuple(query.kinds))
    if query.categories:
        among("category", query.categories)
    if query.types:
        among("type", query.types)
    if query.years:
        overlap([(date(y, 1, 1), date(y, 12, 31)) for y in sorted(set(query.years))])
    if query.date_from is not None or query.date_to is not None:
        overlap([(query.date_from or date.min, query.date_to or date.max)])
    if query.source:
        where.append("id IN (SELECT record_id FROM citations WHERE source = ?)")
        params.append(query.source)
    match = fts_query(query.text) if query.text else None
    if match is not None:
        where.append("rid IN (SELECT rowid FROM records_fts WHERE records_fts MATCH ?)")
        params.append(match)
    return " AND ".join(where), params


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------


def _locate(path: Path) -> tuple[Path, dict[str, Any]] | None:
    """The store file of a dataset and the key it must hold, or None when the file is not one to store."""
    if str(path) == STDIN:
        return None
    info = Path(path).stat()
    resolved = os.fspath(Path(path).resolve())
    target = cache_path(resolved)
    if target is None or not stat.S_ISREG(info.st_mode) or info.st_size < MIN_CACHE_BYTES:
        return None
    return target, _key(resolved, info)


def _load(path: Path, use_cache: bool, want: _Want) -> Candidates:
    """Load through the store where it is usable and fresh, else from the file (then store it)."""
    with _progress(path), _no_gc():
        if not use_cache:
            return _everything(load(path), want)
        try:
            located = _locate(path)
        except (OSError, RuntimeError, ValueError):
            return _everything(load(path), want)  # load raises the DatasetError saying what is wrong
        if located is None:
            return _everything(load(path), want)
        target, key = located
        name = str(path)
        found = _read(target, key, name, want)
        if found is not None:
            return found
        dataset = build(parse_toml(read_text(Path(path)), name), name)
        info = Path(path).stat()
        if time.time() - info.st_mtime >= RACY_SECONDS and _key(key["path"], info) == key:
            if _LATER:
                _PENDING.append((target, key, dataset))
            else:
                _write(target, key, dataset)
        return _everything(dataset, want)


def _everything(dataset: Dataset, want: _Want) -> Candidates:
    """What `want` asks for, from a whole dataset."""
    return want.pick(dataset)


def _key(resolved: str, info: os.stat_result) -> dict[str, Any]:
    """What a store must have been written for: this file, as it is now, by this version."""
    return {
        "format": "relations-store",
        "schema": CACHE_SCHEMA,
        "version": __version__,
        "path": resolved,
        "size": info.st_size,
        "mtime_ns": info.st_mtime_ns,
        "ctime_ns": info.st_ctime_ns,
        "inode": info.st_ino,
        "device": info.st_dev,
    }


def _key_text(key: dict[str, Any]) -> str:
    """A key as the text kept in the store."""
    return json.dumps(key, sort_keys=True, separators=(",", ":"))


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: loading makes millions of objects and no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def _progress(path: Path) -> Iterator[None]:
    """On a terminal, say once what is being read if loading takes longer than PROGRESS_AFTER seconds."""
    stream = sys.stderr
    try:
        interactive = stream is not None and stream.isatty()
    except (ValueError, OSError):
        interactive = False
    if not interactive:
        yield
        return
    import threading

    try:
        size = f" ({Path(path).stat().st_size / 1e6:.1f} MB)"
    except (OSError, ValueError):
        size = ""

    def show() -> None:
        """Print the progress line."""
        with suppress(OSError, ValueError):
            stream.write(f"relations: reading {printable(str(path))}{size}...\n")
            stream.flush()

    timer = threading.Timer(PROGRESS_AFTER, show)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------

# Whether new stores wait for `write_pending` (the console entry point asks for it), and those waiting.
_LATER: list[bool] = []
_PENDING: list[tuple[Path, dict[str, Any], Dataset]] = []


def build_later() -> None:
    """From now on, a store this process would build waits for `write_pending` instead of delaying the answer."""
    _LATER.append(True)


def write_pending() -> None:
    """Write the stores left for later, in a detached child process where there is `fork`, so the command ends now.

    The child has no terminal and no pipe of the command's (stdin, stdout and stderr are /dev/null), so
    a reader of the output is never kept waiting; it builds each store as `_write` does and exits.
    """
    pending = _PENDING[:]
    _PENDING.clear()
    if not pending:
        return
    fork = getattr(os, "fork", None)
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError, AttributeError):
            stream.flush()
    try:
        child = fork() if fork is not None else None
    except OSError:
        child = None
    if child is None:  # no fork here: write them now
        for target, key, dataset in pending:
            _write(target, key, dataset)
        return
    if child:
        return
    try:  # the child: detach, build, and leave without running anything of the parent's
        with suppress(OSError):
            os.setsid()
            devnull = os.open(os.devnull, os.O_RDWR)
            for descriptor in (0, 1, 2):
                os.dup2(devnull, descriptor)
        for target, key, dataset in pending:
            _write(target, key, dataset)
    finally:
        os._exit(0)


def _write(target: Path, key: dict[str, Any], dataset: Dataset) -> None:
    """Build the store in a temporary file beside `target`, then rename it into place; on any failure, skip it."""
    import sqlite3

    from relations_cli.database import create, fill

    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    written = False
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with suppress(FileNotFoundError):
            temporary.unlink()
        os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        connection = sqlite3.connect(temporary, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode = OFF")
            connection.execute("PRAGMA synchronous = OFF")
            # A record's row holds a few KB of text (payload, printed JSON, words): on 16 KiB pages it
            # seldom needs a chain of overflow pages, and a search printing thousands reads faster.
            connection.execute("PRAGMA page_size = 16384")
            create(connection)
            connection.execute("BEGIN")
            fill(connection, dataset, dataset.records(), dict(dataset.meta))
            counts = {kind: 0 for kind in KINDS}
            for record in dataset.records():
                counts[record.kind] += 1
            connection.execute("INSERT INTO store_key VALUES (?)", (_key_text({**key, "counts": counts}),))
            connection.execute("COMMIT")
            connection.execute("ANALYZE")
        finally:
            connection.close()
        temporary.replace(target)
        written = True
    except (OSError, sqlite3.Error, ValueError):
        pass
    finally:
        if not written:
            with suppress(OSError):
                temporary.unlink()


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def _check_file(target: Path) -> None:
    """A whole SQLite file: its header's magic, and its size what the header says (not truncated)."""
    with target.open("rb") as handle:
        header = handle.read(100)
        size = os.fstat(handle.fileno()).st_size
    if len(header) < 100 or not header.startswith(_MAGIC):
        raise _Stale
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if header[24:28] != header[92:96] or pages * page_size != size:
        raise _Stale


def _open(target: Path, key: dict[str, Any]) -> sqlite3.Connection:
    """A read-only connection to a store written for `key`, its tables checked; raises _Stale otherwise."""
    import sqlite3

    _check_file(target)
    name = os.fspath(target).replace("%", "%25").replace("?", "%3f").replace("#", "%23")  # urllib costs 3 ms
    uri = f"file:{name}?mode=ro&immutable=1"
    connection = sqlite3.connect(uri, uri=True)
    try:
        stored = connection.execute("SELECT key FROM store_key").fetchall()
        if len(stored) != 1 or type(stored[0][0]) is not str:
            raise _Stale
        found = json.loads(stored[0][0])
        if type(found) is not dict:
            raise _Stale
        counts = found.pop("counts", None)
        if found != key or type(counts) is not dict:
            raise _Stale
        names = connection.execute("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%'").fetchall()
        if frozenset(name for (name,) in names) != _objects():
            raise _Stale
    except BaseException:
        connection.close()
        raise
    connection.row_factory = None
    _COUNTS[id(connection)] = counts
    return connection


_COUNTS: dict[int, dict[str, Any]] = {}
_EXPECTED: list[frozenset[str]] = []


def _objects() -> frozenset[str]:
    """The names a store's schema holds (computed once per process)."""
    if not _EXPECTED:
        from relations_cli.database import schema_objects

        _EXPECTED.append(schema_objects())
    return _EXPECTED[0]


def _read(target: Path, key: dict[str, Any], name: str, want: _Want) -> Candidates | None:
    """What `want` asks for from the store written for `key`, or None when there is none fit to use."""
    import sqlite3

    try:
        connection = _open(target, key)
    except (OSError, _Stale, ValueError, sqlite3.Error):
        return None
    try:
        return _decode(connection, name, want)
    except (_Stale, KeyError, IndexError, TypeError, ValueError, RecursionError, sqlite3.Error):
        return None
    finally:
        _COUNTS.pop(id(connection), None)
        connection.close()


def _decode(connection: sqlite3.Connection, name: str, want: _Want) -> Candidates:
    """Read sources, actors, meta and the wanted records; raise _Stale (or a decoding error) when anything is off."""
    counts = _COUNTS[id(connection)]
    decoder = _Decoder(connection)
    events: list[Event] = []
    aid: list[Aid] = []
    agreements: list[Agreement] = []
    shown: dict[str, bytes] | None = {} if want.shown else None
    words = want.words
    scan = json.JSONDecoder().raw_decode  # json.loads without its checks of the argument, for thousands of rows
    crc32 = zlib.crc32
    for cells in want.rows(connection):
        text = cells[0]
        if type(text) is not str or crc32(text.encode("utf-8")) != cells[1]:
            raise _Stale
        row, end = scan(text, 0)
        if type(row) is not list or end != len(text):
            raise _Stale
        length = len(row)
        record: Record
        if length == 13:
            record = decoder.event(row)
            events.append(record)
        elif length == 18:
            record = decoder.aid(row)
            aid.append(record)
        elif length == 16:
            record = decoder.agreement(row)
            agreements.append(record)
        else:
            raise _Stale
        if shown is not None:
            members = cells[2]
            if type(members) is not bytes or crc32(members) != cells[3]:
                raise _Stale
            shown[record.id] = members
        if words:
            spaced = cells[-2]
            if type(spaced) is not str or crc32(spaced.encode("utf-8")) != cells[-1]:
                raise _Stale
            remember_text(record, spaced)
    if not decoder.ids.isdisjoint(decoder.sources) or not decoder.ids.isdisjoint(decoder.actor_ids):
        raise _Stale  # ids are unique across the file
    total = 0
    for kind in want.kinds:
        value = counts.get(kind)
        if type(value) is not int:
            raise _Stale
        total += value
    dataset = Dataset(
        name, decoder.source_list, tuple(events), tuple(aid), tuple(agreements), decoder.meta, decoder.actor_list
    )
    return Candidates(dataset, total, want.missing(connection, len(decoder.ids)), shown)


class _Decoder:
    """Rebuilds sources, actors and records from a store's rows, checking every value it takes."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        """Read and check meta, sources and actors."""
        self.citations: dict[tuple[Any, Any, type], Citation] = {}
        self.meta = tuple(
            (_text(k), _text(v)) for k, v in connection.execute("SELECT key, value FROM meta ORDER BY rowid")
        )
        self.source_list = tuple(
            Source(_text(r[0]), _text(r[1]), _names(json.loads(_text(r[2]))), *(_optional(v) for v in r[3:]))
            for r in connection.execute(
                "SELECT id, title, authors, published, file, publisher, url, language, kind, notes "
                "FROM sources ORDER BY rowid"
            )
        )
        for source in self.source_list:
            if source.published is not None:
                parse_point(source.published)  # a malformed date raises ValueError
        self.sources = {s.id for s in self.source_list}
        if len(self.sources) != len(self.source_list):
            raise _Stale
        roles: dict[str, list[Role]] = {}
        for row in connection.execute(
            "SELECT actor_id, title, of, of_name, date_from, date_to, reported_until, sources FROM roles "
            "ORDER BY actor_id, position"
        ):
            roles.setdefault(_text(row[0]), []).append(self._role(row))
        self.actor_list = tuple(
            Actor(
                id=_text(r[0]),
                name=_text(r[1]),
                kind=_text(r[2]),
                country=_optional(r[3]),
                aliases=_names(json.loads(_text(r[4]))),
                roles=tuple(roles.pop(r[0], ())),
            )
            for r in connection.execute("SELECT id, name, kind, country, aliases FROM actors ORDER BY rowid")
        )
        self.actor_ids = {a.id for a in self.actor_list}
        if roles or len(self.actor_ids) != len(self.actor_list) or not self.actor_ids.isdisjoint(self.sources):
            raise _Stale
        self.dates: dict[str, FuzzyDate] = {}
        self.ids: set[str] = set()

    def _role(self, row: Any) -> Role:
        """A role from its row."""
        _, title, of, of_name, start, end, reported, sources = row
        cited = json.loads(_text(sources))
        if type(cited) is not list or any(type(c) is not dict for c in cited):
            raise _Stale
        flat = [x for c in cited for x in (c["source"], c["paragraph"])]
        return Role(
            title=_text(title),
            of=_text(of),
            start=None if start is None else parse_point(_text(start)),
            end=None if end is None else parse_point(_text(end)),
            sources=self._cited(flat) if flat else (),
            of_name=_text(of_name),
            reported_until=_day(reported),
        )

    def _cited(self, flat: Any) -> tuple[Citation, ...]:
        """Citations from a flat `[source, paragraph, ...]` list, each naming a known source.

        Each distinct citation is checked and made once per read (records share their sources), and
        values are immutable, so records may share it.
        """
        if type(flat) is not list or not flat or len(flat) % 2:
            raise _Stale
        made = self.citations
        found = []
        for source, paragraph in zip(flat[::2], flat[1::2], strict=True):
            key = (source, paragraph, type(paragraph))  # True and 1.0 equal 1, but are not paragraphs
            try:
                citation = made.get(key)
            except TypeError:  # an unhashable cell
                raise _Stale from None
            if citation is None:
                if type(source) is not str or source not in self.sources:
                    raise _Stale
                if paragraph is not None and (type(paragraph) is not int or paragraph < 1):
                    raise _Stale
                citation = made[key] = Citation(source, paragraph)
            found.append(citation)
        return tuple(found)

    def _disputes(self, rows: Any) -> tuple[Dispute, ...]:
        """A record's disputes from their rows (null when it has none)."""
        if rows is None:
            return ()
        disputes = []
        for row in _rows(rows):
            field, note, readings = _row(row, 3)
            cells = [_row(r, 2) for r in _rows(readings)]
            disputes.append(
                Dispute(_text(field), tuple(Reading(_text(v), self._cited(f)) for v, f in cells), _optional(note))
            )
        return tuple(disputes)

    def _date(self, text: Any) -> FuzzyDate | None:
        """A date from its text (each distinct text parsed once)."""
        if text is None:
            return None
        found = self.dates.get(text)
        if found is None:
            found = self.dates[_text(text)] = parse_date(text)
        return found

    def _check(self, row: list[Any], categories: frozenset[str]) -> list[Any]:
        """A record's row with the fields every record has checked: strings, a known category, a fresh id."""
        ident, _, category, title, summary, _, notes = row[:7]
        if (
            type(ident) is not str
            or type(title) is not str
            or type(summary) is not str
            or type(category) is not str
            or category not in categories
            or (notes is not None and type(notes) is not str)
            or ident in self.ids
        ):
            raise _Stale
        self.ids.add(ident)
        return row

    def common(self, r: list[Any]) -> dict[str, Any]:
        """The fields every kind of record has, from the first ten cells of a checked row."""
        return {
            "id": r[0],
            "date": self._date(r[1]),
            "category": r[2],
            "title": r[3],
            "summary": r[4],
            "sources": self._cited(r[5]),
            "notes": r[6],
            "aliases": _names(r[7]),
            "disputes": self._disputes(r[8]),
            "reported_until": _day(r[9]),
        }

    def _refs(self, value: Any) -> tuple[str, ...]:
        """A list of actor ids, each a defined actor."""
        ids = _names(value)
        if not self.actor_ids.issuperset(ids):
            raise _Stale
        return ids

    def _ref(self, value: Any) -> str:
        """One actor id, a defined actor."""
        if type(value) is not str or value not in self.actor_ids:
            raise _Stale
        return value

    def event(self, row: list[Any]) -> Event:
        """An event from its row."""
        r = self._check(row, _EVENT_CATEGORIES)
        place = r[12]
        if place is not None:
            country, city = _row(place, 2)
            place = Place(_text(country), _optional(city))
        return Event(**self.common(r), actors=self._refs(r[10]), actor_names=_names(r[11]), place=place)

    def aid(self, row: list[Any]) -> Aid:
        """An aid record from its row."""
        r = self._check(row, _AID_CATEGORIES)
        amount, currency = r[13], r[14]
        if amount is not None and (type(amount) is not int or amount <= 0):
            raise _Stale
        if currency is not None and (type(currency) is not str or not known_currency(currency)):
            raise _Stale
        status = r[17]
        if status is not None and (type(status) is not str or status not in _AID_STATUSES):
            raise _Stale
        return Aid(
            **self.common(r),
            donor=self._ref(r[10]),
            recipient=self._ref(r[11]),
            purpose=_text(r[12]),
            amount=amount,
            currency=currency,
            donor_name=_text(r[15]),
            recipient_name=_text(r[16]),
            status=status,
        )

    def agreement(self, row: list[Any]) -> Agreement:
        """An agreement from its row."""
        r = self._check(row, _AGREEMENT_CATEGORIES)
        kind, count, qualifier, status = r[10], r[12], r[13], r[15]
        if type(kind) is not str or kind not in _AGREEMENT_TYPES:
            raise _Stale
        if count is not None and (type(count) is not int or count < 0):
            raise _Stale
        if qualifier is not None and (type(qualifier) is not str or qualifier not in _COUNT_QUALIFIERS):
            raise _Stale
        if status is not None and (type(status) is not str or status not in _AGREEMENT_STATUSES):
            raise _Stale
        return Agreement(
            **self.common(r),
            type=kind,
            parties=self._refs(r[11]),
            party_names=_names(r[14]),
            status=status,
            count=count,
            count_qualifier=qualifier,
        )


def _rows(value: Any) -> list[Any]:
    """A list of rows, or stale."""
    if type(value) is not list:
        raise _Stale
    return value


def _row(value: Any, length: int) -> list[Any]:
    """A row of exactly `length` cells, or stale."""
    if type(value) is not list or len(value) != length:
        raise _Stale
    return value


def _text(value: Any) -> str:
    """A string, or stale."""
    if type(value) is not str:
        raise _Stale
    return value


def _optional(value: Any) -> str | None:
    """A string or None, or stale."""
    if value is not None and type(value) is not str:
        raise _Stale
    return value


def _day(value: Any) -> date | None:
    """An ISO date or None, or stale."""
    if value is None:
        return None
    return date.fromisoformat(_text(value))


def _names(value: Any) -> tuple[str, ...]:
    """A list of strings as a tuple, or stale."""
    if type(value) is not list or any(type(v) is not str for v in value):
        raise _Stale
    return tuple(value)
