"""The cite command: the sources behind records, in a citation style."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from relations_cli.cli.shared import id_argument, state_of, takes_options
from relations_cli.runtime import Values, emit, examples, matched, missing_record, note, select

app = typer.Typer()


@app.command(
    short_help="The sources behind records, with the paragraphs used.",
    help=examples(
        [
            "relations cite --year 2010",
            "relations cite flood-relief-2010 --style bibtex",
            "relations cite --category visit --style csl-json",
        ],
        "Each source behind the matching records (narrowed to those named by ID, if any: a record id, an actor id "
        "for the records involving the actor, or a source id for the records citing it), once, with "
        "the paragraphs the records cite: --style markdown (a list), bibtex (@article entries, paragraphs in "
        "'note') or csl-json (a JSON array of CSL items for Zotero, Pandoc and citeproc). Listing commands "
        "print the Markdown list under their output with --cite.",
    ),
)
@takes_options("cite")
def cite(
    ctx: typer.Context,
    ids: Annotated[
        Optional[list[str]], id_argument("Only these records, or those of these actors or sources.", many=True)
    ] = None,
    *,
    values: Values,
) -> None:
    """Print the sources behind records."""
    from relations_cli.cite import cite_text

    dataset, query, records = select(state_of(ctx, values), "cite", values)
    if ids:
        known = {r.id for r in dataset.records()}
        actors = {a.id for a in dataset.actors}
        sources = {s.id for s in dataset.sources}
        for ident in ids:
            if ident not in known | actors | sources:
                missing_record(ident, sorted(known | actors | sources), "record, actor or source")
        wanted = set(ids)
        records = [
            r
            for r in records
            if r.id in wanted or wanted & set(r.actor_ids()) or any(c.source in wanted for c in r.sources)
        ]
    text = cite_text(dataset, records, values["style"])
    emit(lambda out: out.write(text))
    if not records and sys.stderr.isatty():
        note(f"no records matched{' (' + ' · '.join(query.describe()) + ')' if query.describe() else ''}")
    matched(bool(records), values)
