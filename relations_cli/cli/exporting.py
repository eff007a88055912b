"""The export command: the data as SQLite, JSON or CSV files."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from relations_cli import __version__
from relations_cli.cli.shared import state_of, takes_options
from relations_cli.runtime import ExitCode, Values, examples, fail, note, select, store_of

app = typer.Typer()


@app.command(
    "export",
    short_help="Write the data to SQLite (for Datasette), JSON or CSV files.",
    help=examples(
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
@takes_options("export")
def export_command(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(metavar="PATH", help="File (sqlite, json) or directory (csv) to write.", show_default=False),
    ],
    values: Values,
) -> None:
    """Export the data."""
    from relations_cli.export import ExportError, export, infer_format

    try:
        chosen = infer_format(path, values["fmt"])
        state = state_of(ctx, values)
        dataset, query, records = select(state, "export", values)
        with store_of(state) as store:
            filters = query.describe()
            export(
                dataset, records, path, chosen, force=values["force"], filters=filters, version=__version__, store=store
            )
    except ExportError as exc:
        fail(str(exc), ExitCode(exc.code))
    if sys.stderr.isatty():
        note(f"wrote {len(records)} records and {len(dataset.sources)} sources to {path} ({chosen})")
