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
    print_actors,
    print_sources,
)
from relations_cli.runtime import show as show_any

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
    short_help="List the sources: kind, publisher, date and URL; where their dates end.",
    help=examples(
        ["relations sources", "relations sources --fields id,url,records --format json"],
        "List the articles and pages the dataset is built from: id, kind, publisher, publication date, URL and "
        "title (--format json: every field, with how many records cite each). A table ends with the span of "
        "the publication dates: nothing after the last one is known. --fields takes every field of a source.",
    ),
)
@takes_options("sources")
def sources(ctx: typer.Context, values: Values) -> None:
    """List the sources."""
    print_sources(load_dataset(state_of(ctx, values)), values)


@app.command(
    short_help="List people, states and bodies, with their current or last role.",
    help=examples(
        ["relations actors --role president --country PK", "relations actors --kind organisation --format json"],
        "List the actors the records refer to: id, name, kind, country, the current or last role the sources "
        "state (title and of whom) and how many records involve each. --role matches the words of any role's "
        "title (--role president), -s the id, name, aliases and roles, whatever the case or accents. "
        "--format json gives every field, with aliases and each role's dates and sources.",
    ),
)
@takes_options("actors")
def actors(ctx: typer.Context, values: Values) -> None:
    """List the actors."""
    print_actors(load_dataset(state_of(ctx, values)), values)


@app.command(
    short_help="Show one record, actor or source whole, with its citations.",
    help=examples(
        [
            "relations show flood-relief-2010",
            "relations show heydar-aliyev --format json",
            "relations show 'Ilham Aliyev'",
            "relations show qaiser-2017",
        ],
        "Show any id. A record: every field, its place and status, an open-ended date as 'since 1993, last "
        "reported 2017-01-16', each citation with publisher, date and URL, and each dispute with the readings "
        "side by side. An actor (by id, name or alias): its fields, aliases and roles with their dates and "
        "citations, then its records in date order. A source: its fields, then the records citing it. "
        "An unknown id exits 1 with suggestions.",
    ),
)
@takes_options("show")
def show(
    ctx: typer.Context, record_id: Annotated[str, id_argument("A record, actor or source id.")], values: Values
) -> None:
    """Show one record, actor or source."""
    show_any(state_of(ctx, values), record_id, values)
