"""The export command: the data as SQLite, JSON or CSV files."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from relations_cli import __version__
from relations_cli.cli.shared import state_of, takes_options
from relations_cli.runtime import ExitCode, Values, closed_pipe_is_quiet, examples, fail, note, select, store_of

app = typer.Typer()


@app.command(
    "export",
    short_help="Write the data to SQLite (for Datasette), JSON or CSV files.",
    help=examples(
        [
            "relations export relations.db && datasette relations.db",
            "relations export relations.json",
            "relations export tables/ --format csv --from 2010",
            "relations export - | jq '.events | length'",
            "relations export - --format csv --kind aid",
        ],
        "Write the matching records (and every source) to PATH, in the format --format names or the suffix "
        "implies (.db, .sqlite, .sqlite3: sqlite; .json: json).\n\n"
        "sqlite: tables sources, actors, roles, events, aid, agreements, citations (record_id, kind, source -> "
        "sources.id, paragraph), record_actors (record_id, kind, role, position, actor_id -> actors.id), disputes "
        "(one row per reading) and meta; the view 'records' unites every kind; the FTS5 table records_fts folds "
        "case, accents and ə as `relations search` does: SELECT id FROM records_fts WHERE records_fts MATCH "
        "'Heydər'. Lists are JSON text; date_start and date_end hold the first and last day a date covers.\n\n"
        "json: one object with meta, sources, actors, events, aid and agreements, records as in --format json.\n\n"
        "csv: PATH is a directory of sources.csv, actors.csv, events.csv, aid.csv and agreements.csv, lists "
        "joined by '; ' as in tsv output.\n\n"
        "The export is written under a temporary name beside PATH, then renamed into place. An existing PATH is "
        "left alone (exit 1) unless --force; a failed export leaves nothing behind. Only a regular file, or a "
        "directory a csv export wrote, is ever replaced: never a symbolic link (nor what it points to), a device "
        "or a pipe.\n\n"
        "PATH '-' writes to standard output: json (the default), csv of one table named with --kind, or sqlite "
        "when standard output is not a terminal.",
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
    from relations_cli.export import STDOUT, ExportError, export, export_stream, infer_format

    to_stdout = str(path) == STDOUT
    try:
        chosen = (values["fmt"] or "json") if to_stdout else infer_format(path, values["fmt"])
        chosen = infer_format(path, chosen)
        if values["table"] and not (to_stdout and chosen == "csv"):
            raise ExportError("--kind names the one table of a csv export to '-'", ExitCode.USAGE)
        state = state_of(ctx, values)
        dataset, query, records = select(state, "export", values)
        filters = query.describe()
        if to_stdout:
            with closed_pipe_is_quiet():
                export_stream(
                    dataset,
                    records,
                    chosen,
                    sys.stdout.buffer,
                    kind=values["table"],
                    filters=filters,
                    version=__version__,
                )
            return
        with store_of(state) as store:
            export(
                dataset, records, path, chosen, force=values["force"], filters=filters, version=__version__, store=store
            )
    except ExportError as exc:
        fail(str(exc), ExitCode(exc.code))
    if sys.stderr.isatty():
        note(f"wrote {len(records)} records and {len(dataset.sources)} sources to {path} ({chosen})")
