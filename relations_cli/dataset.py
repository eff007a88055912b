"""Finding, parsing and validating the dataset file; every problem is collected, none is printed."""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from pathlib import Path

from relations_cli.model import (
    ACTOR_KINDS,
    AGREEMENT_STATUSES,
    AGREEMENT_TYPES,
    AID_STATUSES,
    CATEGORIES,
    COUNT_QUALIFIERS,
    COUNTRIES,
    DISPUTE_FIELDS,
    KIND_OF_TABLE,
    SOURCE_KINDS,
    Actor,
    Agreement,
    Aid,
    Citation,
    Dataset,
    DatePoint,
    Dispute,
    Event,
    FuzzyDate,
    Place,
    Reading,
    Record,
    Role,
    Source,
    Value,
    currency_problem,
    parse_date,
    parse_point,
)

TYPE_CHECKING = False  # `typing` costs milliseconds at start-up; only the type checker needs it here
if TYPE_CHECKING:
    from typing import Any

ENV_VAR = "RELATIONS_DATA"
DATA_FILE = "pakistan-azerbaijan.toml"
# Patterns are compiled on first use (the `re` module keeps them): a query answered from the
# cache never needs them, and compiling costs about a millisecond at start-up.
_SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_TOML_POSITION = r"^(?P<msg>.*?)\s*\(at line (?P<line>\d+), column (?P<col>\d+)\)$"
_TOML_AT_END = r"^(?P<msg>.*?)\s*\(at end of document\)$"
_LANGUAGE = r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$"
# A page left without `published` must say why in its notes ("the page shows no date", "undated").
_NO_DATE_NOTE = r"(?i)\bundated\b|\bnot dated\b|\bno (?:publication )?date\b|\bwithout (?:a )?date\b"
TOP_LEVEL = ("meta", "sources", "actors", "events", "aid", "agreements", "$schema")
# C0 and C1 controls, DEL and the bidi overrides: text from a file must not drive the terminal.
_UNSAFE = "[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"


def _escape(match: re.Match[str]) -> str:
    """The escape sequence for one unsafe character."""
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """Text with control and bidi characters shown as escapes (backslash-x1b), safe for a terminal."""
    return re.sub(_UNSAFE, _escape, text)


class Problem(Value):
    """One thing wrong with a dataset: where it is and what is wrong."""

    __slots__ = ("file", "message", "where")
    file: str
    where: str
    message: str

    def __init__(self, file: str, where: str, message: str) -> None:
        """A problem in a file, at a place (empty for the whole file)."""
        object.__setattr__(self, "file", file)
        object.__setattr__(self, "where", where)
        object.__setattr__(self, "message", message)

    def __str__(self) -> str:
        """Render as `file: where: message` (or `file: message` for the whole file), control characters escaped."""
        text = f"{self.file}: {self.where}: {self.message}" if self.where else f"{self.file}: {self.message}"
        return printable(text)


class DatasetError(Exception):
    """The dataset could not be read or is invalid; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        """Keep the problems; the message is all of them, one a line."""
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def bundled_path() -> Path:
    """The dataset shipped with the package (inside the wheel, or `data/` of a source checkout)."""
    here = Path(__file__).resolve().parent
    packaged = here / "data" / DATA_FILE
    if packaged.is_file():
        return packaged
    return here.parent / "data" / DATA_FILE


def resolve_path(option: str | os.PathLike[str] | None) -> Path:
    """Choose the data file: the `--data` option, then `RELATIONS_DATA`, then the bundled file."""
    if option:
        return Path(option)
    from_env = os.environ.get(ENV_VAR)
    if from_env:
        return Path(from_env)
    return bundled_path()


STDIN = "-"
SIZE_ENV_VAR = "RELATIONS_MAX_BYTES"
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
_SIZE_SUFFIXES = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}
_READ_CHUNK = 1024 * 1024


def max_bytes() -> int:
    """The largest dataset read, from `RELATIONS_MAX_BYTES` (bytes, or with a K, M or G suffix), else 512 MiB."""
    text = os.environ.get(SIZE_ENV_VAR, "").strip().upper().removesuffix("B").removesuffix("I")
    if not text:
        return DEFAULT_MAX_BYTES
    suffix = text[-1] if text[-1] in "KMG" else ""
    digits = text[: len(text) - len(suffix)]
    if not digits.isdigit() or int(digits) < 1:
        return DEFAULT_MAX_BYTES
    return int(digits) * _SIZE_SUFFIXES[suffix]


def _megabytes(size: int) -> str:
    """A size in bytes as a short, readable figure."""
    return f"{size / 1024 / 1024:.1f} MiB" if size >= 1024 * 1024 else f"{size} bytes"


def _file_kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    kinds = (
        (stat.S_ISDIR, "is a directory, not a TOML file"),
        (stat.S_ISFIFO, "is a named pipe (FIFO), not a regular file"),
        (stat.S_ISCHR, "is a character device, not a regular file"),
        (stat.S_ISBLK, "is a block device, not a regular file"),
        (stat.S_ISSOCK, "is a socket, not a regular file"),
    )
    for test, words in kinds:
        if test(mode):
            return words
    return None if stat.S_ISREG(mode) else "is not a regular file"


def _too_large(name: str, size: int, limit: int, *, exact: bool = False) -> DatasetError:
    """The error for a dataset over the size limit (its size known exactly, or only that it is larger)."""
    what = f"is {_megabytes(size)}, over" if exact else "is over"
    message = f"{what} the size limit of {_megabytes(limit)}; set {SIZE_ENV_VAR} to read larger files"
    return DatasetError([Problem(name, "", message)])


def _read_bounded(stream: Any, name: str, limit: int) -> bytes:
    """Read a binary stream in chunks, refusing it once it passes the limit."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(min(_READ_CHUNK, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise _too_large(name, total, limit)


def read_bytes(path: Path) -> bytes:
    """Read a dataset's bytes: only a regular file (or `-`, standard input), never past the size limit."""
    name = str(path)
    limit = max_bytes()
    if name == STDIN:
        return _read_bounded(sys.stdin.buffer, "<stdin>", limit)
    try:
        info = path.stat()
        what = _file_kind(info.st_mode)
        if what is not None:
            raise DatasetError([Problem(name, "", what)])
        if info.st_size > limit:
            raise _too_large(name, info.st_size, limit, exact=True)
        with path.open("rb") as stream:
            return _read_bounded(stream, name, limit)
    except FileNotFoundError:
        raise DatasetError([Problem(name, "", "no such file")]) from None
    except IsADirectoryError:
        raise DatasetError([Problem(name, "", "is a directory, not a TOML file")]) from None
    except PermissionError:
        raise DatasetError([Problem(name, "", "permission denied")]) from None
    except MemoryError:
        raise DatasetError([Problem(name, "", "not enough memory to read this file")]) from None
    except OSError as exc:
        raise DatasetError([Problem(name, "", exc.strerror or str(exc))]) from None


def read_text(path: Path) -> str:
    """Read a dataset file as UTF-8 text, turning every I/O or decoding failure into a DatasetError."""
    name = "<stdin>" if str(path) == STDIN else str(path)
    data = read_bytes(path)
    try:
        return data.decode("utf-8-sig")  # a byte-order mark from some editors is not an error
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise DatasetError(
            [Problem(name, f"line {line}, column {column}", f"byte 0x{data[exc.start]:02x} is not UTF-8")]
        ) from None
    except MemoryError:
        raise DatasetError([Problem(name, "", "not enough memory to decode this file")]) from None


def end_position(text: str) -> str:
    """The line and column just after the last character of a text, as a TOML error names them."""
    line = text.count("\n") + 1
    column = len(text) - (text.rfind("\n") + 1) + 1
    return f"line {line}, column {column}"


def parse_toml(text: str, name: str) -> dict[str, Any]:
    """Parse TOML text; a syntax error becomes a DatasetError naming line and column."""
    # Imported here: a query answered from the cache never parses TOML.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        parsed: dict[str, Any] = tomllib.loads(text)
        return parsed
    except tomllib.TOMLDecodeError as exc:
        message = str(exc.args[0]) if exc.args else str(exc)
        match = re.match(_TOML_POSITION, message)
        if match:
            where = f"line {match['line']}, column {match['col']}"
            raise DatasetError([Problem(name, where, f"TOML syntax error: {match['msg']}")]) from None
        at_end = re.match(_TOML_AT_END, message)
        if at_end:
            where = end_position(text)
            problem = Problem(name, where, f"TOML syntax error: {at_end['msg']} at the end of the file")
            raise DatasetError([problem]) from None
        raise DatasetError([Problem(name, "", f"TOML syntax error: {message}")]) from None
    except RecursionError:  # absurdly deep nesting
        raise DatasetError([Problem(name, "", "TOML nesting is too deep")]) from None
    except MemoryError:
        raise DatasetError([Problem(name, "", "not enough memory to parse this file")]) from None


def load(path: str | os.PathLike[str]) -> Dataset:
    """Read, parse and validate a dataset file; raise DatasetError with every problem found."""
    file = Path(path)
    name = "<stdin>" if str(file) == STDIN else str(file)
    return build(parse_toml(read_text(file), name), name)


def build(raw: Mapping[str, Any], name: str, *, today: date | None = None) -> Dataset:
    """Validate parsed TOML and build the typed dataset, or raise DatasetError with all problems.

    `today` (default: the system date) is the latest date any record, role or source may carry.
    """
    checker = _Checker(name, today or date.today())
    dataset = checker.dataset(raw)
    if checker.problems:
        raise DatasetError(checker.problems)
    return dataset


def _date_fits(kept: FuzzyDate, readings: tuple[Reading, ...]) -> bool:
    """True when the kept date covers every reading, lies within one, or the readings are not all dates."""
    spans = []
    for reading in readings:
        try:
            read = parse_date(reading.value)
        except ValueError:
            return True  # a reading in words: nothing to compare
        if read.start is None or read.end is None:
            return True
        spans.append((read.first, read.last))
    if kept.start is None or kept.end is None:
        return False
    covers = all(kept.first <= first and last <= kept.last for first, last in spans)
    within = any(first <= kept.first and kept.last <= last for first, last in spans)
    return covers or within


def _type_name(value: object) -> str:
    """A reader's name for the TOML type of a value."""
    names = {str: "a string", bool: "a boolean", int: "an integer", float: "a float", list: "an array", dict: "a table"}
    if isinstance(value, date):
        return "a TOML date (quote it as a string)"
    return names.get(type(value), type(value).__name__)


class _Checker:
    """Walks the parsed TOML once, building records and noting every problem.

    Built for speed on large files: the place of a problem is formatted only when one is
    noted, dates are parsed once per distinct text, and each source's publication date once.
    Actors are read before the records so that records can be resolved as they are built.
    """

    def __init__(self, name: str, today: date) -> None:
        """Start with no problems for the file `name`, checking dates against `today`."""
        self.name = name
        self.today = today
        self.problems: list[Problem] = []
        self.where = ""
        self._record: tuple[str, int, str] | None = None
        self._dates: dict[str, FuzzyDate | str] = {}
        self._known: dict[str, Source] = {}
        self._published: dict[str, date | None] = {}
        self._files: set[str] = set()
        self._actors: dict[str, Actor] = {}
        self._used: set[str] = set()
        self._suggestions: dict[str, str] = {}
        self._is_slug = re.compile(_SLUG).match

    def _at(self, where: str) -> None:
        """Set the place of the next problems to a fixed text (not a record)."""
        self.where = where
        self._record = None

    def problem(self, field: str, message: str) -> None:
        """Note a problem with a field of the current record."""
        if self._record is not None:
            table, index, ident = self._record
            self.where = f"{table}[{index}] (id '{ident}')" if ident else f"{table}[{index}]"
            self._record = None
        where = f"{self.where}: field '{field}'" if field and self.where else (self.where or field)
        self.problems.append(Problem(self.name, where, message))

    def dataset(self, raw: Mapping[str, Any]) -> Dataset:
        """Check the whole file and build what can be built."""
        self._at("")
        for key in raw:
            if key not in TOP_LEVEL:
                self.problem("", f"unknown top-level key '{key}' (expected {', '.join(TOP_LEVEL[:6])})")
        meta = self._meta(raw.get("meta", {}))
        sources = self._sources(raw.get("sources"))
        self._known = {s.id: s for s in sources}
        self._published = {ident: self._publication_day(s) for ident, s in self._known.items()}
        self._files = {ident for ident, s in self._known.items() if s.file is not None}
        seen: dict[str, str] = {s.id: "source" for s in sources}
        entries = self._actor_entries(raw.get("actors"), seen)
        events = [r for r in self._records(raw, "events", seen) if isinstance(r, Event)]
        aid = [r for r in self._records(raw, "aid", seen) if isinstance(r, Aid)]
        agreements = [r for r in self._records(raw, "agreements", seen) if isinstance(r, Agreement)]
        actors = self._finish_actors(entries)
        return Dataset(self.name, tuple(sources), tuple(events), tuple(aid), tuple(agreements), meta, actors)

    def _publication_day(self, source: Source) -> date | None:
        """The last day a source's publication date may mean, never later than today; None when undated."""
        if source.published is None:
            return None
        return min(parse_point(source.published).last, self.today)

    def _meta(self, value: object) -> tuple[tuple[str, str], ...]:
        """The optional `[meta]` table: string values only."""
        self._at("meta")
        if not isinstance(value, dict):
            self.problem("", f"must be a table, not {_type_name(value)}")
            return ()
        pairs = []
        for key, item in value.items():
            if isinstance(item, str):
                pairs.append((key, item))
            else:
                self.problem(key, f"must be a string, not {_type_name(item)}")
        return tuple(pairs)

    def _array(self, value: object, table: str) -> list[Any]:
        """An array of tables, or a noted problem and an empty list."""
        self._at(table)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem("", f"must be an array of tables ([[{table}]]), not {_type_name(value)}")
            return []
        return value

    def _entries(self, value: object, table: str) -> Iterator[tuple[int, dict[str, Any]]]:
        """Each table of an array with its index; non-tables are noted as problems."""
        for index, item in enumerate(self._array(value, table)):
            if not isinstance(item, dict):
                self._record = (table, index, "")
                self.problem("", f"must be a table, not {_type_name(item)}")
                continue
            ident = item.get("id")
            self._record = (table, index, ident if isinstance(ident, str) else "")
            yield index, item

    # -- sources -------------------------------------------------------------------------------

    def _sources(self, value: object) -> list[Source]:
        """Check and build the `[[sources]]` entries: article files and web pages."""
        if value is None:
            self._at("")
            self.problem("", "no [[sources]] defined: every record must cite a source")
            return []
        sources: list[Source] = []
        seen: set[str] = set()
        for _, item in self._entries(value, "sources"):
            if "author" in item:
                self.problem("author", 'is not a field: write the names as a list, authors = ["..."]')
            self._unknown({k: v for k, v in item.items() if k != "author"}, _SOURCE_FIELDS)
            ident = self._slug(item)
            if ident in seen:
                self.problem("id", f"duplicate source id '{ident}'")
            seen.add(ident)
            title = self._text(item, "title")
            published = self._optional_text(item, "published")
            if published is not None:
                try:
                    point = parse_point(published)
                except ValueError as exc:
                    self.problem("published", str(exc))
                    published = None
                else:
                    if point.first > self.today:
                        self.problem("published", f"'{published}' is after today ({self.today})")
            optional = {k: self._optional_text(item, k) for k in ("file", "publisher", "url", "language", "notes")}
            kind = self._optional_text(item, "kind")
            if kind is not None and kind not in SOURCE_KINDS:
                self.problem("kind", f"unknown value '{kind}' (expected one of {', '.join(SOURCE_KINDS)})")
            language = optional["language"]
            if language is not None and not re.match(_LANGUAGE, language):
                self.problem("language", f"'{language}' is not a language code such as en, ur, az, tr or ru")
            if optional["url"] is not None:
                self._page(item, optional["url"], published, kind)
            authors = self._strings(item, "authors", required=False)
            sources.append(Source(ident, title, authors, published, kind=kind, **optional))
        if not sources and not self.problems:
            self._at("sources")
            self.problem("", "is empty: every record must cite a source")
        return sources

    def _page(self, item: Mapping[str, Any], url: str, published: str | None, kind: str | None) -> None:
        """A web page names its https URL, publisher, kind, language and publication date."""
        from urllib.parse import urlsplit

        try:
            parts = urlsplit(url)
        except ValueError:
            parts = None
        if parts is None or parts.scheme != "https" or not parts.hostname or any(c.isspace() for c in url):
            self.problem("url", f"'{url}' is not an https URL (https://host/path)")
        if item.get("file") is not None:
            self.problem("file", "a source is an article file or a web page (url), not both")
        for key in ("publisher", "kind", "language"):
            if item.get(key) is None:
                self.problem(key, "is required for a web page (a source with a url)")
        if published is None and "published" not in item:
            notes = item.get("notes")
            if not isinstance(notes, str) or not re.search(_NO_DATE_NOTE, notes):
                self.problem(
                    "published",
                    "is required for a web page; leave it out only when the page shows no date, and say so in notes",
                )

    # -- actors --------------------------------------------------------------------------------

    def _claim(self, ident: str, kind: str, seen: dict[str, str]) -> None:
        """Register an actor's or record's id as taken by `kind`; a duplicate is a problem naming who has it."""
        if ident and ident in seen:
            other = seen[ident]
            article = "an" if other[0] in "aeiou" else "a"
            self.problem("id", f"duplicate id '{ident}' (already used by {article} {other})")
        seen.setdefault(ident, kind)

    def _actor_entries(self, value: object, seen: dict[str, str]) -> list[tuple[int, Actor, list[Any]]]:
        """Check the `[[actors]]` entries and register them; roles are finished once every actor is known."""
        entries: list[tuple[int, Actor, list[Any]]] = []
        for index, item in self._entries(value, "actors"):
            self._unknown(item, _ACTOR_FIELDS)
            ident = self._slug(item)
            self._claim(ident, "actor", seen)
            name = self._text(item, "name")
            kind = self._choice(item, "kind", ACTOR_KINDS)
            country = self._optional_text(item, "country")
            if country is not None and country not in COUNTRIES:
                self.problem(
                    "country", f"'{country}' is not an ISO 3166-1 alpha-2 code (two capitals, such as PK or AZ)"
                )
                country = None
            if country is None and "country" not in item and kind in ("person", "state"):
                self.problem("country", f"is required for a {kind} (ISO 3166-1 alpha-2, such as PK or AZ)")
            aliases = self._strings(item, "aliases", required=False)
            roles = item.get("roles", [])
            if not isinstance(roles, list):
                self.problem("roles", f"must be an array of tables, not {_type_name(roles)}")
                roles = []
            actor = Actor(id=ident, name=name, kind=kind, country=country, aliases=aliases)
            if ident and ident not in self._actors:
                self._actors[ident] = actor
            entries.append((index, actor, roles))
        return entries

    def _finish_actors(self, entries: list[tuple[int, Actor, list[Any]]]) -> tuple[Actor, ...]:
        """Build each actor's roles (their `of` resolved), and report actors nothing uses."""
        finished: list[Actor] = []
        for index, actor, raw_roles in entries:
            self._record = ("actors", index, actor.id)
            roles = tuple(
                role
                for number, raw in enumerate(raw_roles)
                if (role := self._role(raw, f"roles[{number}]")) is not None
            )
            finished.append(actor.with_roles(roles))
        for index, actor, _ in entries:
            if actor.id and actor.id not in self._used and self._actors.get(actor.id) is actor:
                self._record = ("actors", index, actor.id)
                self.problem("", f"actor '{actor.id}' is used by no record and no role")
        return tuple(finished)

    def _role(self, raw: object, key: str) -> Role | None:
        """One role of an actor: a title held `of` another actor, with optional from/to and its sources."""
        if not isinstance(raw, dict):
            self.problem(key, f"must be a table {{ title, of, from, to, sources }}, not {_type_name(raw)}")
            return None
        for extra in raw:
            if extra not in _ROLE_FIELDS:
                self.problem(f"{key}.{extra}", f"unknown field (expected one of {', '.join(sorted(_ROLE_FIELDS))})")
        title = self._text(raw, "title", f"{key}.title")
        of = self._text(raw, "of", f"{key}.of")
        of_name = self._resolve(f"{key}.of", (of,))[0] if of else ""
        points: list[DatePoint] = []
        ends: dict[str, DatePoint | None] = {"from": None, "to": None}
        for end in ends:
            text = self._optional_text(raw, end, f"{key}.{end}")
            if text is None:
                continue
            try:
                point = parse_point(text)
            except ValueError as exc:
                self.problem(f"{key}.{end}", str(exc))
                continue
            ends[end] = point
            points.append(point)
        start, finish = ends["from"], ends["to"]
        if start is not None and finish is not None and start.first > finish.first:
            self.problem(f"{key}.to", f"'{finish.text}' is before the start '{start.text}'")
        citations = self._citations(raw.get("sources"), f"{key}.sources")
        reported = self._check_dates(f"{key}.from" if start else f"{key}.to", points, citations)
        return Role(
            title=title,
            of=of,
            start=start,
            end=finish,
            sources=citations,
            of_name=of_name,
            reported_until=reported,
        )

    def _resolve(self, key: str, refs: tuple[str, ...]) -> tuple[str, ...]:
        """The display names of actor ids, noting each unknown id with the closest known one."""
        names: list[str] = []
        actors = self._actors
        for ref in refs:
            actor = actors.get(ref)
            if actor is None:
                self.problem(key, self._unknown_actor(ref))
                names.append(ref)
            else:
                self._used.add(ref)
                names.append(actor.name)
        if len(set(refs)) != len(refs):
            self.problem(key, "names the same actor more than once")
        return tuple(names)

    def _unknown_actor(self, ref: str) -> str:
        """The message for a reference to no actor: the closest id (by name, alias or spelling), if any."""
        hint = self._suggestions.get(ref)
        if hint is None:
            hint = ""
            folded = ref.casefold()
            for actor in self._actors.values():
                if folded in (s.casefold() for s in (actor.name, *actor.aliases)):
                    hint = actor.id
                    break
            if not hint:
                import difflib

                close = difflib.get_close_matches(ref.lower(), list(self._actors), n=1, cutoff=0.6)
                hint = close[0] if close else ""
            self._suggestions[ref] = hint
        if hint:
            return f"unknown actor '{ref}'; did you mean '{hint}'?"
        return f"unknown actor '{ref}' (no [[actors]] entry has this id)"

    # -- records -------------------------------------------------------------------------------

    def _records(self, raw: Mapping[str, Any], table: str, seen: dict[str, str]) -> Iterator[Record]:
        """Check and build every record of one kind."""
        kind = KIND_OF_TABLE[table]
        builder = _BUILDERS[kind]
        allowed = _COMMON | _OWN[kind]
        for _, item in self._entries(raw.get(table), table):
            if not allowed.issuperset(item):
                self._unknown(item, allowed)
            ident = self._slug(item)
            self._claim(ident, kind, seen)
            fuzzy = self._date(item)
            category = self._choice(item, "category", CATEGORIES[kind])
            citations = self._citations(item.get("sources"), "sources")
            points = [p for p in (fuzzy.start, fuzzy.end) if p is not None] if fuzzy is not None else []
            reported = self._check_dates("date", points, citations, fuzzy.text if fuzzy else "")
            common = {
                "id": ident,
                "date": fuzzy,
                "category": category,
                "title": self._text(item, "title"),
                "summary": self._text(item, "summary"),
                "sources": citations,
                "notes": self._optional_text(item, "notes"),
                "aliases": self._strings(item, "aliases", required=False),
                "disputes": self._disputes(item.get("disputes")) if "disputes" in item else (),
                "reported_until": reported,
            }
            record = builder(self, item, common)
            if record is not None:
                if record.disputes:
                    self._kept_reading(record)
                yield record

    def _unknown(self, item: Mapping[str, Any], allowed: set[str]) -> None:
        """Note keys that the format does not define (usually typos)."""
        for key in item:
            if key not in allowed:
                self.problem(key, f"unknown field (expected one of {', '.join(sorted(allowed))})")

    def _slug(self, item: Mapping[str, Any]) -> str:
        """The record's id, checked to be a lowercase slug."""
        ident = self._text(item, "id")
        if ident and not self._is_slug(ident):
            self.problem("id", f"'{ident}' is not a slug (lowercase letters, digits and single hyphens)")
        return ident

    def _text(self, item: Mapping[str, Any], key: str, label: str | None = None) -> str:
        """A required non-empty string (`label` names the field in problems when it is nested)."""
        value = item.get(key)
        if type(value) is str and value and not value.isspace():  # the common case, checked fast
            return value
        label = label or key
        if value is None:
            self.problem(label, "is required")
            return ""
        if not isinstance(value, str):
            self.problem(label, f"must be a string, not {_type_name(value)}")
            return ""
        if not value.strip():
            self.problem(label, "must not be empty")
        return value

    def _optional_text(self, item: Mapping[str, Any], key: str, label: str | None = None) -> str | None:
        """An optional string."""
        value = item.get(key)
        if value is None or type(value) is str:
            return value
        self.problem(label or key, f"must be a string, not {_type_name(value)}")
        return None

    def _strings(self, item: Mapping[str, Any], key: str, *, required: bool) -> tuple[str, ...]:
        """A list of non-empty strings; required lists must not be empty."""
        value = item.get(key)
        if type(value) is list and value:  # the common case, checked fast
            for name in value:
                if type(name) is not str or not name or name.isspace():
                    break
            else:
                return tuple(value)
        if value is None:
            if required:
                self.problem(key, "is required (a list of actor ids)")
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v and not v.isspace() for v in value):
            self.problem(key, "must be a list of non-empty strings")
            return ()
        if required and not value:
            self.problem(key, "must name at least one")
        return tuple(value)

    def _choice(self, item: Mapping[str, Any], key: str, vocabulary: tuple[str, ...]) -> str:
        """A string from a closed vocabulary."""
        value = self._text(item, key)
        if value and value not in vocabulary:
            self.problem(key, f"unknown value '{value}' (expected one of {', '.join(vocabulary)})")
        return value

    def _date(self, item: Mapping[str, Any]) -> FuzzyDate | None:
        """The optional EDTF date, parsed once per distinct text (a string is the reason it is wrong)."""
        text = self._optional_text(item, "date")
        if text is None:
            return None
        parsed = self._dates.get(text)
        if parsed is None:
            try:
                parsed = parse_date(text)
            except ValueError as exc:
                parsed = str(exc)
            self._dates[text] = parsed
        if isinstance(parsed, str):
            self.problem("date", parsed)
            return None
        return parsed

    def _citations(self, value: object, key: str) -> tuple[Citation, ...]:
        """A non-empty list of citations, each a source id or `{ source = id, paragraph = N }`.

        Every source must be defined; an article file must be cited with a paragraph of at least 1,
        a web page may be cited without one.
        """
        if not isinstance(value, list) or not value:
            self.problem(key, 'must be a non-empty list of citations ({ source = "id", paragraph = N } or "id")')
            return ()
        citations: list[Citation] = []
        known = self._published  # every defined source id
        for entry in value:
            paragraph: object = None
            if type(entry) is dict:
                source: object = entry.get("source")
                paragraph = entry.get("paragraph")
                size = len(entry)
                shaped = source is not None and (size == 1 or (size == 2 and paragraph is not None))
            else:
                source, shaped = entry, type(entry) is str
            if not shaped:
                self.problem(key, 'each citation must be { source = "id", paragraph = N }, { source = "id" } or "id"')
                continue
            if type(source) is not str or source not in known:
                self.problem(key, f"cites unknown source {source!r}")
                continue
            if paragraph is None:
                if source in self._files:
                    self.problem(key, f"'{source}' is an article file: cite it with a paragraph")
                    continue
            elif type(paragraph) is not int or paragraph < 1:
                self.problem(key, f"paragraph of '{source}' must be an integer of at least 1")
                continue
            citations.append(Citation(source, paragraph))
        return tuple(citations)

    def _check_dates(
        self, key: str, points: list[DatePoint], citations: tuple[Citation, ...], text: str = ""
    ) -> date | None:
        """Dates may not be after today, nor after the publication of every dated source cited.

        Returns the publication day of the latest dated source cited: where an open end stops.
        """
        published = self._published
        latest: date | None = None
        for citation in citations:
            day = published.get(citation.source)
            if day is not None and (latest is None or day > latest):
                latest = day
        for point in points:
            shown = text or point.text
            if point.first > self.today:
                self.problem(key, f"'{shown}' is after today ({self.today})")
                break
            if latest is not None and point.first > latest:
                self.problem(key, f"'{shown}' is after the publication ({latest}) of every dated source it cites")
                break
        return latest

    def _disputes(self, value: object) -> tuple[Dispute, ...]:
        """A record's disputes: each names a field and at least two readings, each with its sources."""
        if not isinstance(value, list):
            self.problem("disputes", f"must be an array of tables {{ field, readings, note }}, not {_type_name(value)}")
            return ()
        disputes: list[Dispute] = []
        for number, entry in enumerate(value):
            key = f"disputes[{number}]"
            if not isinstance(entry, dict):
                self.problem(key, f"must be a table {{ field, readings, note }}, not {_type_name(entry)}")
                continue
            for extra in entry:
                if extra not in _DISPUTE_KEYS:
                    self.problem(
                        f"{key}.{extra}", f"unknown field (expected one of {', '.join(sorted(_DISPUTE_KEYS))})"
                    )
            field = self._text(entry, "field", f"{key}.field")
            if field and field not in DISPUTE_FIELDS:
                self.problem(f"{key}.field", f"unknown value '{field}' (expected one of {', '.join(DISPUTE_FIELDS)})")
            note = self._optional_text(entry, "note", f"{key}.note")
            readings = self._readings(entry.get("readings"), f"{key}.readings")
            disputes.append(Dispute(field, readings, note))
        return tuple(disputes)

    def _readings(self, value: object, key: str) -> tuple[Reading, ...]:
        """At least two different readings `{ value, sources }`, each naming defined sources."""
        if not isinstance(value, list) or len(value) < 2:
            self.problem(key, "must list at least two readings { value = ..., sources = [...] }")
            return ()
        readings: list[Reading] = []
        for number, entry in enumerate(value):
            where = f"{key}[{number}]"
            if not isinstance(entry, dict) or set(entry) != {"value", "sources"}:
                self.problem(where, "must be a table { value = ..., sources = [...] }")
                continue
            raw = entry["value"]
            if type(raw) is int:
                raw = str(raw)
            if not isinstance(raw, str) or not raw.strip():
                self.problem(f"{where}.value", "must be a non-empty string or a whole number")
                continue
            readings.append(Reading(raw, self._citations(entry["sources"], f"{where}.sources")))
        if len({r.value for r in readings}) != len(readings):
            self.problem(key, "two readings give the same value")
        return tuple(readings)

    def _kept_reading(self, record: Record) -> None:
        """A disputed date, amount, currency, status, donor or recipient of the record is one of the readings.

        A disputed date may instead cover every reading (the month two sources agree on when they give
        different days), or lie within one reading (the day a source reports, out of the span another
        gives): either way the record claims no more than a source states. Readings that are not dates
        (a duration in words) cannot be compared, and are not.
        """
        for number, dispute in enumerate(record.disputes):
            value = _disputed_value(record, dispute.field)
            if value is None or not dispute.readings or value in (r.value for r in dispute.readings):
                continue
            if dispute.field == "date" and record.date is not None and _date_fits(record.date, dispute.readings):
                continue
            self.problem(
                f"disputes[{number}].readings",
                f"none of the readings is the record's own {dispute.field} '{value}' (the most authoritative), "
                "and it does not cover all of them",
            )

    def _place(self, value: object) -> Place | None:
        """An event's place: `{ city = "Baku", country = "AZ" }` (the city may be left out)."""
        if not isinstance(value, dict):
            self.problem("place", f'must be a table {{ city = "...", country = "XX" }}, not {_type_name(value)}')
            return None
        for extra in value:
            if extra not in ("city", "country"):
                self.problem(f"place.{extra}", "unknown field (expected city, country)")
        country = self._text(value, "country", "place.country")
        if country and country not in COUNTRIES:
            self.problem(
                "place.country", f"'{country}' is not an ISO 3166-1 alpha-2 code (two capitals, such as PK or AZ)"
            )
            return None
        city = self._optional_text(value, "city", "place.city")
        if city is not None and not city.strip():
            self.problem("place.city", "must not be empty (leave it out when the sources name no city)")
            city = None
        return Place(country, city) if country else None


def _disputed_value(record: Record, field: str) -> str | None:
    """The record's own value of a disputed field, as a reading would write it; None when not comparable."""
    if field == "date":
        return record.date_text
    if field in ("amount", "currency", "donor", "recipient", "status", "count"):
        value = getattr(record, field, None)
        return None if value is None else str(value)
    return None


def _build_event(checker: _Checker, item: Mapping[str, Any], common: dict[str, Any]) -> Record | None:
    """Build an event from its checked common fields, its actors (resolved to names) and its place."""
    actors = checker._strings(item, "actors", required=True)
    place = checker._place(item["place"]) if "place" in item else None
    return Event(**common, actors=actors, actor_names=checker._resolve("actors", actors), place=place)


def _build_aid(checker: _Checker, item: Mapping[str, Any], common: dict[str, Any]) -> Record | None:
    """Build an aid record: donor, recipient, purpose, and amount with currency where stated."""
    amount = item.get("amount")
    if amount is not None and (type(amount) is not int or amount <= 0):
        reason = "must be a positive whole number (omit it when the source states none; never 0)"
        checker.problem("amount", f"{reason}, not {amount!r}")
        amount = None
    currency = checker._optional_text(item, "currency")
    if currency is not None:
        unusable = currency_problem(currency, common["date"])
        if unusable is not None:
            checker.problem("currency", unusable)
            currency = None
    if "amount" in item and "currency" not in item:
        checker.problem("currency", "is required when an amount is given")
    donor = checker._text(item, "donor")
    recipient = checker._text(item, "recipient")
    return Aid(
        **common,
        donor=donor,
        recipient=recipient,
        donor_name=checker._resolve("donor", (donor,))[0] if donor else "",
        recipient_name=checker._resolve("recipient", (recipient,))[0] if recipient else "",
        purpose=checker._text(item, "purpose"),
        amount=amount,
        currency=currency,
        status=(checker._choice(item, "status", AID_STATUSES) or None) if "status" in item else None,
    )


def _build_agreement(checker: _Checker, item: Mapping[str, Any], common: dict[str, Any]) -> Record | None:
    """Build an agreement: its type, status, parties (resolved to names) and, for aggregates, a count."""
    count = item.get("count")
    if count is not None and (type(count) is not int or count < 0):
        checker.problem("count", f"must be a non-negative whole number, not {count!r}")
        count = None
    qualifier = checker._optional_text(item, "count_qualifier")
    if qualifier is not None and qualifier not in COUNT_QUALIFIERS:
        checker.problem(
            "count_qualifier", f"unknown value '{qualifier}' (expected one of {', '.join(COUNT_QUALIFIERS)})"
        )
    if qualifier is not None and "count" not in item:
        checker.problem("count_qualifier", "makes sense only with a count")
    status = (checker._choice(item, "status", AGREEMENT_STATUSES) or None) if "status" in item else None
    parties = checker._strings(item, "parties", required=True)
    return Agreement(
        **common,
        type=checker._choice(item, "type", AGREEMENT_TYPES),
        status=status,
        parties=parties,
        party_names=checker._resolve("parties", parties),
        count=count,
        count_qualifier=qualifier,
    )


_SOURCE_FIELDS = {"id", "title", "authors", "published", "file", "publisher", "url", "language", "kind", "notes"}
_ACTOR_FIELDS = {"id", "name", "kind", "country", "aliases", "roles"}
_ROLE_FIELDS = {"title", "of", "from", "to", "sources"}
_DISPUTE_KEYS = {"field", "readings", "note"}
_COMMON = {"id", "date", "category", "title", "summary", "sources", "notes", "aliases", "disputes"}
_OWN: dict[str, set[str]] = {
    "event": {"actors", "place"},
    "aid": {"donor", "recipient", "amount", "currency", "purpose", "status"},
    "agreement": {"type", "status", "parties", "count", "count_qualifier"},
}
_BUILDERS: dict[str, Callable[[_Checker, Mapping[str, Any], dict[str, Any]], Record | None]] = {
    "event": _build_event,
    "aid": _build_aid,
    "agreement": _build_agreement,
}
