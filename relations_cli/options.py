"""Every command-line option, declared once; the quick path's parser and the Typer app are both built from it.

An option is one `Option` row in `OPTIONS`: its flags, the destination its value goes to, how a
typed token becomes a value, whether it repeats, which commands take it, its help and metavar, and
what shell completion offers. A destination named like a field of `query.Query` goes straight into
the query, so adding a filter is one row here plus its field and predicate in `query.py`.

This module imports no Typer: the quick path imports it to recognise plain listing queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path

from relations_cli.model import (
    ACTOR_KINDS,
    AGREEMENT_STATUSES,
    AGREEMENT_TYPES,
    CATEGORIES,
    COUNTRIES,
    KINDS,
    Value,
    parse_point,
)
from relations_cli.query import SORT_FIELDS
from relations_cli.render import FORMATS

TYPE_CHECKING = False  # `typing` costs milliseconds at start-up; only the type checker needs it here
if TYPE_CHECKING:
    import builtins
    from typing import Any

PROG = "relations"
ROOT = PROG  # the command name under which the global options are listed for the root
# The same as cite.STYLES and export.EXPORT_FORMATS (a test checks), kept here so that the
# citation and export modules load only when their commands run.
CITE_STYLES: tuple[str, ...] = ("markdown", "bibtex", "csl-json")
EXPORT_FORMATS: tuple[str, ...] = ("sqlite", "json", "csv")
EXPORT_TABLES: tuple[str, ...] = ("sources", "actors", "events", "aid", "agreements")

# The listing commands: the kinds each one lists and what it calls them in a caption.
LISTINGS: dict[str, tuple[tuple[str, ...], str]] = {
    "events": (("event",), "events"),
    "aid": (("aid",), "aid records"),
    "agreements": (("agreement",), "agreements"),
    "search": (KINDS, "records"),
}
OVERVIEWS: tuple[str, ...] = ("timeline", "summary", "categories", "cite", "export")
COMMANDS: tuple[str, ...] = ("validate", "sources", "actors", *LISTINGS, "show", *OVERVIEWS)


def kinds_of(command: str) -> tuple[str, ...]:
    """The kinds of record a command works on: a listing's own, else every kind."""
    return LISTINGS[command][0] if command in LISTINGS else KINDS


# ---------------------------------------------------------------------------
# Converters: one typed token -> a value, or ValueError with a reason a person can act on
# ---------------------------------------------------------------------------


def year(text: str) -> int:
    """A year from 1 to 9999."""
    try:
        number = int(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a year (a number from 1 to 9999)") from None
    if not 1 <= number <= 9999:
        raise ValueError(f"{number} is not a year from 1 to 9999")
    return number


def years(text: str) -> tuple[int, ...]:
    """Years, comma-separated, each a year or a range `2015-2017` (both ends included)."""
    found: list[int] = []
    for part in _parts(text):
        low, dash, high = part.partition("-")
        if dash and low:
            first, last = year(low), year(high)
            if first > last:
                month = len(high) == 2 and 1 <= last <= 12
                hint = f"; for a month, use --from {part} --to {part}" if month else ""
                raise ValueError(f"{part!r} is a range that ends before it starts{hint}")
            found.extend(range(first, last + 1))
        else:
            found.append(year(part))
    return tuple(dict.fromkeys(found))


def _point(text: str) -> tuple[date, date]:
    """The first and last day of `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (the year may have fewer digits)."""
    head, dash, rest = text.strip().partition("-")
    if not head.isdigit() or len(head) > 4:
        raise ValueError(f"{text!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    year(head)
    padded = head.zfill(4) + dash + rest
    try:
        point = parse_point(padded)
    except ValueError as exc:
        raise ValueError(str(exc).replace(f"'{padded}'", repr(text))) from None
    return point.first, point.last


def date_from(text: str) -> date:
    """The first day of a year, month or day."""
    return _point(text)[0]


def date_to(text: str) -> date:
    """The last day of a year, month or day."""
    return _point(text)[1]


def word(text: str) -> str:
    """A value from a closed list, compared case-blind."""
    return text.strip().lower()


def words(text: str) -> tuple[str, ...]:
    """Values from a closed list, comma-separated, compared case-blind."""
    return tuple(p.lower() for p in _parts(text))


def field_list(text: str) -> tuple[str, ...]:
    """Column names, comma-separated, in order, case-blind."""
    return tuple(p.lower() for p in _parts(text))


def country(text: str) -> str:
    """An ISO 3166-1 alpha-2 country code, in any case (`pk` -> `PK`)."""
    code = text.strip().upper()
    if code not in COUNTRIES:
        raise ValueError(f"{text!r} is not an ISO 3166-1 alpha-2 country code (such as PK, AZ or TR)")
    return code


def statuses(text: str) -> tuple[str, ...]:
    """Agreement statuses, comma-separated, case-blind; `in-force` and `in_force` are `in force`."""
    return tuple(" ".join(p.lower().replace("-", " ").replace("_", " ").split()) for p in _parts(text))


def _parts(text: str) -> list[str]:
    """The non-empty, stripped pieces of a comma-separated value."""
    return [p.strip() for p in text.split(",") if p.strip()]


def per(text: str) -> int:
    """Years per bar of a chart: a whole number from 1 to 1000."""
    try:
        number = int(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a whole number") from None
    if not 1 <= number <= 1000:
        raise ValueError(f"{number} is not a number of years from 1 to 1000")
    return number


# ---------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------


class Option(Value):
    """One command-line option, as both front ends see it."""

    __slots__ = (
        "choices",
        "commands",
        "complete",
        "convert",
        "default",
        "dest",
        "eager",
        "flags",
        "help",
        "is_flag",
        "metavar",
        "noun",
        "repeatable",
        "type",
    )
    dest: str
    flags: tuple[str, ...]
    help: str
    commands: frozenset[str]
    metavar: str | None
    type: type
    convert: Callable[[str], Any] | None
    repeatable: bool
    is_flag: bool
    default: Any
    complete: str | None
    choices: Callable[[Sequence[str]], Sequence[str]] | None
    noun: str
    eager: bool

    def __init__(
        self,
        dest: str,
        flags: tuple[str, ...],
        help: str,
        commands: frozenset[str],
        metavar: str | None = None,
        type: builtins.type = str,
        convert: Callable[[str], Any] | None = None,
        repeatable: bool = False,
        is_flag: bool = False,
        default: Any = None,
        complete: str | None = None,
        choices: Callable[[Sequence[str]], Sequence[str]] | None = None,
        noun: str = "",
        eager: bool = False,
    ) -> None:
        """An option: where its value goes, its flags and help, the commands that take it, and how to read it."""
        object.__setattr__(self, "dest", dest)
        object.__setattr__(self, "flags", flags)
        object.__setattr__(self, "help", help)
        object.__setattr__(self, "commands", commands)
        object.__setattr__(self, "metavar", metavar)
        object.__setattr__(self, "type", type)
        object.__setattr__(self, "convert", convert)
        object.__setattr__(self, "repeatable", repeatable)
        object.__setattr__(self, "is_flag", is_flag)
        object.__setattr__(self, "default", default)
        object.__setattr__(self, "complete", complete)
        object.__setattr__(self, "choices", choices)
        object.__setattr__(self, "noun", noun)
        object.__setattr__(self, "eager", eager)

    def empty(self) -> Any:
        """The value when the option is not given: False, (), or the default."""
        if self.is_flag:
            return False
        return () if self.repeatable else self.default

    def collect(self, converted: Iterable[Any]) -> Any:
        """The final value from the converted tokens, in order: repeats flattened into one tuple."""
        items = list(converted)
        if self.is_flag:
            return bool(items and items[-1])
        if not self.repeatable:
            return items[-1] if items else self.default
        flat: list[Any] = []
        for item in items:
            flat.extend(item if isinstance(item, tuple) else (item,))
        return tuple(flat)


def _commands(*names: str | Iterable[str]) -> frozenset[str]:
    """A set of command names from names and groups of names."""
    found: set[str] = set()
    for name in names:
        found.update((name,) if isinstance(name, str) else name)
    return frozenset(found)


def _categories(kinds: Sequence[str]) -> Sequence[str]:
    """The categories records of these kinds may have."""
    return sorted({c for kind in kinds for c in CATEGORIES[kind]})


def _types(kinds: Sequence[str]) -> Sequence[str]:
    """The agreement types, when agreements are among the kinds."""
    return AGREEMENT_TYPES if "agreement" in kinds else ()


def _statuses(kinds: Sequence[str]) -> Sequence[str]:
    """The agreement statuses, when agreements are among the kinds."""
    return AGREEMENT_STATUSES if "agreement" in kinds else ()


_QUERYING = _commands(LISTINGS, OVERVIEWS)  # commands that run a query
_SORTING = _commands(LISTINGS)
_AGREEMENTS = _commands("agreements", "search", OVERVIEWS)
_ACTORS = _commands("events", "agreements", "search", OVERVIEWS)
_AID = _commands("aid", "search", OVERVIEWS)
_EVENTS = _commands("events", "search", OVERVIEWS)
_TEXT = _commands("events", "aid", "agreements", "actors", OVERVIEWS)
_EVERY = _commands(ROOT, COMMANDS)
_FIELDS = _commands(LISTINGS, "sources", "actors", "timeline")
_RESULTS = _commands(LISTINGS, "sources", "actors", "timeline", "summary", "categories", "cite")

OPTIONS: tuple[Option, ...] = (
    Option(
        "years",
        ("--year", "-y"),
        "Records whose date overlaps this year; repeat, or give 2015,2016 or 2015-2017, for any of them.",
        _QUERYING,
        metavar="YEAR",
        convert=years,
        repeatable=True,
    ),
    Option(
        "date_from",
        ("--from",),
        "Records dated on or after this YYYY, YYYY-MM or YYYY-MM-DD.",
        _QUERYING,
        metavar="DATE",
        convert=date_from,
    ),
    Option(
        "date_to",
        ("--to",),
        "Records dated on or before this YYYY, YYYY-MM or YYYY-MM-DD.",
        _QUERYING,
        metavar="DATE",
        convert=date_to,
    ),
    Option(
        "categories",
        ("--category", "-c"),
        "Only this category; repeat, or give a comma list, for any of them.",
        _QUERYING,
        metavar="CATEGORY",
        convert=words,
        repeatable=True,
        complete="choices",
        choices=_categories,
        noun="category",
    ),
    Option(
        "types",
        ("--type",),
        "Only agreements of this type; repeat, or give a comma list, for any of them.",
        _AGREEMENTS,
        metavar="TYPE",
        convert=words,
        repeatable=True,
        complete="choices",
        choices=_types,
        noun="agreement type",
    ),
    Option(
        "statuses",
        ("--status",),
        "Only agreements of this status (announced, signed, 'in force', reported); repeat or give a comma list.",
        _AGREEMENTS,
        metavar="STATUS",
        convert=statuses,
        repeatable=True,
        complete="choices",
        choices=_statuses,
        noun="agreement status",
    ),
    Option(
        "actor",
        ("--actor",),
        "An actor or party: id, name or any alias (case- and accent-blind).",
        _ACTORS,
        metavar="NAME",
        complete="actor",
    ),
    Option(
        "donor",
        ("--donor",),
        "Aid from this donor: id, name or any alias (case- and accent-blind).",
        _AID,
        metavar="NAME",
        complete="actor",
    ),
    Option(
        "recipient",
        ("--recipient",),
        "Aid to this recipient: id, name or any alias (case- and accent-blind).",
        _AID,
        metavar="NAME",
        complete="actor",
    ),
    Option(
        "country",
        ("--country",),
        "Records with an actor, party, donor or recipient of this ISO country code (PK, AZ...).",
        _QUERYING,
        metavar="CODE",
        convert=country,
    ),
    Option(
        "country",
        ("--country",),
        "Actors of this ISO country code (PK, AZ...); a state's is its own.",
        frozenset({"actors"}),
        metavar="CODE",
        convert=country,
    ),
    Option(
        "donor_country",
        ("--donor-country",),
        "Aid from a donor of this ISO country code: a state, or a body or person of that country.",
        _AID,
        metavar="CODE",
        convert=country,
    ),
    Option(
        "recipient_country",
        ("--recipient-country",),
        "Aid to a recipient of this ISO country code.",
        _AID,
        metavar="CODE",
        convert=country,
    ),
    Option(
        "place",
        ("--place",),
        "Events held in this city or country (a name or ISO code; case- and accent-blind).",
        _EVENTS,
        metavar="PLACE",
    ),
    Option("disputed", ("--disputed",), "Only records on which the sources disagree.", _QUERYING, is_flag=True),
    Option(
        "actor_kinds",
        ("--kind",),
        "Only actors of this kind (person, state, organisation); repeat or give a comma list.",
        frozenset({"actors"}),
        metavar="KIND",
        convert=words,
        repeatable=True,
        complete="choices",
        choices=lambda kinds: ACTOR_KINDS,
        noun="actor kind",
    ),
    Option(
        "role",
        ("--role",),
        "Actors who held a role with this title (president, ambassador...; case- and accent-blind).",
        frozenset({"actors"}),
        metavar="TEXT",
    ),
    Option(
        "text",
        ("--search", "-s"),
        "Words to find, as in `relations search`: all must hold; OR, -word, prefix*; case- and accent-blind.",
        _TEXT,
        metavar="TEXT",
    ),
    Option("source", ("--source",), "Records citing this source id.", _QUERYING, metavar="ID", complete="source"),
    Option(
        "sort",
        ("--sort",),
        "Sort field; -FIELD for descending. Undated records come last.",
        _SORTING,
        metavar="FIELD",
        convert=word,
        default="date",
        complete="choices",
        choices=lambda kinds: (*SORT_FIELDS, *(f"-{f}" for f in SORT_FIELDS)),
    ),
    Option("limit", ("--limit",), "At most this many records.", _SORTING, metavar="N", type=int),
    Option(
        "fmt",
        ("--format", "-f"),
        "table, tsv, csv, json, jsonl or markdown (default: table on a terminal, tsv in a pipe).",
        _commands(LISTINGS, "sources", "actors", "show", "timeline", "summary", "categories"),
        metavar="FORMAT",
        convert=word,
        complete="choices",
        choices=lambda kinds: FORMATS,
        noun="format",
    ),
    Option(
        "fmt",
        ("--format", "-f"),
        "sqlite, json or csv (a directory of CSV files). Default: from the suffix: .db/.sqlite, .json.",
        frozenset({"export"}),
        metavar="FORMAT",
        convert=word,
        complete="choices",
        choices=lambda kinds: EXPORT_FORMATS,
        noun="export format",
    ),
    Option(
        "fields",
        ("--fields",),
        "Comma-separated columns, in order, e.g. id,date,title.",
        _FIELDS,
        metavar="FIELDS",
        convert=field_list,
    ),
    Option("cite", ("--cite",), "Print the sources behind the rows under the output.", _SORTING, is_flag=True),
    Option(
        "exit_status",
        ("--exit-status",),
        "Exit 1 when nothing matched, as grep does.",
        _RESULTS,
        is_flag=True,
    ),
    Option(
        "per",
        ("--per",),
        "Years per bar of the chart (default: as fits).",
        frozenset({"timeline"}),
        metavar="YEARS",
        convert=per,
    ),
    Option(
        "style",
        ("--style",),
        "markdown, bibtex or csl-json.",
        frozenset({"cite"}),
        metavar="STYLE",
        convert=word,
        default="markdown",
        complete="choices",
        choices=lambda kinds: CITE_STYLES,
        noun="citation style",
    ),
    Option("force", ("--force",), "Replace PATH if it exists.", frozenset({"export"}), is_flag=True),
    Option(
        "table",
        ("--kind",),
        "With PATH '-' and --format csv: the one table to write (sources, actors, events, aid or agreements).",
        frozenset({"export"}),
        metavar="TABLE",
        choices=lambda kinds: EXPORT_TABLES,
        noun="table",
    ),
    # Global: taken by the root and, after the command, by every command.
    Option(
        "data",
        ("--data",),
        "Dataset file to read (default: $RELATIONS_DATA, then the bundled one).",
        _EVERY,
        metavar="PATH",
        type=Path,
        complete="path",
    ),
    Option(
        "no_cache", ("--no-cache",), "Read and validate the file afresh, bypassing the cache.", _EVERY, is_flag=True
    ),
    Option(
        "no_pager",
        ("--no-pager",),
        "Print straight to the terminal, never through $RELATIONS_PAGER, $PAGER or less.",
        _EVERY,
        is_flag=True,
    ),
    Option("version", ("--version",), "Show the version and exit.", frozenset({ROOT}), is_flag=True, eager=True),
)

# Options people reach for from other tools, and what this one calls them.
IDIOMS: dict[str, str] = {
    "--json": "--format json",
    "--jsonl": "--format jsonl",
    "--ndjson": "--format jsonl",
    "--csv": "--format csv",
    "--tsv": "--format tsv",
    "--markdown": "--format markdown",
    "--md": "--format markdown",
    "--table": "--format table",
    "--sqlite": "--format sqlite",
}


def options_for(command: str) -> tuple[Option, ...]:
    """The options a command takes, in table order."""
    return tuple(o for o in OPTIONS if command in o.commands)


def flags_of(command: str) -> dict[str, Option]:
    """Every flag a command takes, mapped to its option."""
    return {flag: o for o in options_for(command) for flag in o.flags}


def defaults(command: str) -> dict[str, Any]:
    """The value of every option of a command that was not given."""
    return {o.dest: o.empty() for o in options_for(command) if not o.eager}


# `relations search flood -earthquake`: in the words of `search`, `-word` excludes a word unless it is one
# of the command's options. The Typer front end marks such words with a minus sign (U+2212), which
# Click takes for an argument and the search reads as a `-`.
MINUS = "\u2212"


def is_excluded_word(flags: dict[str, Option], token: str) -> bool:
    """True when `token` is a `-word` to exclude, not an option: `-earthquake`, but not `-y` or `-y2015`."""
    if not token.startswith("-") or token.startswith("--") or len(token) < 2 or token in flags or token == "-h":
        return False
    option = flags.get(token[:2])
    if option is None or option.is_flag or option.eager:
        return True
    try:
        value = option.convert(token[2:]) if option.convert is not None else option.type(token[2:])
    except ValueError:
        return True
    if option.choices is None or not option.noun:
        return False
    valid = set(option.choices(kinds_of("search")))
    return any(item not in valid for item in (value if isinstance(value, tuple) else (value,)))


def mark_excluded_words(command: str, args: Sequence[str]) -> list[str]:
    """The arguments of `search` with each `-word` to exclude written `−word`, so that Click takes it for a word.

    Walks the arguments as the parser would: the value of an option is never a word, and after `--`
    every argument already is one.
    """
    if command != "search":
        return list(args)
    flags = flags_of(command)
    marked: list[str] = []
    index = 0
    while index < len(args):
        token = args[index]
        index += 1
        if token == "--":
            marked += [token, *args[index:]]
            break
        if is_excluded_word(flags, token):
            marked.append(MINUS + token[1:])
            continue
        marked.append(token)
        option = flags.get(token)
        if option is not None and not option.is_flag and index < len(args):
            marked.append(args[index])
            index += 1
    return marked


def wants_pager(args: Sequence[str]) -> bool:
    """False when `--no-pager` is among the arguments (before `--`), wherever the command is."""
    end = list(args).index("--") if "--" in args else len(args)
    return "--no-pager" not in args[:end]


def idiom(command: str, flag: str) -> str | None:
    """What this tool calls an option from another tool, when the command has it (`--json` -> `--format json`)."""
    name = flag.partition("=")[0].lower()
    meant = IDIOMS.get(name)
    if meant is None:
        return None
    wanted = meant.split()
    option = flags_of(command).get(wanted[0])
    if option is None or option.choices is None or wanted[1] not in option.choices(kinds_of(command)):
        return None
    return meant
