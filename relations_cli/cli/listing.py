"""Listing commands: events, aid, agreements and search."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from relations_cli.cli.shared import state_of, takes_options
from relations_cli.runtime import Values, examples, list_records

app = typer.Typer()


@app.command(
    short_help="List events: visits, meetings, awards, resolutions...",
    help=examples(
        ["relations events --category visit", "relations events --from 2010 --to 2016-06 --format json"],
        "List events (recognition, visits, meetings, awards, flights, training, support...), "
        "filtered by date, category, actor or text. Dates overlap the asked years.",
    ),
)
@takes_options("events")
def events(ctx: typer.Context, values: Values) -> None:
    """List events."""
    list_records(state_of(ctx, values), "events", values)


@app.command(
    short_help="List aid: grants and gifts with donor, amount and purpose.",
    help=examples(
        ["relations aid --year 2010", "relations aid --donor azerbaijan --format csv"],
        "List grants and gifts between the two countries, with donor, recipient, amount and purpose. "
        "An amount the sources do not state reads 'not stated' (null in JSON).",
    ),
)
@takes_options("aid")
def aid(ctx: typer.Context, values: Values) -> None:
    """List aid."""
    list_records(state_of(ctx, values), "aid", values)


@app.command(
    short_help="List agreements: declarations, memoranda, programmes, commissions.",
    help=examples(
        ["relations agreements", "relations agreements --type memorandum,declaration --format json"],
        "List declarations, memoranda, cooperation programmes, commissions and counts of agreements.",
    ),
)
@takes_options("agreements")
def agreements(ctx: typer.Context, values: Values) -> None:
    """List agreements."""
    list_records(state_of(ctx, values), "agreements", values)


@app.command(
    short_help="Find records of every kind that mention some words.",
    help=examples(
        ["relations search Khojaly", "relations search heydar aliyev --format json"],
        "Find events, aid and agreements whose title, summary, names or aliases contain every word "
        "(case- and accent-blind, so every spelling the sources use works).",
    ),
)
@takes_options("search")
def search(
    ctx: typer.Context,
    words: Annotated[Optional[list[str]], typer.Argument(metavar="WORDS...", help="Words to look for.")],
    values: Values,
) -> None:
    """Search every kind of record."""
    list_records(state_of(ctx, values), "search", values, words or ())
