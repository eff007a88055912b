"""Commands about single records and the dataset itself: show, sources and validate."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from relations_cli.cli.shared import id_argument, state_of, takes_options
from relations_cli.runtime import (
    State,
    Values,
    examples,
    load_dataset,
    load_record,
    print_record,
    print_sources,
)

app = typer.Typer()


@app.command(
    short_help="Check a dataset file and summarise it.",
    help=examples(
        ["relations validate", "relations validate my-data.toml"],
        "Check a dataset (default: the one in use) and print a one-line summary; exit 1 with every problem on stderr.",
    ),
)
@takes_options("validate")
def validate(
    ctx: typer.Context,
    path: Annotated[Optional[Path], typer.Argument(help="Dataset file (default: the one in use).")] = None,
    *,
    values: Values,
) -> None:
    """Validate a dataset file."""
    state = state_of(ctx, values)
    dataset = load_dataset(State(data=path or state.data, cache=state.cache))
    counts = f"{len(dataset.events)} events, {len(dataset.aid)} aid, {len(dataset.agreements)} agreements"
    sys.stdout.write(f"{dataset.path}: valid: {counts}, {len(dataset.sources)} sources\n")


@app.command(
    short_help="List the sources and how many records cite each.",
    help=examples(
        ["relations sources", "relations sources --fields id,url,notes --format json"],
        "List the articles and pages the dataset is built from, with how many records cite each. "
        "--fields takes every field of a source.",
    ),
)
@takes_options("sources")
def sources(ctx: typer.Context, values: Values) -> None:
    """List the sources."""
    print_sources(load_dataset(state_of(ctx, values)), values)


@app.command(
    short_help="Show one record whole, with its citations.",
    help=examples(
        ["relations show sixth-jmc-session-islamabad", "relations show flood-relief-2010 --format json"],
        "Show every field of one record, its notes, and each citation with the source's title, author, date "
        "and paragraph. An unknown id exits 1 with suggestions.",
    ),
)
@takes_options("show")
def show(ctx: typer.Context, record_id: Annotated[str, id_argument("Record id.")], values: Values) -> None:
    """Show one record."""
    print_record(load_record(state_of(ctx, values), record_id), record_id, values.get("fmt"))
