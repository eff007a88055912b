"""Overview and export commands: timeline, summary, categories, cite and export."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Annotated, Optional

import typer

from relations_cli import __version__
from relations_cli.cli import (
    ActorOpt,
    CategoryOpt,
    DonorOpt,
    FieldsOpt,
    Filters,
    FormatOpt,
    FromOpt,
    RecipientOpt,
    SearchOpt,
    SourceOpt,
    ToOpt,
    YearOpt,
    app,
    complete_id,
    fail,
    note,
    output,
    select,
)
from relations_cli.commands import choose_fields, choose_format, closed_pipe_is_quiet
from relations_cli.model import KINDS
from relations_cli.query import unknown_value
from relations_cli.render import DEFAULT_FIELDS, Listing, console_for, fields_of, to_dict

# The same as cite.STYLES and export.EXPORT_FORMATS (a test checks), kept here so that the
# citation and export modules load only when their commands run.
CITE_STYLES: tuple[str, ...] = ("markdown", "bibtex", "csl-json")
EXPORT_FORMATS: tuple[str, ...] = ("sqlite", "json", "csv")


def emit(write: Callable[[IO[str]], object]) -> None:
    """Write to stdout; a reader that went away (`| head`) ends the command quietly."""
    with closed_pipe_is_quiet():
        write(sys.stdout)


def _ascii_stdout() -> bool:
    """True when stdout cannot encode all of Unicode."""
    from relations_cli.render import ascii_only

    return ascii_only(sys.stdout)


def _plural(count: int, noun: str) -> str:
    """`1 event`, `2 events`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _help(examples: list[str], text: str) -> str:
    """Help that leads with an example block."""
    lines = "\n".join(f"  {e}" for e in examples)
    return f"\b\nExamples:\n{lines}\n\n{text}"


PerOpt = Annotated[
    Optional[int],
    typer.Option("--per", min=1, max=1000, metavar="YEARS", help="Years per bar of the chart (default: as fits)."),
]
StyleOpt = Annotated[
    str,
    typer.Option(
        "--style",
        metavar="STYLE",
        help="markdown, bibtex or csl-json.",
        autocompletion=lambda incomplete: [s for s in CITE_STYLES if s.startswith(incomplete)],
    ),
]
ExportFormatOpt = Annotated[
    Optional[str],
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        help="sqlite, json or csv (a directory of CSV files). Default: from the suffix: .db/.sqlite, .json.",
        autocompletion=lambda incomplete: [f for f in EXPORT_FORMATS if f.startswith(incomplete)],
    ),
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace PATH if it exists.")]


@app.command(
    short_help="Chart records per year, or list them in date order.",
    help=_help(
        ["relations timeline", "relations timeline --from 2000 --per 5", "relations timeline --category visit -f json"],
        "Records of every kind in date order. On a terminal (or with --format table): a bar chart of records "
        "per year, or per 5, 10, 25... years when the range is wide, one glyph and colour per kind; a record "
        "counts in the year its date starts. Other formats list the records (json: every field, with 'kind'). "
        "Undated records are left out and counted in a note.",
    ),
)
def timeline(
    ctx: typer.Context,
    year: YearOpt = None,
    year_from: FromOpt = None,
    year_to: ToOpt = None,
    category: CategoryOpt = None,
    actor: ActorOpt = None,
    donor: DonorOpt = None,
    recipient: RecipientOpt = None,
    search: SearchOpt = None,
    source: SourceOpt = None,
    per: PerOpt = None,
    fmt: FormatOpt = None,
    fields: FieldsOpt = None,
) -> None:
    """Chart or list records in date order."""
    from relations_cli.overview import chart_lines, print_chart, split_dated, wrap

    chosen = choose_format(fmt)
    default = fields_of(KINDS) if chosen in ("json", "jsonl") else DEFAULT_FIELDS["all"]
    columns = choose_fields(fields, fields_of(KINDS), default)
    filters = Filters(year, year_from, year_to, category, actor, donor, recipient, search, source)
    _, query, records = select(ctx, KINDS, filters)
    dated, undated = split_dated(records)
    if chosen == "table":
        width = console_for(sys.stdout).width
        lines = chart_lines(dated, width, size=per, ascii_only=_ascii_stdout(), undated=len(undated))
        if query.describe():
            lines += ["", *wrap(" · ".join(query.describe()), width)]
        emit(lambda out: print_chart(lines, out))
        return
    if chosen in ("json", "jsonl") and fields is None:  # each record in its own to_dict shape
        import json

        rows, ascii_only = [to_dict(r) for r in dated], _ascii_stdout()
        if chosen == "json":
            text = json.dumps(rows, ensure_ascii=ascii_only, indent=2) + "\n"
        else:
            text = "".join(json.dumps(row, ensure_ascii=ascii_only) + "\n" for row in rows)
        emit(lambda out: out.write(text))
    else:
        output(Listing([to_dict(r) for r in dated], columns, "dated records", None, query.describe()), chosen)
    if undated:
        note(f"{_plural(len(undated), 'undated record')} left out")


@app.command(
    short_help="Aid totals per donor, year and purpose; events and agreements counted.",
    help=_help(
        ["relations summary", "relations summary --from 2010 --format json", "relations summary --donor azerbaijan"],
        "Aid totals per donor, recipient and currency, per year and per purpose (an aid record's category is "
        "its purpose group): the disclosed total, the number of grants, and how many of them state no amount. "
        "Also events per category and agreements per type.\n\n"
        "Amounts in different currencies are never added together. Grants without a stated amount are never "
        "counted as 0: they form a row of their own with currency and total null ('not stated'), so 'grants' "
        "adds up across rows. A grant dated with an interval such as 1992/1993 counts in the year it starts; "
        "undated grants count under year null ('undated').\n\n"
        "--format json gives one object: aid_totals (a list of {donor, recipient, currency, total, grants, "
        "undisclosed}), aid_by_year, aid_by_purpose, events_by_category, agreements_by_type and records (counts "
        "per kind). tsv, csv and jsonl give one tidy row per line, its section named in 'section'.",
    ),
)
def summary(
    ctx: typer.Context,
    year: YearOpt = None,
    year_from: FromOpt = None,
    year_to: ToOpt = None,
    category: CategoryOpt = None,
    actor: ActorOpt = None,
    donor: DonorOpt = None,
    recipient: RecipientOpt = None,
    search: SearchOpt = None,
    source: SourceOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """Totals and counts of the matching records."""
    from relations_cli import overview
    from relations_cli.render import RENDERERS

    chosen = choose_format(fmt)
    filters = Filters(year, year_from, year_to, category, actor, donor, recipient, search, source)
    _, query, records = select(ctx, KINDS, filters)
    data = overview.summary(records)
    counts = data["records"]
    caption = " · ".join(
        [
            ", ".join(
                _plural(counts[key], noun)
                for key, noun in (("events", "event"), ("aid", "aid record"), ("agreements", "agreement"))
            ),
            *query.describe(),
        ]
    )

    def write(out: IO[str]) -> None:
        """The summary in the chosen format."""
        if chosen == "table":
            overview.render_summary_table(data, out, caption)
        elif chosen == "json":
            import json

            out.write(json.dumps(data, ensure_ascii=_ascii_stdout(), indent=2) + "\n")
        elif chosen == "markdown":
            for section in overview.SUMMARY_SECTIONS:
                if data[section]:
                    out.write(f"### {overview.SUMMARY_TITLES[section]}\n\n")
                    RENDERERS["markdown"](Listing(data[section], list(data[section][0])), out)
                    out.write("\n")
        else:
            RENDERERS[chosen](Listing(overview.summary_rows(data), overview.SUMMARY_COLUMNS), out)

    emit(write)


@app.command(
    short_help="The categories of each kind, with how many records have each.",
    help=_help(
        ["relations categories", "relations categories --from 2010 --format json"],
        "The vocabulary of each kind (event categories, aid categories, agreement categories) with how many "
        "matching records have each; categories no record has are listed with 0. "
        "--format json gives a list of {kind, category, count}.",
    ),
)
def categories(
    ctx: typer.Context,
    year: YearOpt = None,
    year_from: FromOpt = None,
    year_to: ToOpt = None,
    category: CategoryOpt = None,
    actor: ActorOpt = None,
    donor: DonorOpt = None,
    recipient: RecipientOpt = None,
    search: SearchOpt = None,
    source: SourceOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """Count records per category."""
    from relations_cli.overview import category_counts

    filters = Filters(year, year_from, year_to, category, actor, donor, recipient, search, source)
    _, query, records = select(ctx, KINDS, filters)
    rows = category_counts(records)
    output(Listing(rows, ("kind", "category", "count"), "categories", None, query.describe()), fmt)


@app.command(
    short_help="The sources behind records, with the paragraphs used.",
    help=_help(
        [
            "relations cite --year 2010",
            "relations cite flood-relief-2010 --style bibtex",
            "relations cite --category visit --style csl-json",
        ],
        "Each source behind the matching records (narrowed to the records named by ID, if any), once, with "
        "the paragraphs the records cite: --style markdown (a list), bibtex (@article entries, paragraphs in "
        "'note') or csl-json (a JSON array of CSL items for Zotero, Pandoc and citeproc). Listing commands "
        "print the Markdown list under their output with --cite.",
    ),
)
def cite(
    ctx: typer.Context,
    ids: Annotated[
        Optional[list[str]],
        typer.Argument(metavar="ID", help="Only these records.", show_default=False, autocompletion=complete_id),
    ] = None,
    style: StyleOpt = "markdown",
    year: YearOpt = None,
    year_from: FromOpt = None,
    year_to: ToOpt = None,
    category: CategoryOpt = None,
    actor: ActorOpt = None,
    donor: DonorOpt = None,
    recipient: RecipientOpt = None,
    search: SearchOpt = None,
    source: SourceOpt = None,
) -> None:
    """Print the sources behind records."""
    from relations_cli.cite import cite_text

    if style not in CITE_STYLES:
        fail(unknown_value("citation style", style, CITE_STYLES), 2)
    filters = Filters(year, year_from, year_to, category, actor, donor, recipient, search, source)
    dataset, query, records = select(ctx, KINDS, filters)
    if ids:
        known = {r.id for r in dataset.records()}
        for ident in ids:
            if ident not in known:
                import difflib

                close = difflib.get_close_matches(ident, sorted(known), n=3, cutoff=0.4)
                hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
                fail(f"no record with id '{ident}'{hint}", 1)
        wanted = set(ids)
        records = [r for r in records if r.id in wanted]
    text = cite_text(dataset, records, style)
    emit(lambda out: out.write(text))
    if not records and sys.stderr.isatty():
        note(f"no records matched{' (' + ' · '.join(query.describe()) + ')' if query.describe() else ''}")


@app.command(
    "export",
    short_help="Write the data to SQLite (for Datasette), JSON or CSV files.",
    help=_help(
        [
            "relations export relations.db && datasette relations.db",
            "relations export relations.json",
            "relations export tables/ --format csv --from 2010",
        ],
        "Write the matching records (and every source) to PATH, in the format --format names or the suffix "
        "implies (.db, .sqlite, .sqlite3: sqlite; .json: json).\n\n"
        "sqlite: tables sources, events, aid, agreements, citations (record_id, kind, source -> sources.id, "
        "paragraph) and meta (the dataset's [meta], source_file, exported_by, filters). Lists (actors, parties, "
        "aliases) are JSON text; date_start and date_end hold the first and last day a date covers; the view "
        "'records' unites every kind; the FTS5 table records_fts indexes titles, summaries, aliases, names and an "
        "accent-folded copy: SELECT id FROM records_fts WHERE records_fts MATCH 'flood'.\n\n"
        "json: one object with meta, sources, events, aid and agreements, records as in --format json.\n\n"
        "csv: PATH is a directory of sources.csv, events.csv, aid.csv and agreements.csv, lists joined by '; ' "
        "as in tsv output.\n\n"
        "The export is written under a temporary name beside PATH, then renamed into place. An existing PATH is "
        "left alone (exit 1) unless --force; a failed export leaves nothing behind.",
    ),
)
def export_command(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(metavar="PATH", help="File (sqlite, json) or directory (csv) to write.", show_default=False),
    ],
    fmt: ExportFormatOpt = None,
    force: ForceOpt = False,
    year: YearOpt = None,
    year_from: FromOpt = None,
    year_to: ToOpt = None,
    category: CategoryOpt = None,
    actor: ActorOpt = None,
    donor: DonorOpt = None,
    recipient: RecipientOpt = None,
    search: SearchOpt = None,
    source: SourceOpt = None,
) -> None:
    """Export the data."""
    from relations_cli.export import ExportError, export, infer_format

    filters = Filters(year, year_from, year_to, category, actor, donor, recipient, search, source)
    try:
        chosen = infer_format(path, fmt)
        dataset, query, records = select(ctx, KINDS, filters)
        export(dataset, records, path, chosen, force=force, filters=query.describe(), version=__version__)
    except ExportError as exc:
        fail(str(exc), exc.code)
    if sys.stderr.isatty():
        note(f"wrote {len(records)} records and {len(dataset.sources)} sources to {path} ({chosen})")
