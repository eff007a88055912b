"""The `relations` command line: options become a query, a query becomes output."""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer

from relations_cli import __version__
from relations_cli.dataset import DatasetError, resolve_path
from relations_cli.model import CATEGORIES, KINDS, Dataset, Record
from relations_cli.query import Query, QueryError, run, unknown_value
from relations_cli.render import DEFAULT_FIELDS, FORMATS, Listing, fields_of, render, to_dict

PROG = "relations"


@dataclass
class State:
    """Global options, shared by every command through the Click context."""

    data: Path | None = None
    cache: bool = True


def fail(message: str, code: int) -> NoReturn:
    """Print `relations: error: message` on stderr and exit with `code`."""
    sys.stderr.write(f"{PROG}: error: {message}\n")
    raise typer.Exit(code)


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
        fail(f"{count} problem{'s' if count != 1 else ''} in {exc.problems[0].file}", 1)
    except QueryError as exc:
        fail(str(exc), 2)


def load_dataset(state: State | None) -> Dataset:
    """Load the dataset chosen by `--data`, `RELATIONS_DATA` or the bundled default."""
    from relations_cli.store import load_cached

    state = state or State()
    with domain_errors():
        return load_cached(resolve_path(state.data), use_cache=state.cache)
    raise AssertionError("unreachable")  # pragma: no cover


def state_of(ctx: typer.Context) -> State:
    """The global options of this invocation."""
    root = ctx.find_root()
    return root.obj if isinstance(root.obj, State) else State()


def choose_format(fmt: str | None) -> str:
    """The asked format, or a table on a terminal and TSV in a pipe."""
    if fmt is None:
        return "table" if sys.stdout.isatty() else "tsv"
    if fmt not in FORMATS:
        fail(unknown_value("format", fmt, FORMATS), 2)
    return fmt


def choose_fields(fields: str | None, kinds: Sequence[str], default: Sequence[str]) -> tuple[str, ...]:
    """The `--fields` list, checked against the fields these kinds have."""
    if fields is None:
        return tuple(default)
    valid = fields_of(kinds)
    chosen = tuple(f.strip() for f in fields.split(",") if f.strip())
    if not chosen:
        fail(f"--fields names no field (valid: {', '.join(valid)})", 2)
    for name in chosen:
        if name not in valid:
            fail(unknown_value("field", name, valid), 2)
    return chosen


def check_categories(categories: Sequence[str], kinds: Sequence[str]) -> None:
    """Exit 2 on a category outside the vocabulary of these kinds, suggesting the closest."""
    valid = sorted({c for kind in kinds for c in CATEGORIES[kind]})
    for category in categories:
        if category not in valid:
            fail(unknown_value("category", category, valid), 2)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def output(listing: Listing, fmt: str | None) -> None:
    """Print a listing in the chosen format; when nothing matched, tell the terminal on stderr."""
    chosen = choose_format(fmt)
    try:
        if listing.rows or chosen == "json":
            render(listing, chosen, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        raise typer.Exit(0) from None
    if not listing.rows and sys.stderr.isatty():
        note(f"no {listing.label} matched ({listing.caption()})")


def complete_category(incomplete: str) -> list[str]:
    """Shell completion: categories of every kind that start with what was typed."""
    names = sorted({c for kind in KINDS for c in CATEGORIES[kind]})
    return [n for n in names if n.startswith(incomplete)]


def complete_id(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion: record ids that start with what was typed."""
    try:
        from relations_cli.store import load_cached

        data = ctx.find_root().params.get("data")
        dataset = load_cached(resolve_path(data), use_cache=True)
    except (DatasetError, OSError):
        return []
    return [r.id for r in dataset.records() if r.id.startswith(incomplete)]


def complete_source(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion: source ids."""
    try:
        from relations_cli.store import load_cached

        dataset = load_cached(resolve_path(ctx.find_root().params.get("data")), use_cache=True)
    except (DatasetError, OSError):
        return []
    return [s.id for s in dataset.sources if s.id.startswith(incomplete)]


def complete_format(incomplete: str) -> list[str]:
    """Shell completion: output formats."""
    return [f for f in FORMATS if f.startswith(incomplete)]


app = typer.Typer(
    name=PROG,
    help="Exact, citable facts about the relations between Pakistan and Azerbaijan.",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)

YearOpt = Annotated[
    Optional[list[int]],
    typer.Option(
        "--year", "-y", min=1, max=9999, help="Records whose date overlaps this year (repeatable: any of them)."
    ),
]
FromOpt = Annotated[Optional[int], typer.Option("--from", min=1, max=9999, help="Records dated in or after this year.")]
ToOpt = Annotated[Optional[int], typer.Option("--to", min=1, max=9999, help="Records dated in or before this year.")]
CategoryOpt = Annotated[
    Optional[list[str]],
    typer.Option(
        "--category", "-c", help="Only this category (repeatable: any of them).", autocompletion=complete_category
    ),
]
ActorOpt = Annotated[Optional[str], typer.Option("--actor", help="An actor or party (case- and accent-blind).")]
DonorOpt = Annotated[Optional[str], typer.Option("--donor", help="Aid from this donor (case- and accent-blind).")]
RecipientOpt = Annotated[Optional[str], typer.Option("--recipient", help="Aid to this recipient.")]
SearchOpt = Annotated[
    Optional[str],
    typer.Option("--search", "-s", help="Words in titles, summaries, names or aliases (case- and accent-blind)."),
]
SourceOpt = Annotated[
    Optional[str], typer.Option("--source", help="Records citing this source id.", autocompletion=complete_source)
]
SortOpt = Annotated[str, typer.Option("--sort", help="Sort field; -FIELD for descending. Undated records come last.")]
LimitOpt = Annotated[Optional[int], typer.Option("--limit", help="At most this many records.")]
FormatOpt = Annotated[
    Optional[str],
    typer.Option(
        "--format",
        "-f",
        help="table, tsv, csv, json, jsonl or markdown (default: table on a terminal, tsv in a pipe).",
        autocompletion=complete_format,
    ),
]
FieldsOpt = Annotated[
    Optional[str], typer.Option("--fields", help="Comma-separated columns, in order, e.g. id,date,title.")
]
CiteOpt = Annotated[bool, typer.Option("--cite", help="Print the sources behind the rows under the output.")]


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
    ctx: typer.Context, kinds: Sequence[str], filters: Filters, text: str | None = None
) -> tuple[Dataset, Query, list[Record]]:
    """Load the dataset and run the filters: the shared first half of every listing command."""
    query = filters.query(kinds, text)
    dataset = load_dataset(state_of(ctx))
    if filters.source and dataset.source(filters.source) is None:
        fail(unknown_value("source", filters.source, [s.id for s in dataset.sources]), 2)
    return dataset, query, run(dataset.records(), query)


def list_records(
    ctx: typer.Context,
    kinds: Sequence[str],
    label: str,
    filters: Filters,
    fmt: str | None,
    fields: str | None,
    text: str | None = None,
    cite: bool = False,
) -> None:
    """Run a listing command: filter, then print in the chosen format and fields."""
    chosen = choose_format(fmt)
    default = DEFAULT_FIELDS[kinds[0] if len(kinds) == 1 else "all"]
    columns = choose_fields(fields, kinds, default if chosen not in ("json", "jsonl") else fields_of(kinds))
    dataset, query, records = select(ctx, kinds, filters, text)
    total = sum(1 for r in dataset.records() if r.kind in kinds)
    footer: list[str] = []
    if cite:
        from relations_cli.cite import cite_text

        footer = ["", *cite_text(dataset, records, "markdown").splitlines()]
    listing = Listing([to_dict(r) for r in records], columns, label, total, query.describe(), footer)
    output(listing, chosen)
    if cite and chosen != "table" and records:
        sys.stdout.write("\n".join(footer) + "\n")


def version_callback(value: bool) -> None:
    """Print the version and stop."""
    if value:
        sys.stdout.write(f"{PROG} {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def root(
    ctx: typer.Context,
    data: Annotated[
        Optional[Path],
        typer.Option(
            "--data", help=f"Dataset file to read (default: ${'RELATIONS_DATA'}, then the bundled one).", metavar="PATH"
        ),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Read and validate the file afresh, bypassing the cache.")
    ] = False,
    version: Annotated[
        Optional[bool],
        typer.Option("--version", callback=version_callback, is_eager=True, help="Show the version and exit."),
    ] = None,
) -> None:
    """Exact, citable facts about the relations between Pakistan and Azerbaijan."""
    ctx.obj = State(data=data, cache=not no_cache)


@app.command(
    short_help="Check a dataset file and summarise it.",
    help="\b\nExamples:\n  relations validate\n  relations validate my-data.toml\n\n"
    "Check a dataset (default: the one in use) and print a one-line summary; "
    "exit 1 with every problem on stderr.",
)
def validate(
    ctx: typer.Context,
    path: Annotated[Optional[Path], typer.Argument(help="Dataset file (default: the one in use).")] = None,
) -> None:
    """Validate a dataset file."""
    state = state_of(ctx)
    dataset = load_dataset(State(data=path or state.data, cache=state.cache))
    counts = f"{len(dataset.events)} events, {len(dataset.aid)} aid, {len(dataset.agreements)} agreements"
    sys.stdout.write(f"{dataset.path}: valid: {counts}, {len(dataset.sources)} sources\n")


@app.command(
    short_help="List the sources and how many records cite each.",
    help="\b\nExamples:\n  relations sources\n  relations sources --format json\n\n"
    "List the articles the dataset is built from, with how many records cite each.",
)
def sources(ctx: typer.Context, fmt: FormatOpt = None, fields: FieldsOpt = None) -> None:
    """List the sources."""
    from relations_cli.render import source_dict

    dataset = load_dataset(state_of(ctx))
    counts = {s.id: 0 for s in dataset.sources}
    for record in dataset.records():
        for source_id in {c.source for c in record.sources}:
            counts[source_id] += 1
    rows = [source_dict(s, counts[s.id]) for s in dataset.sources]
    valid = ("id", "title", "author", "published", "records")
    columns = choose_fields(fields, (), valid) if fields is None else _checked(fields, valid)
    output(Listing(rows, columns, "sources", len(rows)), fmt)


def _checked(fields: str, valid: Sequence[str]) -> tuple[str, ...]:
    """A `--fields` list checked against a fixed set of columns."""
    chosen = tuple(f.strip() for f in fields.split(",") if f.strip())
    for name in chosen or ("",):
        if name not in valid:
            fail(unknown_value("field", name, valid), 2)
    return chosen


def _listing_help(kind: str, examples: Sequence[str], what: str) -> str:
    """Help text that leads with examples."""
    lines = "\n".join(f"  {e}" for e in examples)
    return f"\b\nExamples:\n{lines}\n\n{what}"


@app.command(
    short_help="List events: visits, meetings, awards, resolutions...",
    help=_listing_help(
        "event",
        ["relations events --category visit", "relations events --from 2010 --to 2016 --format json"],
        "List events (recognition, visits, meetings, awards, flights, training, support...), "
        "filtered by year, category, actor or text. Dates overlap the asked years.",
    ),
)
def events(
    ctx: typer.Context,
    year: YearOpt = None,
    year_from: FromOpt = None,
    year_to: ToOpt = None,
    category: CategoryOpt = None,
    actor: ActorOpt = None,
    search: SearchOpt = None,
    source: SourceOpt = None,
    sort: SortOpt = "date",
    limit: LimitOpt = None,
    fmt: FormatOpt = None,
    fields: FieldsOpt = None,
    cite: CiteOpt = False,
) -> None:
    """List events."""
    filters = Filters(year, year_from, year_to, category, actor, None, None, search, source, sort, limit)
    list_records(ctx, ("event",), "events", filters, fmt, fields, cite=cite)


@app.command(
    short_help="List aid: grants and gifts with donor, amount and purpose.",
    help=_listing_help(
        "aid",
        ["relations aid --year 2010", "relations aid --donor azerbaijan --format csv"],
        "List grants and gifts between the two countries, with donor, recipient, amount and purpose. "
        "An amount the sources do not state reads 'not stated' (null in JSON).",
    ),
)
def aid(
    ctx: typer.Context,
    year: YearOpt = None,
    year_from: FromOpt = None,
    year_to: ToOpt = None,
    category: CategoryOpt = None,
    donor: DonorOpt = None,
    recipient: RecipientOpt = None,
    search: SearchOpt = None,
    source: SourceOpt = None,
    sort: SortOpt = "date",
    limit: LimitOpt = None,
    fmt: FormatOpt = None,
    fields: FieldsOpt = None,
    cite: CiteOpt = False,
) -> None:
    """List aid."""
    filters = Filters(year, year_from, year_to, category, None, donor, recipient, search, source, sort, limit)
    list_records(ctx, ("aid",), "aid records", filters, fmt, fields, cite=cite)


@app.command(
    short_help="List agreements: declarations, memoranda, programmes, commissions.",
    help=_listing_help(
        "agreement",
        ["relations agreements", "relations agreements --year 2015 --format json"],
        "List declarations, memoranda, cooperation programmes, commissions and counts of agreements.",
    ),
)
def agreements(
    ctx: typer.Context,
    year: YearOpt = None,
    year_from: FromOpt = None,
    year_to: ToOpt = None,
    category: CategoryOpt = None,
    actor: ActorOpt = None,
    search: SearchOpt = None,
    source: SourceOpt = None,
    sort: SortOpt = "date",
    limit: LimitOpt = None,
    fmt: FormatOpt = None,
    fields: FieldsOpt = None,
    cite: CiteOpt = False,
) -> None:
    """List agreements."""
    filters = Filters(year, year_from, year_to, category, actor, None, None, search, source, sort, limit)
    list_records(ctx, ("agreement",), "agreements", filters, fmt, fields, cite=cite)


@app.command(
    short_help="Find records of every kind that mention some words.",
    help=_listing_help(
        "all",
        ["relations search Khojaly", "relations search 'heydar aliyev' --format json"],
        "Find events, aid and agreements whose title, summary, names or aliases contain every word "
        "(case- and accent-blind, so every spelling the sources use works).",
    ),
)
def search(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="Words to look for.")],
    year: YearOpt = None,
    year_from: FromOpt = None,
    year_to: ToOpt = None,
    category: CategoryOpt = None,
    actor: ActorOpt = None,
    donor: DonorOpt = None,
    recipient: RecipientOpt = None,
    source: SourceOpt = None,
    sort: SortOpt = "date",
    limit: LimitOpt = None,
    fmt: FormatOpt = None,
    fields: FieldsOpt = None,
    cite: CiteOpt = False,
) -> None:
    """Search every kind of record."""
    filters = Filters(year, year_from, year_to, category, actor, donor, recipient, None, source, sort, limit)
    list_records(ctx, KINDS, "records", filters, fmt, fields, text=text, cite=cite)


@app.command(
    short_help="Show one record whole, with its citations.",
    help="\b\nExamples:\n  relations show jmc-6th-session\n  relations show flood-aid-2010 --format json\n\n"
    "Show every field of one record, its notes, and each citation with the source's title, author, date "
    "and paragraph. An unknown id exits 1 with suggestions.",
)
def show(
    ctx: typer.Context,
    record_id: Annotated[str, typer.Argument(metavar="ID", help="Record id.", autocompletion=complete_id)],
    fmt: FormatOpt = None,
) -> None:
    """Show one record."""
    from relations_cli.render import detail_lines, record_detail, render_detail

    dataset = load_dataset(state_of(ctx))
    record = next((r for r in dataset.records() if r.id == record_id), None)
    if record is None:
        ids = [r.id for r in dataset.records()]
        close = difflib.get_close_matches(record_id, ids, n=3, cutoff=0.4)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        fail(f"no record with id '{record_id}'{hint}", 1)
    detail = record_detail(record, dataset)
    chosen = choose_format(fmt)
    try:
        if chosen == "table":
            render_detail(detail, sys.stdout)
        elif chosen in ("json", "jsonl"):
            import json

            indent = 2 if chosen == "json" else None
            sys.stdout.write(json.dumps(detail, ensure_ascii=_ascii(), indent=indent) + "\n")
        elif chosen == "tsv":
            sys.stdout.write(detail_lines(detail))
        else:
            render(Listing([to_dict(record)], fields_of((record.kind,)), "records"), chosen, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        raise typer.Exit(0) from None


def _ascii() -> bool:
    """True when stdout cannot take all of Unicode."""
    from relations_cli.render import _ascii_only

    return _ascii_only(sys.stdout)


def _prepare_streams() -> None:
    """Never crash on a character the terminal's encoding lacks: escape it instead."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure") and getattr(stream, "errors", "") == "strict":
            with suppress(ValueError, OSError):
                stream.reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run the app, mapping usage errors to exit 2, Ctrl-C to 130, a closed pipe to 0."""
    from typer._click.exceptions import ClickException, UsageError

    if sys.stdout is None or sys.stderr is None:
        if sys.stderr is not None:
            sys.stderr.write(f"{PROG}: error: standard output is closed\n")
        return 1
    _prepare_streams()
    command = typer.main.get_command(app)
    try:
        code = command.main(args=list(argv) if argv is not None else None, prog_name=PROG, standalone_mode=False)
        sys.stdout.flush()
    except UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else PROG
        sys.stderr.write(f"{PROG}: error: {exc.format_message()}\nTry '{where} --help' for help.\n")
        return 2
    except ClickException as exc:
        sys.stderr.write(f"{PROG}: error: {exc.format_message()}\n")
        return exc.exit_code
    except BrokenPipeError:
        _silence_stdout()
        return 0
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        return 130
    except SystemExit as exc:  # an EPIPE inside Click's own output exits through here
        return exc.code if isinstance(exc.code, int) else 1
    return code if isinstance(code, int) else 0
