"""Overview commands: timeline, summary and categories."""

from __future__ import annotations

import sys
from typing import IO, Any

import typer

from relations_cli.cli.shared import state_of, takes_options
from relations_cli.model import KINDS
from relations_cli.query import Query
from relations_cli.render import DEFAULT_FIELDS, Listing, console_for, fields_of, to_dict
from relations_cli.runtime import (
    Values,
    ascii_stdout,
    choose_fields,
    choose_format,
    emit,
    examples,
    matched,
    note,
    output,
    plural,
    select,
)

app = typer.Typer()


@app.command(
    short_help="Chart records per year, or list them in date order.",
    help=examples(
        ["relations timeline", "relations timeline --from 2000 --per 5", "relations timeline --category visit -f json"],
        "Records of every kind in date order. On a terminal (or with --format table): a bar chart of records "
        "per year, or per 5, 10, 25... years when the range is wide, one glyph and colour per kind; a record "
        "counts in the year its date starts. Other formats list the records (json: every field, with 'kind'). "
        "Undated records are left out and counted in a note.",
    ),
)
@takes_options("timeline")
def timeline(ctx: typer.Context, values: Values) -> None:
    """Chart or list records in date order."""
    from relations_cli.overview import split_dated

    chosen = choose_format(values["fmt"])
    default = fields_of(KINDS) if chosen in ("json", "jsonl") else DEFAULT_FIELDS["all"]
    columns = choose_fields(values["fields"], fields_of(KINDS), default)
    _, query, records = select(state_of(ctx, values), "timeline", values)
    dated, undated = split_dated(records)
    if chosen == "table":
        _chart(dated, len(undated), query, values["per"])
    elif chosen in ("json", "jsonl") and values["fields"] is None:  # each record in its own to_dict shape
        _records_json(dated, chosen)
    else:
        output(Listing([to_dict(r) for r in dated], columns, "dated records", None, query.describe()), chosen)
    if undated and chosen != "table":
        note(f"{plural(len(undated), 'undated record')} left out")
    matched(bool(dated), values)


def _chart(dated: list[Any], undated: int, query: Query, per: int | None) -> None:
    """The bar chart of records per year, with the filters under it."""
    from relations_cli.overview import chart_lines, print_chart, wrap

    width = console_for(sys.stdout).width
    floor = min(query.years) if query.years else (query.date_from.year if query.date_from else None)
    lines = chart_lines(dated, width, size=per, ascii_only=ascii_stdout(), undated=undated, floor=floor)
    if query.describe():
        lines += ["", *wrap(" · ".join(query.describe()), width)]
    emit(lambda out: print_chart(lines, out))


def _records_json(records: list[Any], chosen: str) -> None:
    """Records as JSON or JSON lines, each whole."""
    import json

    rows, escape = [to_dict(r) for r in records], ascii_stdout()
    if chosen == "json":
        text = json.dumps(rows, ensure_ascii=escape, indent=2) + "\n"
    else:
        text = "".join(json.dumps(row, ensure_ascii=escape) + "\n" for row in rows)
    emit(lambda out: out.write(text))


@app.command(
    short_help="Aid totals per donor, year and purpose; events and agreements counted.",
    help=examples(
        ["relations summary", "relations summary --from 2010 --format json", "relations summary --donor azerbaijan"],
        "Aid totals per donor, recipient and currency, per year and per purpose (an aid record's category is "
        "its purpose group), and per donor country and recipient country (a state, or a body or person of that "
        "country: the Heydar Aliyev Foundation counts for AZ): the disclosed total, the number of grants, and how "
        "many of them state no amount. "
        "Also events per category and agreements per type.\n\n"
        "Amounts in different currencies are never added together. Grants without a stated amount are never "
        "counted as 0: they form a row of their own with currency and total null ('not stated'), so 'grants' "
        "adds up across rows. A grant dated with an interval such as 1992/1993 counts in the year it starts; "
        "undated grants count under year null ('undated').\n\n"
        "--format json gives one object: aid_totals (a list of {donor, recipient, currency, total, grants, "
        "undisclosed}), aid_by_donor_country and aid_by_recipient_country (the same with donor_country or "
        "recipient_country), aid_by_year, aid_by_purpose, events_by_category, agreements_by_type and records (counts "
        "per kind). tsv, csv and jsonl give one tidy row per line, its section named in 'section'.",
    ),
)
@takes_options("summary")
def summary(ctx: typer.Context, values: Values) -> None:
    """Totals and counts of the matching records."""
    from relations_cli import overview

    chosen = choose_format(values["fmt"])
    dataset, query, records = select(state_of(ctx, values), "summary", values)
    data = overview.summary(records, dataset.actors)
    counts = data["records"]
    nouns = (("events", "event"), ("aid", "aid record"), ("agreements", "agreement"))
    caption = " · ".join([", ".join(plural(counts[key], noun) for key, noun in nouns), *query.describe()])
    emit(lambda out: _write_summary(data, chosen, caption, out))
    matched(bool(records), values)


def _write_summary(data: dict[str, Any], chosen: str, caption: str, out: IO[str]) -> None:
    """The summary in the chosen format."""
    from relations_cli import overview
    from relations_cli.render import RENDERERS

    if chosen == "table":
        overview.render_summary_table(data, out, caption)
    elif chosen == "json":
        import json

        out.write(json.dumps(data, ensure_ascii=ascii_stdout(), indent=2) + "\n")
    elif chosen == "markdown":
        for section in overview.SUMMARY_SECTIONS:
            if data[section]:
                out.write(f"### {overview.SUMMARY_TITLES[section]}\n\n")
                RENDERERS["markdown"](Listing(data[section], list(data[section][0])), out)
                out.write("\n")
    else:
        RENDERERS[chosen](Listing(overview.summary_rows(data), overview.SUMMARY_COLUMNS), out)


@app.command(
    short_help="The categories of each kind and the agreement types, with how many records have each.",
    help=examples(
        ["relations categories", "relations categories --from 2010 --format json"],
        "The vocabulary of each kind (event categories, aid categories, agreement categories and agreement "
        "types) with how many matching records have each; values no record has are listed with 0. "
        "--format json gives a list of {kind, field, value, count}, field being category or type.",
    ),
)
@takes_options("categories")
def categories(ctx: typer.Context, values: Values) -> None:
    """Count records per category and agreements per type."""
    from relations_cli.overview import vocabulary_counts

    _, query, records = select(state_of(ctx, values), "categories", values)
    rows = vocabulary_counts(records)
    listing = Listing(rows, ("kind", "field", "value", "count"), "categories", None, query.describe())
    output(listing, values["fmt"])
    matched(bool(records), values)
