"""The `relations` command line: options become a query, a query becomes output."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Optional

import typer

from relations_cli import __version__, commands
from relations_cli.commands import (
    LISTINGS,
    PROG,
    Filters,
    State,
    closed_pipe_is_quiet,
    domain_errors,
    fail,
    load_dataset,
    note,
    output,
    prepare_streams,
    silence_stdout,
)
from relations_cli.dataset import DatasetError, resolve_path
from relations_cli.model import CATEGORIES, KINDS, Dataset, Record
from relations_cli.query import Query
from relations_cli.render import FORMATS, Listing, fields_of, render, to_dict

__all__ = ["Filters", "State", "app", "domain_errors", "fail", "load_dataset", "main", "note", "output", "state_of"]


def state_of(ctx: typer.Context) -> State:
    """The global options of this invocation."""
    root = ctx.find_root()
    return root.obj if isinstance(root.obj, State) else State()


def select(
    ctx: typer.Context, kinds: Sequence[str], filters: Filters, text: str | None = None
) -> tuple[Dataset, Query, list[Record]]:
    """Check the filters, load the dataset and run the query for this invocation."""
    return commands.select(state_of(ctx), kinds, filters, text)


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


def parse_year(value: str) -> int:
    """A year from 1 to 9999, or a usage error that says the value is not a year."""
    try:
        year = int(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a year (a number from 1 to 9999)") from None
    if not 1 <= year <= 9999:
        raise typer.BadParameter(f"{year} is not a year from 1 to 9999")
    return year


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
        "--year",
        "-y",
        parser=parse_year,
        metavar="YEAR",
        help="Records whose date overlaps this year (repeatable: any of them).",
    ),
]
FromOpt = Annotated[
    Optional[int],
    typer.Option("--from", parser=parse_year, metavar="YEAR", help="Records dated in or after this year."),
]
ToOpt = Annotated[
    Optional[int], typer.Option("--to", parser=parse_year, metavar="YEAR", help="Records dated in or before this year.")
]
CategoryOpt = Annotated[
    Optional[list[str]],
    typer.Option(
        "--category",
        "-c",
        metavar="CATEGORY",
        help="Only this category (repeatable: any of them).",
        autocompletion=complete_category,
    ),
]
ActorOpt = Annotated[
    Optional[str], typer.Option("--actor", metavar="NAME", help="An actor or party (case- and accent-blind).")
]
DonorOpt = Annotated[
    Optional[str], typer.Option("--donor", metavar="NAME", help="Aid from this donor (case- and accent-blind).")
]
RecipientOpt = Annotated[Optional[str], typer.Option("--recipient", metavar="NAME", help="Aid to this recipient.")]
SearchOpt = Annotated[
    Optional[str],
    typer.Option(
        "--search", "-s", metavar="TEXT", help="Words in titles, summaries, names or aliases (case- and accent-blind)."
    ),
]
SourceOpt = Annotated[
    Optional[str],
    typer.Option("--source", metavar="ID", help="Records citing this source id.", autocompletion=complete_source),
]
SortOpt = Annotated[
    str, typer.Option("--sort", metavar="FIELD", help="Sort field; -FIELD for descending. Undated records come last.")
]
LimitOpt = Annotated[Optional[int], typer.Option("--limit", metavar="N", help="At most this many records.")]
FormatOpt = Annotated[
    Optional[str],
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        help="table, tsv, csv, json, jsonl or markdown (default: table on a terminal, tsv in a pipe).",
        autocompletion=complete_format,
    ),
]
FieldsOpt = Annotated[
    Optional[str],
    typer.Option("--fields", metavar="FIELDS", help="Comma-separated columns, in order, e.g. id,date,title."),
]
CiteOpt = Annotated[bool, typer.Option("--cite", help="Print the sources behind the rows under the output.")]


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
    valid = ("id", "title", "authors", "published", "records")
    columns = commands.choose_fields(fields, valid, valid)
    output(Listing(rows, columns, "sources", len(rows)), fmt)


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
    commands.list_records(state_of(ctx), *LISTINGS["events"], filters, fmt, fields, cite=cite)


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
    commands.list_records(state_of(ctx), *LISTINGS["aid"], filters, fmt, fields, cite=cite)


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
    commands.list_records(state_of(ctx), *LISTINGS["agreements"], filters, fmt, fields, cite=cite)


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
    commands.list_records(state_of(ctx), *LISTINGS["search"], filters, fmt, fields, text=text, cite=cite)


@app.command(
    short_help="Show one record whole, with its citations.",
    help="\b\nExamples:\n  relations show sixth-jmc-session-islamabad\n"
    "  relations show flood-relief-2010 --format json\n\n"
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
        import difflib

        close = difflib.get_close_matches(record_id, ids, n=3, cutoff=0.4)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        fail(f"no record with id '{record_id}'{hint}", 1)
    detail = record_detail(record, dataset)
    chosen = commands.choose_format(fmt)
    with closed_pipe_is_quiet():
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


def _ascii() -> bool:
    """True when stdout cannot take all of Unicode."""
    from relations_cli.render import _ascii_only

    return _ascii_only(sys.stdout)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run the app, mapping usage errors to exit 2, Ctrl-C to 130, a closed pipe to 0."""
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

    if sys.stdout is None or sys.stderr is None:
        if sys.stderr is not None:
            sys.stderr.write(f"{PROG}: error: standard output is closed\n")
        return 1
    prepare_streams()
    command = typer.main.get_command(app)
    try:
        code = command.main(args=list(argv) if argv is not None else None, prog_name=PROG, standalone_mode=False)
        sys.stdout.flush()
    except NoArgsIsHelpError as exc:
        sys.stderr.write(exc.format_message() + "\n")
        return 2
    except UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else PROG
        sys.stderr.write(f"{PROG}: error: {exc.format_message()}\nTry '{where} --help' for help.\n")
        return 2
    except ClickException as exc:
        sys.stderr.write(f"{PROG}: error: {exc.format_message()}\n")
        return exc.exit_code
    except BrokenPipeError:
        silence_stdout()
        return 0
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        return 130
    except SystemExit as exc:  # an EPIPE inside Click's own output exits through here
        return exc.code if isinstance(exc.code, int) else 1
    return code if isinstance(code, int) else 0


from relations_cli import commands_more  # noqa: E402, F401
