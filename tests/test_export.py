"""Tests of export: SQLite, JSON and CSV round trips, filters, atomic writing, no-clobber and failures."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from relations_cli import __version__, database, export
from relations_cli.cli.app import app
from relations_cli.export import LIST_FIELDS, ExportError, infer_format, sqlite_schema
from relations_cli.model import KINDS, TABLE_OF_KIND, Dataset
from relations_cli.render import fields_of
from tests.conftest import FIXTURES, SMALL

runner = CliRunner()
LISTING = {"event": "events", "aid": "aid", "agreement": "agreements"}


def invoke(*args: str) -> tuple[int, str, str]:
    """Run the app on the small fixture; return exit code, stdout and stderr."""
    result = runner.invoke(app, ["--data", str(SMALL), *args])
    return result.exit_code, result.stdout, result.stderr


def listing_json(kind: str, *filters: str) -> list[dict[str, Any]]:
    """What the listing command of a kind prints with --format json."""
    code, out, _ = invoke(LISTING[kind], *filters, "--format", "json")
    assert code == 0
    rows: list[dict[str, Any]] = json.loads(out)
    return rows


def listing_csv(kind: str, *filters: str) -> list[list[str]]:
    """What the listing command of a kind prints with --format csv and every field, parsed."""
    code, out, _ = invoke(LISTING[kind], *filters, "--format", "csv", "--fields", ",".join(fields_of((kind,))))
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    return rows or [list(fields_of((kind,)))]  # an empty listing prints nothing; an export keeps the header


def read_sqlite(path: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """Rows of a query on an exported database."""
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def entries(directory: Path) -> list[str]:
    """Every name in a directory, hidden ones too, sorted."""
    return sorted(p.name for p in directory.iterdir())


# ---------------------------------------------------------------------------
# SQLite
# ---------------------------------------------------------------------------


def test_sqlite_tables_hold_what_the_listings_print(tmp_path: Path, small: Dataset) -> None:
    """Each kind's table has the listing's rows, in order, with lists as JSON text; sources are all there."""
    db = tmp_path / "relations.db"
    code, out, err = invoke("export", str(db))
    assert (code, out, err) == (0, "", "")
    for kind in KINDS:
        listed = listing_json(kind)
        rows = read_sqlite(db, f"SELECT * FROM {TABLE_OF_KIND[kind]} ORDER BY rowid")
        names = [c[1] for c in read_sqlite(db, f"PRAGMA table_info({TABLE_OF_KIND[kind]})")]
        assert len(rows) == len(listed)
        for row, expected in zip(rows, listed, strict=True):
            got = dict(zip(names, row, strict=True))
            for name, value in expected.items():
                if name in ("kind", "sources"):
                    continue
                stored = json.loads(got[name]) if name in LIST_FIELDS or (got[name] and name == "place") else got[name]
                assert stored == value, (kind, name)
    sources = read_sqlite(db, "SELECT id, title, authors, published FROM sources")
    assert sources == [(s.id, s.title, json.dumps(list(s.authors)), s.published) for s in small.sources]


def test_sqlite_citations_and_foreign_keys(tmp_path: Path, small: Dataset) -> None:
    """Citations reference sources; with foreign keys on, foreign_key_check finds nothing."""
    db = tmp_path / "relations.db"
    assert invoke("export", str(db))[0] == 0
    citations = read_sqlite(db, "SELECT record_id, kind, source, paragraph FROM citations")
    assert sorted(citations) == sorted(
        (r.id, r.kind, c.source, c.paragraph) for r in small.records() for c in r.sources
    )
    connection = sqlite3.connect(db)
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        assert connection.execute("PRAGMA foreign_key_list(citations)").fetchall()[0][2:4] == ("sources", "source")
        with pytest.raises(sqlite3.IntegrityError):
            connection.execute("INSERT INTO citations VALUES ('x', 'event', 'no-such-source', 1)")
    finally:
        connection.close()


def test_sqlite_full_text_search_finds_flood(tmp_path: Path, small: Dataset) -> None:
    """An FTS5 MATCH query for 'flood' finds exactly the records that mention it; accents fold too."""
    db = tmp_path / "relations.db"
    assert invoke("export", str(db))[0] == 0
    found = read_sqlite(db, "SELECT id, kind FROM records_fts WHERE records_fts MATCH ? ORDER BY id", "flood")
    expected = sorted(
        (r.id, r.kind) for r in small.records() if "flood" in " ".join((r.title, r.summary, *r.aliases)).lower()
    )
    assert found == expected and found
    heydar = read_sqlite(db, "SELECT id FROM records_fts WHERE records_fts MATCH 'heydar'")
    assert heydar == [("visit-heydar",)]
    assert len(read_sqlite(db, "SELECT * FROM records_fts")) == len(small.records())


def test_sqlite_meta_view_and_dates(tmp_path: Path, small: Dataset) -> None:
    """meta has the [meta] table, the source file and the tool version; the records view unites every kind."""
    db = tmp_path / "relations.db"
    assert invoke("export", str(db), "--year", "2010")[0] == 0
    meta = dict(read_sqlite(db, "SELECT key, value FROM meta"))
    assert meta["title"] == dict(small.meta)["title"]
    assert meta["source_file"] == SMALL.name and meta["exported_by"] == f"relations {__version__}"
    assert meta["filters"] == "year 2010"
    view = read_sqlite(db, "SELECT id, kind FROM records ORDER BY id")
    code, out, _ = invoke("search", "", "--year", "2010", "--format", "json")
    assert code == 0 and view == sorted((r["id"], r["kind"]) for r in json.loads(out))
    assert read_sqlite(db, "SELECT date_start, date_end FROM aid WHERE id = 'flood-2010'") == [
        ("2010-01-01", "2010-12-31")
    ]
    assert read_sqlite(db, "SELECT date_start, date_end FROM events WHERE id = 'training-since'") == [
        ("1993-01-01", None)
    ]


def test_sqlite_export_takes_filters(tmp_path: Path, small: Dataset) -> None:
    """With filters only matching records are exported, but every source is."""
    db = tmp_path / "filtered.sqlite"
    assert invoke("export", str(db), "--donor", "azerbaijan")[0] == 0
    for kind in KINDS:
        count = read_sqlite(db, f"SELECT count(*) FROM {TABLE_OF_KIND[kind]}")[0][0]
        assert count == len(listing_json(kind, "--donor", "azerbaijan") if kind == "aid" else [])
    assert read_sqlite(db, "SELECT count(*) FROM sources")[0][0] == len(small.sources)


# ---------------------------------------------------------------------------
# JSON and CSV
# ---------------------------------------------------------------------------


def test_json_export_equals_the_listings(tmp_path: Path, small: Dataset) -> None:
    """The JSON export's records equal each listing's --format json output; sources are all there."""
    path = tmp_path / "relations.json"
    assert invoke("export", str(path))[0] == 0
    document = json.loads(path.read_text(encoding="utf-8"))
    assert set(document) == {"meta", "sources", "actors", "events", "aid", "agreements"}
    for kind in KINDS:
        assert document[TABLE_OF_KIND[kind]] == listing_json(kind)
    assert [s["id"] for s in document["sources"]] == [s.id for s in small.sources]
    assert document["meta"]["title"] == dict(small.meta)["title"]


def test_json_export_with_filters(tmp_path: Path) -> None:
    """Filters apply to the JSON export as to the listings."""
    path = tmp_path / "out.json"
    assert invoke("export", str(path), "--from", "2010")[0] == 0
    document = json.loads(path.read_text(encoding="utf-8"))
    for kind in KINDS:
        assert document[TABLE_OF_KIND[kind]] == listing_json(kind, "--from", "2010")


def test_csv_export_equals_the_listings(tmp_path: Path, small: Dataset) -> None:
    """Each CSV file reads back equal to the listing's --format csv output with every field."""
    directory = tmp_path / "tables"
    assert invoke("export", str(directory), "--format", "csv")[0] == 0
    assert entries(directory) == ["actors.csv", "agreements.csv", "aid.csv", "events.csv", "sources.csv"]
    for kind in KINDS:
        text = (directory / f"{TABLE_OF_KIND[kind]}.csv").read_text(encoding="utf-8")
        assert list(csv.reader(io.StringIO(text))) == listing_csv(kind)
    with (directory / "sources.csv").open(encoding="utf-8", newline="") as handle:
        sources = list(csv.DictReader(handle))
    assert [(s["id"], s["title"], s["authors"]) for s in sources] == [
        (s.id, s.title, "; ".join(s.authors)) for s in small.sources
    ]


HEYDAR_ROLE = {
    "title": "President",
    "of": "azerbaijan",
    "of_name": "Azerbaijan",
    "date": "1996-04",
    "last_reported": "2017-01-16",
    "sources": [{"source": "alpha", "paragraph": 5}],
}


def test_json_export_carries_actors_with_roles(tmp_path: Path) -> None:
    """The JSON export lists every actor with its fields, aliases and dated, cited roles."""
    path = tmp_path / "relations.json"
    assert invoke("export", str(path), "--year", "2010")[0] == 0
    document = json.loads(path.read_text(encoding="utf-8"))
    state = {"kind": "state", "aliases": [], "roles": []}
    assert document["actors"] == [
        {"id": "pakistan", "name": "Pakistan", "country": "PK", **state},
        {"id": "azerbaijan", "name": "Azerbaijan", "country": "AZ", **state},
        {
            "id": "heydar-aliyev",
            "name": "Heydar Aliyev",
            "kind": "person",
            "country": "AZ",
            "aliases": ["Heydər Əliyev", "Hayder Aliyev"],
            "roles": [HEYDAR_ROLE],
        },
    ]


def test_csv_export_writes_actors_csv(tmp_path: Path) -> None:
    """actors.csv has a row per actor, aliases and roles joined as in TSV output."""
    directory = tmp_path / "tables"
    assert invoke("export", str(directory), "--format", "csv")[0] == 0
    with (directory / "actors.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        ["id", "name", "kind", "country", "aliases", "roles"],
        ["pakistan", "Pakistan", "state", "PK", "", ""],
        ["azerbaijan", "Azerbaijan", "state", "AZ", "", ""],
        [
            "heydar-aliyev",
            "Heydar Aliyev",
            "person",
            "AZ",
            "Heydər Əliyev; Hayder Aliyev",
            "President of azerbaijan 1996-04 [alpha:5]",
        ],
    ]


def test_csv_export_keeps_headers_of_empty_kinds(tmp_path: Path) -> None:
    """A kind with no matching records still gets a file with its header."""
    directory = tmp_path / "tables"
    assert invoke("export", str(directory), "-f", "csv", "--donor", "pakistan")[0] == 0
    text = (directory / "events.csv").read_text(encoding="utf-8")
    assert list(csv.reader(io.StringIO(text))) == [list(fields_of(("event",)))]
    aid = list(csv.reader(io.StringIO((directory / "aid.csv").read_text(encoding="utf-8"))))
    assert aid == listing_csv("aid", "--donor", "pakistan")


# ---------------------------------------------------------------------------
# Format choice
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"), [("a.db", "sqlite"), ("a.SQLITE", "sqlite"), ("a.sqlite3", "sqlite"), ("a.json", "json")]
)
def test_format_from_suffix(name: str, fmt: str) -> None:
    """The suffix names the format when --format is not given."""
    assert infer_format(name, None) == fmt


def test_format_option_wins_and_unknown_formats_are_usage_errors(tmp_path: Path) -> None:
    """--format overrides the suffix; an unknown suffix or format exits 2 and writes nothing."""
    assert infer_format("a.json", "sqlite") == "sqlite"
    code, out, err = invoke("export", str(tmp_path / "data.txt"))
    assert (code, out) == (2, "") and "--format" in err
    code, _, err = invoke("export", str(tmp_path / "a.db"), "--format", "xml")
    assert code == 2 and "unknown export format 'xml'" in err
    assert entries(tmp_path) == []
    path = tmp_path / "written.txt"
    assert invoke("export", str(path), "-f", "json")[0] == 0
    assert "events" in json.loads(path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------
# Atomic writing, no-clobber, failures
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name,fmt", [("x.db", "sqlite"), ("x.json", "json"), ("x", "csv")])
def test_existing_path_is_left_alone_without_force(tmp_path: Path, name: str, fmt: str) -> None:
    """Without --force an existing path exits 1 untouched; with --force it is replaced; no temp files remain."""
    target = tmp_path / name
    if fmt == "csv":
        target.mkdir()
        (target / "events.csv").write_text("old", encoding="utf-8")
    else:
        target.write_text("old", encoding="utf-8")
    code, out, err = invoke("export", str(target), "-f", fmt)
    assert (code, out) == (1, "") and "--force" in err and str(target) in err
    kept = target / "events.csv" if fmt == "csv" else target
    assert kept.read_bytes() == b"old"
    assert invoke("export", str(target), "-f", fmt, "--force")[0] == 0
    assert kept.read_bytes() != b"old"
    assert entries(tmp_path) == [name]


def test_force_never_replaces_a_directory_of_other_files(tmp_path: Path) -> None:
    """--force on a directory holding files a CSV export does not write refuses, exit 1, nothing touched."""
    target = tmp_path / "home"
    target.mkdir()
    (target / "thesis.tex").write_text("precious", encoding="utf-8")
    code, _, err = invoke("export", str(target), "-f", "csv", "--force")
    assert code == 1 and "thesis.tex" in err
    assert entries(target) == ["thesis.tex"] and entries(tmp_path) == ["home"]
    code, _, err = invoke("export", str(target / ".." / "home"), "-f", "json", "--force")
    assert code == 1 and "is a directory" in err


def test_unwritable_path_exits_1_with_the_reason(tmp_path: Path) -> None:
    """A path whose parent is a regular file cannot be written: exit 1, the reason on stderr, nothing left."""
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    for fmt in ("sqlite", "json", "csv"):
        code, out, err = invoke("export", str(blocker / "out"), "-f", fmt)
        assert (code, out) == (1, "")
        assert err.startswith("relations: error: cannot write ") and "Not a directory" in err
    code, _, err = invoke("export", str(tmp_path / "missing" / "out.db"))
    assert code == 1 and "No such file or directory" in err
    assert entries(tmp_path) == ["file"]


@pytest.mark.parametrize("fmt", ["sqlite", "json", "csv"])
def test_failed_export_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    """A writer that fails half way leaves no target and no temporary file or directory."""
    real = export.WRITERS[fmt]

    def half_then_fail(target: Path, *args: Any) -> None:
        """Write part of the export, then fail like a full disk."""
        real(target, *args)
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(export.WRITERS, fmt, half_then_fail)
    code, _, err = invoke("export", str(tmp_path / "out"), "-f", fmt)
    assert code == 1 and "No space left on device" in err
    assert entries(tmp_path) == []


def test_failed_sqlite_statement_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An SQLite error exits 1 with SQLite's reason and removes the temporary database and its journal."""
    monkeypatch.setattr(database, "sqlite_schema", lambda: sqlite_schema() + "CREATE TABLE events (id);")
    code, _, err = invoke("export", str(tmp_path / "out.db"))
    assert code == 1 and "SQLite failed" in err and "already exists" in err
    assert entries(tmp_path) == []


def test_interrupted_export_cleans_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small: Dataset) -> None:
    """Ctrl-C during the write removes the temporary file and lets the interrupt through."""

    def interrupted(*_: Any) -> None:
        """Stop as a user pressing Ctrl-C would."""
        raise KeyboardInterrupt

    monkeypatch.setitem(export.WRITERS, "json", interrupted)
    with pytest.raises(KeyboardInterrupt):
        export.export(small, small.records(), tmp_path / "out.json", "json")
    assert entries(tmp_path) == []


def test_export_function_refuses_to_clobber(tmp_path: Path, small: Dataset) -> None:
    """The library call raises ExportError(code 1) for an existing file and keeps its content."""
    target = tmp_path / "out.json"
    target.write_text("{}", encoding="utf-8")
    with pytest.raises(ExportError) as caught:
        export.export(small, small.records(), target, "json")
    assert caught.value.code == 1 and target.read_text(encoding="utf-8") == "{}"


def test_export_help_leads_with_examples() -> None:
    """The export, timeline, summary, categories and cite commands are registered, with examples first."""
    for command in ("export", "timeline", "summary", "categories", "cite"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and "Examples:" in result.stdout, command
        assert result.stdout.index("Examples:") < result.stdout.index("Options")


def test_command_vocabularies_match_the_modules() -> None:
    """The styles and formats the commands offer are those the modules implement."""
    from relations_cli import cite, options

    assert options.CITE_STYLES == cite.STYLES
    assert options.EXPORT_FORMATS == export.EXPORT_FORMATS


def test_exports_keep_dataset_text_exactly(tmp_path: Path) -> None:
    """SQLite and JSON hold the dataset's text as written (escape codes and markup are data there)."""
    hostile = FIXTURES / "overview-hostile.toml"
    db, doc = tmp_path / "h.db", tmp_path / "h.json"
    for path in (db, doc):
        assert runner.invoke(app, ["--data", str(hostile), "export", str(path)]).exit_code == 0
    assert read_sqlite(db, "SELECT donor FROM aid") == [("[blink]Donor[/blink]\x1b[5m",)]
    assert dict(read_sqlite(db, "SELECT key, value FROM meta"))["title"] == "Hostile \x1b[2J fixture"
    assert json.loads(doc.read_text(encoding="utf-8"))["events"][0]["summary"] == "Flooding \u202eeverywhere."
    assert read_sqlite(db, "SELECT id FROM records_fts WHERE records_fts MATCH 'flooding'") == [("odd-visit",)]
