"""What every command shares once its options are parsed: state, loading, output, errors and exit codes.

No Typer here: the quick path in `entry.py` and the Typer commands in `cli/` both call this module,
so both print the same for the same arguments.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from enum import IntEnum
from pathlib import Path

from relations_cli.dataset import DatasetError, printable, resolve_path
from relations_cli.model import Actor, Dataset, Record, Source, Value, field_names
from relations_cli.options import LISTINGS, MINUS, PROG, kinds_of, options_for
from relations_cli.query import Query, QueryError, run, unknown_value
from relations_cli.render import (
    DEFAULT_FIELDS,
    FORMATS,
    HEADED,
    Listing,
    ascii_only,
    fields_of,
    render,
    shaped_json,
    to_dict,
    write_json_objects,
)

TYPE_CHECKING = False  # `typing` costs milliseconds at start-up; only the type checker needs it here
if TYPE_CHECKING:
    import sqlite3
    from typing import IO, Any, NoReturn

    from relations_cli.store import Candidates

# The parsed options of one invocation, by destination (see options.OPTIONS).
if TYPE_CHECKING:
    Values = Mapping[str, Any]
else:
    Values = Mapping  # at run time, without importing typing (Typer reads it in the command signatures)
QUERY_FIELDS: frozenset[str] = frozenset(field_names(Query)) - {"kinds", "text"}


class ExitCode(IntEnum):
    """The exit codes of `relations`, as documented in the README."""

    OK = 0
    DATASET_ERROR = 1  # the dataset cannot be read or is invalid; an export cannot be written
    NOT_FOUND = 1  # a record named by id does not exist
    NO_MATCH = 1  # nothing matched, with --exit-status
    USAGE = 2  # a command, option or value that does not exist or does not fit
    INTERRUPTED = 130  # Ctrl-C


class Stop(SystemExit):
    """End the command with an exit code; the message, if any, is already on stderr."""


# ---------------------------------------------------------------------------
# Pager: output taller than the terminal goes through one, as git and gh do
# ---------------------------------------------------------------------------

DEFAULT_PAGER = "less -FRX"


def pager_command(environ: Mapping[str, str] | None = None) -> list[str] | None:
    """The pager to run: `$RELATIONS_PAGER`, else `$PAGER`, else `less -FRX`; None when empty or `cat`."""
    import shlex

    env = os.environ if environ is None else environ
    value = next((env[name] for name in ("RELATIONS_PAGER", "PAGER") if name in env), DEFAULT_PAGER)
    try:
        argv = shlex.split(value)
    except ValueError:
        return None
    if not argv or Path(argv[0]).name == "cat":
        return None
    return argv


class _Screen(io.StringIO):
    """What a command writes for the terminal, kept until it ends: printed, or handed to a pager if taller."""

    def __init__(self, terminal: IO[str]) -> None:
        """Stand in for `terminal`, with its encoding."""
        super().__init__()
        self.terminal = terminal

    def isatty(self) -> bool:
        """Output is meant for a terminal: tables, colour and widths as on one."""
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        """The terminal's encoding, so that JSON and tables escape what it cannot show."""
        return getattr(self.terminal, "encoding", None) or "utf-8"


def _on_terminal(stream: IO[str] | None) -> bool:
    """True when `stream` is an open terminal."""
    try:
        return stream is not None and stream.isatty()
    except (ValueError, OSError):
        return False


@contextmanager
def paging(wanted: bool = True) -> Iterator[None]:
    """Send stdout through the pager when it is a terminal and the output is taller than it.

    Nothing changes in a pipe, with `--no-pager` (`wanted` False), or when the pager is empty or `cat`.
    Interrupted output is printed as it is; a pager that cannot be started means printing directly.
    """
    terminal = sys.stdout
    command = pager_command() if wanted and _on_terminal(terminal) else None
    if command is None:
        yield
        return
    screen = _Screen(terminal)
    sys.stdout = screen
    page = True
    try:
        yield
    except KeyboardInterrupt:
        page = False
        raise
    finally:
        sys.stdout = terminal
        text = screen.getvalue()
        if text and not (page and _taller_than_terminal(text) and _page(command, text, terminal)):
            terminal.write(text)
            terminal.flush()


def _taller_than_terminal(text: str) -> bool:
    """True when the text has more lines than the terminal (`LINES` if set)."""
    import shutil

    return text.count("\n") > max(shutil.get_terminal_size().lines, 1)


def _page(command: list[str], text: str, terminal: IO[str]) -> bool:
    """Show text through the pager; False when the pager cannot be started."""
    import subprocess

    env = {**os.environ}
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")
    terminal.flush()
    try:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, env=env)
    except (OSError, ValueError):
        return False
    assert process.stdin is not None
    encoding = getattr(terminal, "encoding", None) or "utf-8"
    with suppress(BrokenPipeError, OSError):  # the reader quit before the end
        process.stdin.write(text.encode(encoding, "backslashreplace"))
    with suppress(BrokenPipeError, OSError):
        process.stdin.close()
    while True:
        try:
            process.wait()
            return True
        except KeyboardInterrupt:  # Ctrl-C is the pager's to handle, as git does
            continue


class State(Value):
    """Global options, shared by every command."""

    __slots__ = ("cache", "data")
    data: Path | None
    cache: bool

    def __init__(self, data: Path | None = None, cache: bool = True) -> None:
        """The dataset given with --data (None for the default) and whether to use the store."""
        object.__setattr__(self, "data", data)
        object.__setattr__(self, "cache", cache)

    def given(self, values: Values) -> State:
        """The state once the global options given after the command are applied (`relations events --data x`)."""
        data = values.get("data") or self.data
        return State(data=data, cache=self.cache and not values.get("no_cache", False))


def fail(message: str, code: ExitCode) -> NoReturn:
    """Print `relations: error: message` on stderr and end with `code`."""
    sys.stderr.write(f"{PROG}: error: {message}\n")
    raise Stop(int(code))


def note(message: str) -> None:
    """A message for the person at the terminal, on stderr."""
    sys.stderr.write(f"{PROG}: {message}\n")


def plural(count: int, noun: str) -> str:
    """`1 event`, `2 events`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def examples(lines: Sequence[str], text: str) -> str:
    """Help that leads with an example block, that Click keeps as written."""
    block = "\n".join(f"  {line}" for line in lines)
    return f"\b\nExamples:\n{block}\n\n{text}"


@contextmanager
def domain_errors() -> Iterator[None]:
    """Turn dataset and query problems into messages on stderr and the documented exit codes."""
    try:
        yield
    except DatasetError as exc:
        for problem in exc.problems:
            sys.stderr.write(f"{problem}\n")
        count = len(exc.problems)
        fail(f"{plural(count, 'problem')} in {printable(exc.problems[0].file)}", ExitCode.DATASET_ERROR)
    except QueryError as exc:
        fail(str(exc), ExitCode.USAGE)


def load_dataset(state: State | None) -> Dataset:
    """Load the dataset chosen by `--data`, `RELATIONS_DATA` or the bundled default."""
    from relations_cli.store import load_cached

    state = state or State()
    with domain_errors():
        return load_cached(resolve_path(state.data), use_cache=state.cache)
    raise AssertionError("unreachable")  # pragma: no cover


def load_candidates(state: State, query: Query, shown: bool = False, undated: bool = False) -> Candidates:
    """The records of the chosen dataset that may match `query` (from the cache, only those), and the total.

    With `shown`, also their JSON as printed, when it comes from the store; with `undated`, only the
    undated ones when they come from the store.
    """
    from relations_cli.store import load_candidates as candidates_for

    with domain_errors():
        return candidates_for(resolve_path(state.data), query, use_cache=state.cache, shown=shown, undated=undated)
    raise AssertionError("unreachable")  # pragma: no cover


def load_record(state: State, record_id: str) -> Dataset | None:
    """The chosen dataset with only the record `record_id` (one row of the store), or None when no record has it."""
    from relations_cli.store import load_record as record_of

    with domain_errors():
        found = record_of(resolve_path(state.data), record_id, use_cache=state.cache)
    return None if found.known is not None else found.dataset


@contextmanager
def store_of(state: State) -> Iterator[sqlite3.Connection | None]:
    """A read-only connection to the chosen dataset's store, or None when it has none (after a load builds it)."""
    from relations_cli.store import opened

    with opened(resolve_path(state.data), use_cache=state.cache) as connection:
        yield connection


def missing_record(ident: str, known: Sequence[str], what: str = "record") -> NoReturn:
    """End with exit 1: nothing (`what`) has this id; suggest the closest ones."""
    import difflib

    close = difflib.get_close_matches(ident, sorted(known), n=3, cutoff=0.4)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    fail(f"no {what} with id '{ident}'{hint}", ExitCode.NOT_FOUND)


def choose_format(fmt: str | None, valid: Sequence[str] = FORMATS) -> str:
    """The asked format, or a table on a terminal and TSV in a pipe."""
    if fmt is None:
        return "table" if sys.stdout.isatty() else "tsv"
    if fmt not in valid:
        fail(unknown_value("format", fmt, valid), ExitCode.USAGE)
    return fmt


def choose_fields(chosen: Sequence[str] | None, valid: Sequence[str], default: Sequence[str]) -> tuple[str, ...]:
    """The `--fields` list, checked against the valid columns; the default when not given."""
    if chosen is None:
        return tuple(default)
    if not chosen:
        fail(f"--fields names no field (valid: {', '.join(valid)})", ExitCode.USAGE)
    for name in chosen:
        if name not in valid:
            fail(unknown_value("field", name, valid), ExitCode.USAGE)
    return tuple(chosen)


def check_choices(command: str, values: Values) -> None:
    """End with exit 2 on a value outside an option's closed list for this command, suggesting the closest."""
    kinds = kinds_of(command)
    for option in options_for(command):
        value = values.get(option.dest)
        if option.choices is None or not option.noun or value is None:
            continue
        valid = list(option.choices(kinds))
        for item in value if isinstance(value, tuple) else (value,):
            if item not in valid:
                fail(unknown_value(option.noun, item, valid), ExitCode.USAGE)


def build_query(command: str, values: Values, words: Sequence[str] = ()) -> Query:
    """The checked query of a command: option values go by name into the Query fields they are named for."""
    check_choices(command, values)
    words = ["-" + w[1:] if w.startswith(MINUS) else w for w in words]  # see options.mark_excluded_words
    text = " ".join(w for w in (*words, values.get("text")) if w) or None
    given = {name: value for name, value in values.items() if name in QUERY_FIELDS and value is not None}
    query = Query(kinds=kinds_of(command), text=text, **given)
    with domain_errors():
        query.check()
    return query


def check_source(dataset: Dataset, query: Query) -> None:
    """End with exit 2 when `--source` names a source the dataset does not define."""
    if query.source and dataset.source(query.source) is None:
        fail(unknown_value("source", query.source, [s.id for s in dataset.sources]), ExitCode.USAGE)


def select(
    state: State, command: str, values: Values, words: Sequence[str] = ()
) -> tuple[Dataset, Query, list[Record]]:
    """Check the options, load the dataset and run the query: the first half of every query command."""
    query = build_query(command, values, words)
    dataset = load_dataset(state)
    check_source(dataset, query)
    note_past_sources(dataset, query)
    return dataset, query, run(dataset.records(), query, dataset.actors)


def newest_source(dataset: Dataset) -> Source | None:
    """The source published last (by the last day its date may mean), or None when no source is dated."""
    dated = [s for s in dataset.sources if s.published]
    return max(dated, key=lambda s: (s.published_until, s.id)) if dated else None


def note_past_sources(dataset: Dataset, query: Query) -> None:
    """Say on stderr where the sources end when the date filters ask only for days after that."""
    newest = newest_source(dataset)
    first = query.first_day
    if newest is None or first is None or newest.published_until is None or first <= newest.published_until:
        return
    note(f"note: the sources end on {newest.published}; nothing after that date is known")


def undated_left_out(state: State, query: Query) -> int:
    """How many undated records would match but for the year and date filters (0 without such filters)."""
    if not query.dated:
        return 0
    undated = query.replace(years=(), date_from=None, date_to=None, limit=None)
    everything = load_candidates(state, undated, undated=True).dataset  # from a store, only undated rows
    return sum(1 for r in run(everything.records(), undated, everything.actors) if r.date is None)


def prepare_streams() -> None:
    """Never crash on a character the terminal's encoding lacks: escape it instead."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure") and getattr(stream, "errors", "") == "strict":
            with suppress(ValueError, OSError):
                stream.reconfigure(errors="backslashreplace")


ENDINGS = (BrokenPipeError, OSError, KeyboardInterrupt, MemoryError)


def ended(exc: BaseException) -> int:
    """The exit code for a run ended by one of ENDINGS, after saying on stderr what happened.

    A reader that closed the pipe (`| head`) is a quiet success; a failed write (a full disk) exit 1;
    Ctrl-C exit 130; running out of memory exit 1 with one line, never a traceback.
    """
    if isinstance(exc, BrokenPipeError):
        silence_stdout()
        return ExitCode.OK
    if isinstance(exc, OSError):
        return output_failed(exc)
    if isinstance(exc, KeyboardInterrupt):
        sys.stderr.write("\n")
        return ExitCode.INTERRUPTED
    sys.stderr.write(f"{PROG}: error: out of memory (is the dataset far larger than it should be?)\n")
    return ExitCode.DATASET_ERROR


def output_failed(exc: OSError) -> int:
    """Say on stderr that standard output could not be written (a full disk, a closed device); exit 1."""
    reason = exc.strerror or str(exc)
    silence_stdout()
    with suppress(OSError, ValueError):
        sys.stderr.write(f"{PROG}: error: cannot write the output: {reason}\n")
    return ExitCode.DATASET_ERROR


def silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    with suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


@contextmanager
def closed_pipe_is_quiet() -> Iterator[None]:
    """A reader that closes the pipe early (`| head -1`) ends the command quietly with exit 0."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
        raise Stop(int(ExitCode.OK)) from None


def ascii_stdout() -> bool:
    """True when stdout cannot encode all of Unicode, so JSON must escape non-ASCII."""
    return ascii_only(sys.stdout)


def emit(write: Callable[[IO[str]], object]) -> None:
    """Write to stdout; a reader that went away (`| head`) ends the command quietly."""
    with closed_pipe_is_quiet():
        write(sys.stdout)


def matched(found: bool, values: Values) -> None:
    """With `--exit-status`, end with exit 1 when nothing matched, as grep does."""
    if not found and values.get("exit_status"):
        raise Stop(int(ExitCode.NO_MATCH))


def output(listing: Listing, fmt: str | None, values: Values | None = None) -> None:
    """Print a listing in the chosen format; when nothing matched, tell the terminal on stderr."""
    chosen = choose_format(fmt)
    with closed_pipe_is_quiet():
        if listing.rows or chosen == "json" or chosen in HEADED:
            render(listing, chosen, sys.stdout)
    if not listing.rows and sys.stderr.isatty():
        note(f"no {listing.label} matched ({listing.caption()})")
    matched(bool(listing.rows), values or {})


def list_records(state: State, command: str, values: Values, words: Sequence[str] = ()) -> None:
    """Run a listing command: filter, then print in the chosen format and fields.

    With `--cite`, the sources behind the rows follow a table or Markdown on stdout; with
    the other formats they go to stderr, so that stdout stays machine-readable.
    """
    kinds, label = LISTINGS[command]
    chosen = choose_format(values.get("fmt"))
    default = DEFAULT_FIELDS[kinds[0] if len(kinds) == 1 else "all"]
    every = fields_of(kinds)
    columns = choose_fields(values.get("fields"), every, every if chosen in ("json", "jsonl") else default)
    query = build_query(command, values, words)
    candidates = load_candidates(state, query, shown=chosen == "json")
    dataset = candidates.dataset  # all sources; of the records, only those that may match
    check_source(dataset, query)
    note_past_sources(dataset, query)
    records = run(dataset.records(), query, dataset.actors)
    filters = query.describe()
    left_out = undated_left_out(state, query) if chosen == "table" else 0
    if left_out:
        filters.append(f"{plural(left_out, 'undated record')} left out by the date filter")
    citations = ""
    if values.get("cite") and records:
        from relations_cli.cite import cite_text

        citations = cite_text(dataset, records, "markdown")
    inline = chosen in ("table", "markdown")
    footer = ["", *citations.splitlines()] if citations and chosen == "table" else []
    texts = stored_json(candidates, records, columns) if chosen == "json" and records else None
    if texts is not None:
        with closed_pipe_is_quiet():
            write_json_objects(texts, sys.stdout)
    else:
        rows = [to_dict(r) for r in records]
        fixed = values.get("fields") is not None
        output(Listing(rows, columns, label, candidates.total, filters, footer, fixed=fixed), chosen)
    if citations and chosen != "table":
        with closed_pipe_is_quiet():
            (sys.stdout if inline else sys.stderr).write("\n" + citations.rstrip("\n") + "\n")
    matched(bool(records), values)


def stored_json(candidates: Candidates, records: Sequence[Record], fields: Sequence[str]) -> list[bytes] | None:
    """The objects `--format json` prints for these records, put together from the store's copy of their JSON.

    None when there is no such copy (no store, or not asked for), or when stdout needs ASCII escapes.
    """
    shown = candidates.shown
    if shown is None or ascii_stdout():
        return None
    chosen = tuple(fields)
    try:
        return [shaped_json(shown[r.id], r.kind, chosen) for r in records]
    except (KeyError, ValueError):
        return None


def print_sources(dataset: Dataset, values: Values) -> None:
    """List the sources with how many records cite each; a table ends with the span of their publication dates."""
    from relations_cli.overview import citing_counts
    from relations_cli.render import SOURCE_COLUMNS, SOURCE_DEFAULT_COLUMNS, source_dict

    chosen = choose_format(values.get("fmt"))
    counts = citing_counts(dataset)
    rows = [source_dict(s, counts[s.id]) for s in dataset.sources]
    default = SOURCE_COLUMNS if chosen in ("json", "jsonl") else SOURCE_DEFAULT_COLUMNS
    columns = choose_fields(values.get("fields"), SOURCE_COLUMNS, default)
    fixed = values.get("fields") is not None
    footer = [coverage(dataset)] if dataset.sources else []
    output(Listing(rows, columns, "sources", len(rows), footer=footer, fixed=fixed), chosen, values)


def coverage(dataset: Dataset) -> str:
    """The span of the sources' publication dates: `published 2017-01-16 – 2024-07-12 (1 undated)`."""
    dated = sorted((s for s in dataset.sources if s.published), key=lambda s: (s.published_until, s.id))
    undated = len(dataset.sources) - len(dated)
    first, last = (dated[0].published, dated[-1].published) if dated else (None, None)
    span = "no source is dated" if not dated else f"published {first}" + (f" – {last}" if last != first else "")
    return span + (f" ({undated} undated)" if undated and dated else "")


def version_text(state: State) -> str:
    """`relations 0.1.0 (dataset version 2, sources up to 2017-01-16)`: the tool, the dataset and where it ends."""
    from relations_cli import __version__
    from relations_cli.store import load_cached

    try:
        dataset = load_cached(resolve_path(state.data), use_cache=state.cache)
    except (DatasetError, OSError):
        return f"{PROG} {__version__} (the dataset cannot be read: see relations validate)"
    version = dict(dataset.meta).get("version")
    newest = newest_source(dataset)
    parts = [f"dataset version {version}" if version else "dataset without a version"]
    parts.append(f"sources up to {newest.published}" if newest else "no dated source")
    return f"{PROG} {__version__} ({', '.join(parts)})"


def filter_actors_of(dataset: Dataset, values: Values) -> list[Actor]:
    """The actors the `actors` command's filters keep, in file order (choices checked, exit 2 on a bad one)."""
    from relations_cli.query import filter_actors

    check_choices("actors", values)
    text = values.get("text")
    if text is not None and text.strip():
        from relations_cli.query import parse_search

        if not parse_search(text):
            fail(f"nothing to search for in '{text}': give a word of letters or digits", ExitCode.USAGE)
    return filter_actors(
        dataset.actors,
        kinds=values.get("actor_kinds") or (),
        country=values.get("country"),
        role=values.get("role"),
        text=text,
    )


def print_actors(dataset: Dataset, values: Values) -> None:
    """List actors with their current or last role and how many records involve each."""
    from relations_cli.render import ACTOR_COLUMNS, ACTOR_DEFAULT_COLUMNS, actor_dict, involving_counts

    chosen = choose_format(values.get("fmt"))
    default = ACTOR_COLUMNS if chosen in ("json", "jsonl") else ACTOR_DEFAULT_COLUMNS
    columns = choose_fields(values.get("fields"), ACTOR_COLUMNS, default)
    actors = filter_actors_of(dataset, values)
    counts = involving_counts(dataset.actors, dataset.records())
    rows = [actor_dict(a, counts[a.id]) for a in actors]
    filters = [
        f"{label} '{value}'"
        for label, value in (
            ("kind", " or ".join(values.get("actor_kinds") or ())),
            ("country", values.get("country")),
            ("role", values.get("role")),
            ("text", values.get("text")),
        )
        if value
    ]
    fixed = values.get("fields") is not None
    output(Listing(rows, columns, "actors", len(dataset.actors), filters, fixed=fixed), chosen, values)


def _holds_words(name: str, words: Sequence[str]) -> bool:
    """True when every word is a whole word of the (folded) name."""
    parts = name.replace("-", " ").split()
    return all(word in parts for word in words)


def find_any(dataset: Dataset, ident: str) -> Record | Actor | Source:
    """The record, actor or source with this id (or the actor with this name or alias); else exit 1, suggesting."""
    from relations_cli.query import fold

    record = next((r for r in dataset.records() if r.id == ident), None)
    found = record or dataset.actor(ident) or dataset.source(ident)
    if found is not None:
        return found
    folded = fold(ident.strip())
    named = [a for a in dataset.actors if any(fold(s) == folded for s in a.spellings())]
    if len(named) == 1:
        return named[0]
    words = folded.split()  # a part of a name ("alizada"): the one actor whose name holds those words
    partly = [a for a in dataset.actors if words and any(_holds_words(fold(s), words) for s in a.spellings())]
    if len(partly) == 1:
        return partly[0]
    known = [*(r.id for r in dataset.records()), *(a.id for a in dataset.actors), *(s.id for s in dataset.sources)]
    missing_record(ident, known, "record, actor or source")


def show(state: State, ident: str, values: Values) -> None:
    """The `show` command: one record (one row of a store), else an actor or source from the whole dataset."""
    dataset = load_record(state, ident)
    print_record(dataset if dataset is not None else load_dataset(state), ident, values.get("fmt"))


def print_record(dataset: Dataset, ident: str, fmt: str | None) -> None:
    """Show one record, actor or source whole; an unknown id ends with exit 1 and suggestions."""
    from relations_cli import render as r
    from relations_cli.query import sort_records

    found = find_any(dataset, ident)
    chosen = choose_format(fmt)
    detail: dict[str, Any]
    if isinstance(found, Actor):
        records = sort_records([x for x in dataset.records() if found.id in x.actor_ids()], "date")
        detail = r.actor_detail(found, records, dataset)
        pairs = r.actor_pairs(found, records, dataset)
        row = Listing([r.actor_dict(found, len(records))], r.ACTOR_COLUMNS, "actors")
    elif isinstance(found, Source):
        records = sort_records([x for x in dataset.records() if any(c.source == found.id for c in x.sources)], "date")
        detail = r.source_detail(found, records)
        pairs = r.source_pairs(found, records)
        row = Listing([r.source_dict(found, len(records))], r.SOURCE_COLUMNS, "sources")
    else:
        detail = r.record_detail(found, dataset)
        pairs = r.record_pairs(found, dataset)
        row = Listing([to_dict(found)], fields_of((found.kind,)), "records")
    with closed_pipe_is_quiet():
        if chosen == "table":
            r.render_detail(pairs, sys.stdout)
        elif chosen in ("json", "jsonl"):
            import json

            indent = 2 if chosen == "json" else None
            sys.stdout.write(json.dumps(detail, ensure_ascii=ascii_stdout(), indent=indent) + "\n")
        elif chosen == "tsv":
            sys.stdout.write(r.detail_lines(pairs))
        else:
            render(row, chosen, sys.stdout)
