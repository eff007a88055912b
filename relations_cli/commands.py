"""What the listing commands do once their options are parsed, without Typer, so any front end can call it."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from relations_cli.dataset import DatasetError, printable, resolve_path
from relations_cli.model import CATEGORIES, Dataset, Record
from relations_cli.query import Query, QueryError, run, unknown_value
from relations_cli.render import DEFAULT_FIELDS, FORMATS, Listing, fields_of, render, to_dict

if TYPE_CHECKING:
    from relations_cli.store import Candidates

PROG = "relations"
# The listing commands: the kinds each one lists and what it calls them in a caption.
LISTINGS: dict[str, tuple[tuple[str, ...], str]] = {
    "events": (("event",), "events"),
    "aid": (("aid",), "aid records"),
    "agreements": (("agreement",), "agreements"),
    "search": (("event", "aid", "agreement"), "records"),
}
MACHINE_FORMATS = ("json", "jsonl", "csv", "tsv")


class Stop(SystemExit):
    """End the command with an exit code; the message, if any, is already on stderr."""


@dataclass
class State:
    """Global options, shared by every command."""

    data: Path | None = None
    cache: bool = True


def fail(message: str, code: int) -> NoReturn:
    """Print `relations: error: message` on stderr and end with `code`."""
    sys.stderr.write(f"{PROG}: error: {message}\n")
    raise Stop(code)


def note(message: str) -> None:
    """A message for the person at the terminal, on stderr."""
    sys.stderr.write(f"{PROG}: {message}\n")


@contextmanager
def domain_errors() -> Iterator[None]:
    """Turn dataset and query problems into messages on stderr and the documented exit codes."""
    try:
        yield
    except DatasetError as exc:
        for problem in exc.problems:
            sys.stderr.write(f"{problem}\n")
        count = len(exc.problems)
        fail(f"{count} problem{'s' if count != 1 else ''} in {printable(exc.problems[0].file)}", 1)
    except QueryError as exc:
        fail(str(exc), 2)


def load_dataset(state: State | None) -> Dataset:
    """Load the dataset chosen by `--data`, `RELATIONS_DATA` or the bundled default."""
    from relations_cli.store import load_cached

    state = state or State()
    with domain_errors():
        return load_cached(resolve_path(state.data), use_cache=state.cache)
    raise AssertionError("unreachable")  # pragma: no cover


def load_candidates(state: State, query: Query) -> Candidates:
    """The records of the chosen dataset that may match `query` (from the cache, only those), and the total."""
    from relations_cli.store import load_candidates as candidates_for

    with domain_errors():
        return candidates_for(resolve_path(state.data), query, use_cache=state.cache)
    raise AssertionError("unreachable")  # pragma: no cover


def choose_format(fmt: str | None) -> str:
    """The asked format, or a table on a terminal and TSV in a pipe."""
    if fmt is None:
        return "table" if sys.stdout.isatty() else "tsv"
    if fmt not in FORMATS:
        fail(unknown_value("format", fmt, FORMATS), 2)
    return fmt


def choose_fields(fields: str | None, valid: Sequence[str], default: Sequence[str]) -> tuple[str, ...]:
    """The `--fields` list, checked against the valid columns; the default when not given."""
    if fields is None:
        return tuple(default)
    chosen = tuple(f.strip() for f in fields.split(",") if f.strip())
    if not chosen:
        fail(f"--fields names no field (valid: {', '.join(valid)})", 2)
    for name in chosen:
        if name not in valid:
            fail(unknown_value("field", name, valid), 2)
    return chosen


def check_categories(categories: Sequence[str], kinds: Sequence[str]) -> None:
    """End with exit 2 on a category outside the vocabulary of these kinds, suggesting the closest."""
    valid = sorted({c for kind in kinds for c in CATEGORIES[kind]})
    for category in categories:
        if category not in valid:
            fail(unknown_value("category", category, valid), 2)


def prepare_streams() -> None:
    """Never crash on a character the terminal's encoding lacks: escape it instead."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure") and getattr(stream, "errors", "") == "strict":
            with suppress(ValueError, OSError):
                stream.reconfigure(errors="backslashreplace")


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
        raise Stop(0) from None


def output(listing: Listing, fmt: str | None) -> None:
    """Print a listing in the chosen format; when nothing matched, tell the terminal on stderr."""
    chosen = choose_format(fmt)
    with closed_pipe_is_quiet():
        if listing.rows or chosen == "json":
            render(listing, chosen, sys.stdout)
    if not listing.rows and sys.stderr.isatty():
        note(f"no {listing.label} matched ({listing.caption()})")


@dataclass(frozen=True)
class Filters:
    """The filter options a listing command was given, before they are checked."""

    year: Sequence[int] | None = None
    year_from: int | None = None
    year_to: int | None = None
    category: Sequence[str] | None = None
    actor: str | None = None
    donor: str | None = None
    recipient: str | None = None
    search: str | None = None
    source: str | None = None
    sort: str = "date"
    limit: int | None = None

    def query(self, kinds: Sequence[str], text: str | None = None) -> Query:
        """The checked query for records of these kinds."""
        categories = tuple(self.category or ())
        check_categories(categories, kinds)
        words = " ".join(w for w in (text, self.search) if w) or None
        query = Query(
            kinds=tuple(kinds),
            years=tuple(self.year or ()),
            year_from=self.year_from,
            year_to=self.year_to,
            categories=categories,
            actor=self.actor,
            donor=self.donor,
            recipient=self.recipient,
            text=words,
            source=self.source,
            sort=self.sort,
            limit=self.limit,
        )
        with domain_errors():
            query.check()
        return query


def select(
    state: State, kinds: Sequence[str], filters: Filters, text: str | None = None
) -> tuple[Dataset, Query, list[Record]]:
    """Check the filters, load the dataset and run the query: the first half of every listing command."""
    query = filters.query(kinds, text)
    dataset = load_dataset(state)
    check_source(dataset, filters)
    return dataset, query, run(dataset.records(), query, dataset.actors)


def check_source(dataset: Dataset, filters: Filters) -> None:
    """End with exit 2 when `--source` names a source the dataset does not define."""
    if filters.source and dataset.source(filters.source) is None:
        fail(unknown_value("source", filters.source, [s.id for s in dataset.sources]), 2)


def list_records(
    state: State,
    kinds: Sequence[str],
    label: str,
    filters: Filters,
    fmt: str | None,
    fields: str | None,
    text: str | None = None,
    cite: bool = False,
) -> None:
    """Run a listing command: filter, then print in the chosen format and fields.

    With `cite`, the sources behind the rows follow a table or Markdown on stdout; with
    the other formats they go to stderr, so that stdout stays machine-readable.
    """
    chosen = choose_format(fmt)
    default = DEFAULT_FIELDS[kinds[0] if len(kinds) == 1 else "all"]
    columns = choose_fields(fields, fields_of(kinds), fields_of(kinds) if chosen in ("json", "jsonl") else default)
    query = filters.query(kinds, text)
    candidates = load_candidates(state, query)
    dataset = candidates.dataset  # all sources; of the records, only those that may match
    check_source(dataset, filters)
    records = run(dataset.records(), query, dataset.actors)
    total = candidates.total
    citations = ""
    if cite and records:
        from relations_cli.cite import cite_text

        citations = cite_text(dataset, records, "markdown")
    inline = chosen in ("table", "markdown")
    footer = ["", *citations.splitlines()] if citations and chosen == "table" else []
    listing = Listing([to_dict(r) for r in records], columns, label, total, query.describe(), footer)
    output(listing, chosen)
    if citations and chosen != "table":
        with closed_pipe_is_quiet():
            (sys.stdout if inline else sys.stderr).write("\n" + citations.rstrip("\n") + "\n")
