"""Loading a dataset through a cache of its validated records in the user's cache directory.

The first query of a file parses and validates its TOML, then writes the normalised records as
JSON to `$XDG_CACHE_HOME/relations/` (default `~/.cache/relations/`), one file per dataset path.
Later queries read that JSON, many times faster than parsing TOML, and a query that names kinds
or years decodes only the records that may match (`load_candidates`). JSON holds data, never code.

A cache file is keyed by the dataset's resolved path, size, modification and change times (ns),
inode and the tool's version, and carries a checksum of everything after its first line. A stale,
corrupt, foreign or tampered cache is a miss: the file is read afresh and the cache rewritten.
Records read from a cache are checked for type and cross-references, so a cache cannot make the
tool crash. A cache location that cannot be written just means no cache.

Layout, one JSON document a line:

1. header: the key, `crc32` of the rest of the file, and the number of records of each kind;
2. index: for each kind, the byte range of its rows and each row's date (an index into `dates`);
3. shared: meta, sources, and the dates, citation lists and name lists records refer to by index;
4. one line per record, events first, then aid, then agreements, each kind in file order.
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
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from relations_cli import __version__
from relations_cli.dataset import build, load, parse_toml, printable, read_text
from relations_cli.model import (
    AGREEMENT_STATUSES,
    AGREEMENT_TYPES,
    CATEGORIES,
    COUNT_QUALIFIERS,
    KINDS,
    TABLE_OF_KIND,
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

if TYPE_CHECKING:
    from relations_cli.query import Query

# Bump when the layout of cache files changes; older cache files then read as stale.
CACHE_SCHEMA = 3
# Files smaller than this are read directly (a hand-written toy file is not worth a cache file).
# Measured: a 3 kB file loads in 0.3 ms from the cache against 1 ms parsed (plus 3 ms to import
# tomllib); the bundled 47 kB file in 0.9 ms against 8.7 ms.
MIN_CACHE_BYTES = 4 * 1024
# A file modified this recently is not cached: a second edit within the same tick of a coarse
# file-system clock would keep size and times, and the cache could not see it.
RACY_SECONDS = 2.0
# On a terminal, a load that takes longer than this says what it is reading.
PROGRESS_AFTER = 0.5

_TABLES = ("events", "aid", "agreements")
_EVENT_CATEGORIES = frozenset(CATEGORIES["event"])
_AID_CATEGORIES = frozenset(CATEGORIES["aid"])
_AGREEMENT_CATEGORIES = frozenset(CATEGORIES["agreement"])
_AGREEMENT_TYPES = frozenset(AGREEMENT_TYPES)
_COUNT_QUALIFIERS = frozenset(COUNT_QUALIFIERS)
_AGREEMENT_STATUSES = frozenset(AGREEMENT_STATUSES)
_ROW = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), check_circular=False).encode


class Candidates:
    """Part of a dataset for one query: every record that may match it, and how many of its kinds there are.

    `dataset` has all the sources and meta but only candidate records: run the query on them to get
    the matches. `total` counts every record of the query's kinds in the whole file. (A plain class:
    a dataclass costs about a millisecond of start-up to create.)
    """

    __slots__ = ("dataset", "total")

    def __init__(self, dataset: Dataset, total: int) -> None:
        """Keep the candidate dataset and the total."""
        self.dataset = dataset
        self.total = total

    def __repr__(self) -> str:
        """Show the counts, not every record."""
        return f"Candidates({len(self.dataset.records())} records of {self.total})"


class _Stale(Exception):
    """The cache file does not hold what this version would write for this dataset file."""


def cache_dir() -> Path | None:
    """Where cache files live: `$XDG_CACHE_HOME/relations`, else `~/.cache/relations`; None without a home."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not Path(base).is_absolute():  # the XDG spec says to ignore a relative path
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError, OSError):
            return None
    return Path(base) / "relations"


def cache_path(resolved: str) -> Path | None:
    """The cache file for the dataset at this resolved path (one file per path, whatever its version)."""
    directory = cache_dir()
    if directory is None:
        return None
    raw = os.fsencode(resolved)
    return directory / f"{zlib.crc32(raw):08x}{zlib.adler32(raw):08x}.json"


def load_cached(path: Path, *, use_cache: bool = True) -> Dataset:
    """Load and validate the whole dataset at `path`, through the cache unless `use_cache` is False."""
    return _load(path, use_cache, None).dataset


def load_candidates(path: Path, query: Query, *, use_cache: bool = True) -> Candidates:
    """The records of `path` that may match `query` (of its kinds, overlapping its years), and the total.

    From a cache only those records are decoded; otherwise the whole file is loaded. Either way,
    `run(candidates.dataset.records(), query)` gives exactly what it gives on the whole dataset.
    """
    return _load(path, use_cache, query)


def _load(path: Path, use_cache: bool, query: Query | None) -> Candidates:
    """Load through the cache where it is usable and fresh, else from the file (then cache it)."""
    with _progress(path), _no_gc():
        if not use_cache:
            return _everything(load(path), query)
        try:
            info = Path(path).stat()
            resolved = os.fspath(Path(path).resolve())
        except (OSError, RuntimeError, ValueError):
            return _everything(load(path), query)  # load raises the DatasetError saying what is wrong
        target = cache_path(resolved)
        if target is None or not stat.S_ISREG(info.st_mode) or info.st_size < MIN_CACHE_BYTES:
            return _everything(load(path), query)
        key = _key(resolved, info)
        name = str(path)
        cached = _read(target, key, name, query)
        if cached is not None:
            return cached
        dataset = build(parse_toml(read_text(Path(path)), name), name)
        if time.time() - info.st_mtime >= RACY_SECONDS:
            _write(target, key, dataset)
        return _everything(dataset, query)


def _everything(dataset: Dataset, query: Query | None) -> Candidates:
    """A whole dataset as the candidates of a query."""
    kinds = KINDS if query is None else query.kinds
    return Candidates(dataset, sum(1 for r in dataset.records() if r.kind in kinds))


def _key(resolved: str, info: os.stat_result) -> dict[str, Any]:
    """What a cache file must have been written for: this file, as it is now, by this version."""
    return {
        "format": "relations-cache",
        "schema": CACHE_SCHEMA,
        "version": __version__,
        "path": resolved,
        "size": info.st_size,
        "mtime_ns": info.st_mtime_ns,
        "ctime_ns": info.st_ctime_ns,
        "inode": info.st_ino,
        "device": info.st_dev,
    }


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


def _write(target: Path, key: dict[str, Any], dataset: Dataset) -> None:
    """Write the cache file atomically (a temporary file, then a rename); on any OS error, skip it."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    written = False
    try:
        body = _encode(dataset)
        counts = {table: len(getattr(dataset, table)) for table in _TABLES}
        header = _ROW({**key, "crc32": zlib.crc32(body), "counts": counts}).encode("ascii")
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(header + b"\n")
            out.write(body)
        temporary.replace(target)
        written = True
    except (OSError, ValueError):
        pass
    finally:
        if not written:
            with suppress(OSError):
                temporary.unlink()


class _Shared:
    """Values many records repeat (dates, citation lists, name lists), each stored once and referred to by index."""

    def __init__(self) -> None:
        """Start empty."""
        self.index: dict[Any, int] = {}
        self.values: list[Any] = []

    def ref(self, key: Any, value: Any) -> int:
        """The index of a value, adding it on first sight; `key` is a hashable form of it."""
        found = self.index.get(key)
        if found is None:
            found = self.index[key] = len(self.values)
            self.values.append(value)
        return found


def _encode(dataset: Dataset) -> bytes:
    """Everything after the header line: the index, the shared values and one line per record."""
    dates, citations, names = _Shared(), _Shared(), _Shared()

    def common(r: Record) -> list[Any]:
        """The fields every record has, in a fixed order."""
        flat = _flat(r.sources)
        return [
            r.id,
            None if r.date is None else dates.ref(r.date.text, r.date.text),
            r.category,
            r.title,
            r.summary,
            citations.ref(tuple(flat), flat),
            r.notes,
            names.ref(r.aliases, list(r.aliases)),
            [[d.field, d.note, [[g.value, _flat(g.sources)] for g in d.readings]] for d in r.disputes] or None,
            None if r.reported_until is None else r.reported_until.isoformat(),
        ]

    def listed(values: tuple[str, ...]) -> int:
        """The index of a list of names."""
        return names.ref(values, list(values))

    blocks = {
        "events": [
            _ROW([*common(r), listed(r.actors), listed(r.actor_names), _place(r.place)]) for r in dataset.events
        ],
        "aid": [
            _ROW([*common(r), r.donor, r.recipient, r.purpose, r.amount, r.currency, r.donor_name, r.recipient_name])
            for r in dataset.aid
        ],
        "agreements": [
            _ROW([*common(r), r.type, listed(r.parties), r.count, r.count_qualifier, listed(r.party_names), r.status])
            for r in dataset.agreements
        ],
    }
    index: dict[str, Any] = {}
    offset = 0
    for table in _TABLES:
        block = "\n".join(blocks[table])
        records: tuple[Record, ...] = getattr(dataset, table)
        refs = [None if r.date is None else dates.index[r.date.text] for r in records]
        index[table] = [offset, offset + len(block), refs]
        offset += len(block) + 1
    shared = {
        "meta": [list(pair) for pair in dataset.meta],
        "sources": [
            [s.id, s.title, list(s.authors), s.published, s.file, s.publisher, s.url, s.language, s.kind, s.notes]
            for s in dataset.sources
        ],
        "actors": [
            [a.id, a.name, a.kind, a.country, list(a.aliases), [_role_row(role) for role in a.roles]]
            for a in dataset.actors
        ],
        "dates": dates.values,
        "citations": citations.values,
        "names": names.values,
    }
    rows = "\n".join("\n".join(blocks[table]) for table in _TABLES)
    return f"{_ROW(index)}\n{_ROW(shared)}\n{rows}".encode("ascii")


def _flat(citations: tuple[Citation, ...]) -> list[Any]:
    """Citations as one flat list: `[source, paragraph, ...]` (paragraph null for a page)."""
    return [x for c in citations for x in (c.source, c.paragraph)]


def _place(place: Place | None) -> list[Any] | None:
    """A place as `[country, city]`."""
    return None if place is None else [place.country, place.city]


def _role_row(role: Role) -> list[Any]:
    """A role as a row: title, of, from, to, citations, the name of `of`, last reported."""
    return [
        role.title,
        role.of,
        role.start.text if role.start else None,
        role.end.text if role.end else None,
        _flat(role.sources),
        role.of_name,
        None if role.reported_until is None else role.reported_until.isoformat(),
    ]


def _read(target: Path, key: dict[str, Any], name: str, query: Query | None) -> Candidates | None:
    """The candidates from a cache file written for `key`, or None when there is none fit to use."""
    try:
        data = target.read_bytes()
    except OSError:
        return None
    try:
        return _decode(data, key, name, query)
    except (_Stale, KeyError, IndexError, TypeError, ValueError, RecursionError):  # see _decode
        return None


def _decode(data: bytes, key: dict[str, Any], name: str, query: Query | None) -> Candidates:
    """Check a cache file against its key and checksum, then rebuild the records the query may match.

    Raises _Stale, or KeyError, IndexError, TypeError or ValueError, when anything is off.
    """
    first = data.index(b"\n")
    header = json.loads(data[:first])
    if type(header) is not dict:
        raise _Stale
    crc, counts = header.pop("crc32", None), header.pop("counts", None)
    if header != key or crc != zlib.crc32(memoryview(data)[first + 1 :]):
        raise _Stale
    second = data.index(b"\n", first + 1)
    third = data.index(b"\n", second + 1)
    index, shared = json.loads(data[first + 1 : second]), json.loads(data[second + 1 : third])
    if type(index) is not dict or type(shared) is not dict or type(counts) is not dict:
        raise _Stale
    decoder = _Decoder(shared)
    rows_start = third + 1
    kinds = KINDS if query is None else query.kinds
    low, high = _years(query)
    chosen: dict[str, list[Any]] = {}
    total = 0
    for kind in KINDS:
        table = TABLE_OF_KIND[kind]
        start, end, refs = index[table]
        if type(start) is not int or type(end) is not int or type(refs) is not list or len(refs) != counts[table]:
            raise _Stale
        if kind not in kinds:
            chosen[table] = []
            continue
        total += len(refs)
        block = data[rows_start + start : rows_start + end]
        if low is None and high is None:
            chosen[table] = json.loads(b"[" + block.replace(b"\n", b",") + b"]") if refs else []
            if len(chosen[table]) != len(refs):
                raise _Stale
            continue
        lines = block.split(b"\n") if refs else []
        if len(lines) != len(refs):
            raise _Stale
        overlapping = decoder.overlapping(low, high)
        picked = [line for line, ref in zip(lines, refs, strict=True) if overlapping[ref]]
        chosen[table] = json.loads(b"[" + b",".join(picked) + b"]")
    events = tuple(decoder.event(row) for row in chosen["events"])
    aid = tuple(decoder.aid(row) for row in chosen["aid"])
    agreements = tuple(decoder.agreement(row) for row in chosen["agreements"])
    if (
        len(decoder.ids) != len(events) + len(aid) + len(agreements)
        or not decoder.ids.isdisjoint(decoder.sources)
        or not decoder.ids.isdisjoint(decoder.actor_ids)
    ):
        raise _Stale  # ids are unique across the file
    dataset = Dataset(name, decoder.source_list, events, aid, agreements, decoder.meta, decoder.actor_list)
    return Candidates(dataset, total)


def _years(query: Query | None) -> tuple[int | None, int | None]:
    """The years a matching record must overlap, widened to one range: (None, None) when any will do."""
    if query is None:
        return None, None
    if query.years:
        return min(query.years), max(query.years)
    return query.year_from, query.year_to


class _Decoder:
    """Rebuilds records from cached rows; shared values are checked once, when first used.

    Shared values are looked up in dicts keyed by index, so an index that is out of range,
    negative or not a number raises KeyError or TypeError instead of finding something.
    """

    def __init__(self, shared: dict[str, Any]) -> None:
        """Check meta, sources and dates; keep citation and name lists to check when used."""
        self.meta = tuple((_text(k), _text(v)) for k, v in (_row(p, 2) for p in _rows(shared["meta"])))
        self.source_list = tuple(
            Source(_text(r[0]), _text(r[1]), _names(r[2]), *(_optional(v) for v in r[3:]))
            for r in (_row(p, 10) for p in _rows(shared["sources"]))
        )
        for source in self.source_list:
            if source.published is not None:
                parse_point(source.published)  # a malformed date raises ValueError
        self.sources = {s.id for s in self.source_list}
        if len(self.sources) != len(self.source_list):
            raise _Stale
        self.actor_list = tuple(self._actor(row) for row in _rows(shared["actors"]))
        self.actor_ids = {a.id for a in self.actor_list}
        if len(self.actor_ids) != len(self.actor_list) or not self.actor_ids.isdisjoint(self.sources):
            raise _Stale
        self.dates: dict[int | None, FuzzyDate | None] = {None: None}
        for number, text in enumerate(_rows(shared["dates"])):
            self.dates[number] = parse_date(_text(text))
        self._citation_rows = dict(enumerate(_rows(shared["citations"])))
        self._name_rows = dict(enumerate(_rows(shared["names"])))
        self._citations: dict[int, tuple[Citation, ...]] = {}
        self._names: dict[int, tuple[str, ...]] = {}
        self.ids: set[str] = set()

    def _actor(self, row: Any) -> Actor:
        """An actor from its row, with its roles."""
        ident, name, kind, country, aliases, roles = _row(row, 6)
        return Actor(
            id=_text(ident),
            name=_text(name),
            kind=_text(kind),
            country=_optional(country),
            aliases=_names(aliases),
            roles=tuple(self._role(r) for r in _rows(roles)),
        )

    def _role(self, row: Any) -> Role:
        """A role from its row."""
        title, of, start, end, flat, of_name, reported = _row(row, 7)
        return Role(
            title=_text(title),
            of=_text(of),
            start=None if start is None else parse_point(_text(start)),
            end=None if end is None else parse_point(_text(end)),
            sources=self._cited(flat),
            of_name=_text(of_name),
            reported_until=_day(reported),
        )

    def _cited(self, flat: Any) -> tuple[Citation, ...]:
        """Citations from a flat `[source, paragraph, ...]` list, each naming a known source."""
        if type(flat) is not list or not flat or len(flat) % 2:
            raise _Stale
        known = self.sources
        pairs = zip(flat[::2], flat[1::2], strict=True)
        found = tuple(
            Citation(s, p)
            for s, p in pairs
            if type(s) is str and s in known and (p is None or (type(p) is int and p >= 1))
        )
        if 2 * len(found) != len(flat):
            raise _Stale
        return found

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

    def overlapping(self, low: int | None, high: int | None) -> dict[int | None, bool]:
        """For each date index, whether that date overlaps the years from `low` to `high`."""
        return {ref: fuzzy is not None and fuzzy.overlaps_years(low, high) for ref, fuzzy in self.dates.items()}

    def citations(self, ref: Any) -> tuple[Citation, ...]:
        """The citation list at `ref`: `[source, paragraph, ...]`, each naming a known source."""
        found = self._citations.get(ref)
        if found is None:
            found = self._citations[ref] = self._cited(self._citation_rows[ref])
        return found

    def names(self, ref: Any) -> tuple[str, ...]:
        """The list of names at `ref`."""
        found = self._names.get(ref)
        if found is None:
            found = self._names[ref] = _names(self._name_rows[ref])
        return found

    def _check(self, row: Any, length: int, categories: frozenset[str]) -> list[Any]:
        """A record's row with the fields every record has checked: strings, a known category, a fresh id."""
        if type(row) is not list or len(row) != length:
            raise _Stale
        ident, _, category, title, summary, _, notes = row[:7]
        if (
            type(ident) is not str
            or type(title) is not str
            or type(summary) is not str
            or type(category) is not str
            or category not in categories
            or (notes is not None and type(notes) is not str)
        ):
            raise _Stale
        self.ids.add(ident)
        return row

    def common(self, r: list[Any]) -> dict[str, Any]:
        """The fields every kind of record has, from the first ten cells of a checked row."""
        return {
            "id": r[0],
            "date": self.dates[r[1]],
            "category": r[2],
            "title": r[3],
            "summary": r[4],
            "sources": self.citations(r[5]),
            "notes": r[6],
            "aliases": self.names(r[7]),
            "disputes": self._disputes(r[8]),
            "reported_until": _day(r[9]),
        }

    def _refs(self, ref: Any) -> tuple[str, ...]:
        """A list of actor ids, each a defined actor."""
        ids = self.names(ref)
        if not self.actor_ids.issuperset(ids):
            raise _Stale
        return ids

    def _ref(self, value: Any) -> str:
        """One actor id, a defined actor."""
        if type(value) is not str or value not in self.actor_ids:
            raise _Stale
        return value

    def event(self, row: Any) -> Event:
        """An event from its row."""
        r = self._check(row, 13, _EVENT_CATEGORIES)
        place = r[12]
        if place is not None:
            country, city = _row(place, 2)
            place = Place(_text(country), _optional(city))
        return Event(
            **self.common(r),
            actors=self._refs(r[10]),
            actor_names=self.names(r[11]),
            place=place,
        )

    def aid(self, row: Any) -> Aid:
        """An aid record from its row."""
        r = self._check(row, 17, _AID_CATEGORIES)
        amount, currency = r[13], r[14]
        if amount is not None and (type(amount) is not int or amount <= 0):
            raise _Stale
        if currency is not None and (type(currency) is not str or not known_currency(currency)):
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
        )

    def agreement(self, row: Any) -> Agreement:
        """An agreement from its row."""
        r = self._check(row, 16, _AGREEMENT_CATEGORIES)
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
            party_names=self.names(r[14]),
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
