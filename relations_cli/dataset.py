"""Finding, parsing and validating the dataset file; every problem is collected, none is printed."""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from relations_cli.model import (
    AGREEMENT_TYPES,
    CATEGORIES,
    COUNT_QUALIFIERS,
    CURRENCIES,
    KIND_OF_TABLE,
    Agreement,
    Aid,
    Citation,
    Dataset,
    Event,
    FuzzyDate,
    Record,
    Source,
    parse_date,
    parse_point,
)

ENV_VAR = "RELATIONS_DATA"
DATA_FILE = "pakistan-azerbaijan.toml"
# Patterns are compiled on first use (the `re` module keeps them): a query answered from the
# cache never needs them, and compiling costs about a millisecond at start-up.
_SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_TOML_POSITION = r"^(?P<msg>.*?)\s*\(at line (?P<line>\d+), column (?P<col>\d+)\)$"
_TOML_AT_END = r"^(?P<msg>.*?)\s*\(at end of document\)$"
TOP_LEVEL = ("meta", "sources", "events", "aid", "agreements", "$schema")
# C0 and C1 controls, DEL and the bidi overrides: text from a file must not drive the terminal.
_UNSAFE = "[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"


def _escape(match: re.Match[str]) -> str:
    """The escape sequence for one unsafe character."""
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """Text with control and bidi characters shown as escapes (backslash-x1b), safe for a terminal."""
    return re.sub(_UNSAFE, _escape, text)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a dataset: where it is and what is wrong."""

    file: str
    where: str
    message: str

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


def build(raw: Mapping[str, Any], name: str) -> Dataset:
    """Validate parsed TOML and build the typed dataset, or raise DatasetError with all problems."""
    checker = _Checker(name)
    dataset = checker.dataset(raw)
    if checker.problems:
        raise DatasetError(checker.problems)
    return dataset


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
    """

    def __init__(self, name: str) -> None:
        """Start with no problems for the file `name`."""
        self.name = name
        self.problems: list[Problem] = []
        self.where = ""
        self._record: tuple[str, int, str] | None = None
        self._dates: dict[str, FuzzyDate | str] = {}
        self._published: dict[str, date | None] = {}
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
                self.problem("", f"unknown top-level key '{key}' (expected {', '.join(TOP_LEVEL[:5])})")
        meta = self._meta(raw.get("meta", {}))
        sources = self._sources(raw.get("sources"))
        known = {s.id: s for s in sources}
        self._published = {
            ident: parse_point(source.published).last if source.published else None for ident, source in known.items()
        }
        seen: dict[str, str] = {s.id: "source" for s in sources}
        events = [r for r in self._records(raw, "events", known, seen) if isinstance(r, Event)]
        aid = [r for r in self._records(raw, "aid", known, seen) if isinstance(r, Aid)]
        agreements = [r for r in self._records(raw, "agreements", known, seen) if isinstance(r, Agreement)]
        return Dataset(self.name, tuple(sources), tuple(events), tuple(aid), tuple(agreements), meta)

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

    def _sources(self, value: object) -> list[Source]:
        """Check and build the `[[sources]]` entries."""
        if value is None:
            self._at("")
            self.problem("", "no [[sources]] defined: every record must cite a source")
            return []
        sources: list[Source] = []
        seen: set[str] = set()
        allowed = {"id", "title", "author", "published", "file", "publisher", "url", "notes"}
        for _, item in self._entries(value, "sources"):
            self._unknown(item, allowed)
            ident = self._slug(item)
            if ident in seen:
                self.problem("id", f"duplicate source id '{ident}'")
            seen.add(ident)
            title = self._text(item, "title")
            published = self._optional_text(item, "published")
            if published is not None:
                try:
                    parse_point(published)
                except ValueError as exc:
                    self.problem("published", str(exc))
                    published = None
            optional = {k: self._optional_text(item, k) for k in ("author", "file", "publisher", "url", "notes")}
            sources.append(Source(ident, title, published=published, **optional))
        if not sources and not self.problems:
            self._at("sources")
            self.problem("", "is empty: every record must cite a source")
        return sources

    def _records(
        self, raw: Mapping[str, Any], table: str, known: dict[str, Source], seen: dict[str, str]
    ) -> Iterator[Record]:
        """Check and build every record of one kind."""
        kind = KIND_OF_TABLE[table]
        builder = _BUILDERS[kind]
        allowed = _COMMON | _OWN[kind]
        for _, item in self._entries(raw.get(table), table):
            if not allowed.issuperset(item):
                self._unknown(item, allowed)
            ident = self._slug(item)
            if ident and ident in seen:
                other = seen[ident]
                article = "an" if other[0] in "aeiou" else "a"
                self.problem("id", f"duplicate id '{ident}' (already used by {article} {other})")
            seen.setdefault(ident, kind)
            fuzzy = self._date(item)
            category = self._choice(item, "category", CATEGORIES[kind])
            common = {
                "id": ident,
                "date": fuzzy,
                "category": category,
                "title": self._text(item, "title"),
                "summary": self._text(item, "summary"),
                "sources": self._citations(item, known, fuzzy),
                "notes": self._optional_text(item, "notes"),
                "aliases": self._strings(item, "aliases", required=False),
            }
            record = builder(self, item, common)
            if record is not None:
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

    def _text(self, item: Mapping[str, Any], key: str) -> str:
        """A required non-empty string."""
        value = item.get(key)
        if type(value) is str and value and not value.isspace():  # the common case, checked fast
            return value
        if value is None:
            self.problem(key, "is required")
            return ""
        if not isinstance(value, str):
            self.problem(key, f"must be a string, not {_type_name(value)}")
            return ""
        if not value.strip():
            self.problem(key, "must not be empty")
        return value

    def _optional_text(self, item: Mapping[str, Any], key: str) -> str | None:
        """An optional string."""
        value = item.get(key)
        if value is None or type(value) is str:
            return value
        if not isinstance(value, str):
            self.problem(key, f"must be a string, not {_type_name(value)}")
            return None
        return value

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
                self.problem(key, "is required (a list of names)")
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

    def _citations(
        self, item: Mapping[str, Any], known: dict[str, Source], fuzzy: FuzzyDate | None
    ) -> tuple[Citation, ...]:
        """The record's citations: each names a defined source and a paragraph of at least 1."""
        value = item.get("sources")
        if not isinstance(value, list) or not value:
            self.problem("sources", "must be a non-empty list of { source = ..., paragraph = N }")
            return ()
        citations: list[Citation] = []
        for entry in value:
            if not isinstance(entry, dict) or len(entry) != 2 or "source" not in entry or "paragraph" not in entry:
                self.problem("sources", 'each citation must be { source = "id", paragraph = N }')
                continue
            source, paragraph = entry["source"], entry["paragraph"]
            if not isinstance(source, str) or source not in known:
                self.problem("sources", f"cites unknown source {source!r}")
                continue
            if type(paragraph) is not int or paragraph < 1:
                self.problem("sources", f"paragraph of '{source}' must be an integer of at least 1")
                continue
            citations.append(Citation(source, paragraph))
        if fuzzy is not None and fuzzy.start is not None and citations:
            self._not_after_publication(citations, fuzzy)
        return tuple(citations)

    def _not_after_publication(self, citations: list[Citation], fuzzy: FuzzyDate) -> None:
        """A record may not start after every source it cites was published."""
        latest: date | None = None
        for citation in citations:
            published = self._published[citation.source]
            if published is None:
                return
            if latest is None or published > latest:
                latest = published
        if latest is not None and fuzzy.first > latest:
            self.problem("date", f"'{fuzzy.text}' is after the publication ({latest}) of every source it cites")


def _build_event(checker: _Checker, item: Mapping[str, Any], common: dict[str, Any]) -> Record | None:
    """Build an event from its checked common fields and its actors."""
    return Event(**common, actors=checker._strings(item, "actors", required=True))


def _build_aid(checker: _Checker, item: Mapping[str, Any], common: dict[str, Any]) -> Record | None:
    """Build an aid record: donor, recipient, purpose, and amount with currency where stated."""
    amount = item.get("amount")
    if amount is not None and (type(amount) is not int or amount <= 0):
        reason = "must be a positive whole number (omit it when the source states none; never 0)"
        checker.problem("amount", f"{reason}, not {amount!r}")
        amount = None
    currency = checker._optional_text(item, "currency")
    if currency is not None and currency not in CURRENCIES:
        checker.problem(
            "currency",
            f"'{currency}' is not a known ISO 4217 code (three capital letters, such as USD, EUR, PKR or AZN)",
        )
        currency = None
    if "amount" in item and "currency" not in item:
        checker.problem("currency", "is required when an amount is given")
    return Aid(
        **common,
        donor=checker._text(item, "donor"),
        recipient=checker._text(item, "recipient"),
        purpose=checker._text(item, "purpose"),
        amount=amount,
        currency=currency,
    )


def _build_agreement(checker: _Checker, item: Mapping[str, Any], common: dict[str, Any]) -> Record | None:
    """Build an agreement: its type, parties and, for aggregates, a count."""
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
    return Agreement(
        **common,
        type=checker._choice(item, "type", AGREEMENT_TYPES),
        parties=checker._strings(item, "parties", required=True),
        count=count,
        count_qualifier=qualifier,
    )


_COMMON = {"id", "date", "category", "title", "summary", "sources", "notes", "aliases"}
_OWN: dict[str, set[str]] = {
    "event": {"actors"},
    "aid": {"donor", "recipient", "amount", "currency", "purpose"},
    "agreement": {"type", "parties", "count", "count_qualifier"},
}
_BUILDERS: dict[str, Callable[[_Checker, Mapping[str, Any], dict[str, Any]], Record | None]] = {
    "event": _build_event,
    "aid": _build_aid,
    "agreement": _build_agreement,
}
