"""Listing commands: events, aid, agreements and search."""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer
from typer.core import TyperCommand

from relations_cli.cli.shared import state_of, takes_options
from relations_cli.options import mark_excluded_words
from relations_cli.runtime import Values, examples, list_records

app = typer.Typer()


class SearchCommand(TyperCommand):
    """The search command: `-word` among its words excludes a word instead of being taken for an option."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # ctx: Click's Context, private in Typer
        """Mark the words to exclude, then parse as usual."""
        return super().parse_args(ctx, mark_excluded_words("search", args))


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
    cls=SearchCommand,
    short_help="Find records of every kind that mention some words.",
    help=examples(
        [
            "relations search president baku",
            "relations search karabakh OR kashmir --format json",
            "relations search flood -earthquake",
            "relations search 'recogni*'",
        ],
        "Find events, aid and agreements holding every word, in the id, title, summary, names, aliases, "
        "place, category, type, purpose or notes. Words match whole words whatever the case, accents or "
        "British/American spelling (defence finds defense); word* is a prefix; -word excludes a word "
        "(or put the words after --); OR gives alternatives, AND binding tighter: a b OR c is (a and b) or c.",
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
