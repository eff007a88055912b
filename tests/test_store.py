"""The indexed store: queries read only candidate rows yet answer as the file does; exports copy it.

Every test runs with `XDG_CACHE_HOME` in its own temporary directory (conftest.py).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from relations_cli import database, entry, store
from relations_cli.cli.app import app
from relations_cli.dataset import load
from relations_cli.model import AGREEMENT_TYPES, CATEGORIES, KINDS, Dataset
from relations_cli.query import Query, record_text, run
from relations_cli.render import Listing, fields_of, json_members, render_json, shaped_json, to_dict, write_json_objects
from tests.conftest import BUNDLED

OLD = time.time() - 3600
runner = CliRunner()


@pytest.fixture(scope="module")
def bundled_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundled dataset, old enough to be stored."""
    path = tmp_path_factory.mktemp("bundled") / "data.toml"
    shutil.copy(BUNDLED, path)
    os.utime(path, (OLD, OLD))
    return path


@pytest.fixture(scope="module")
def bundled(bundled_copy: Path) -> Dataset:
    """The bundled dataset loaded from its TOML."""
    return load(bundled_copy)


@pytest.fixture
def stored(bundled_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The bundled copy with its store built in this test's cache directory; TOML parsing then forbidden."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    store.load_cached(bundled_copy)
    assert len(list((tmp_path / "xdg" / "relations").iterdir())) == 1
    return bundled_copy


def forbid_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make reading the TOML file fail, so a load can only succeed from the store."""

    def refuse(*args: object) -> object:
        """Stand in for the TOML parser."""
        raise AssertionError("the TOML file was parsed")

    monkeypatch.setattr(store, "parse_toml", refuse)
    monkeypatch.setattr(store, "load", refuse)


# Words of the bundled data, spelling variants, prefixes, non-words and folding cases.
WORDS = [
    "flood",
    "president",
    "baku",
    "heydar",
    "Heydər",
    "HEYDAR",
    "defence",
    "defense",
    "recognise",
    "recognize",
    "recogni*",
    "honour",
    "honou*",
    "programme",
    "program",
    "centre",
    "eco",
    "karabakh",
    "kashmir",
    "azərbaycan",
    "khojali",
    "pakistan's",
    "visit*",
    "2010",
    "aliyev",
    "earthquake",
    "organisation",
    "organiz*",
    "zzzz",
    "a",
    "e*",
]
TERM = st.tuples(st.booleans(), st.sampled_from(WORDS)).map(lambda t: ("-" if t[0] else "") + t[1])
TEXT = st.lists(st.one_of(TERM, st.just("OR")), min_size=1, max_size=4).map(" ".join)
ALL_CATEGORIES = sorted({c for kind in KINDS for c in CATEGORIES[kind]})
DAY = st.dates(min_value=date(1985, 1, 1), max_value=date(2026, 12, 31))


@st.composite
def queries(draw: st.DrawFn) -> Query:
    """A random query over every filter the store pushes down, and some it leaves to Python."""
    kinds = tuple(sorted(draw(st.sets(st.sampled_from(KINDS), min_size=1))))
    low, high = draw(st.none() | DAY), draw(st.none() | DAY)
    if low is not None and high is not None and low > high:
        low, high = high, low
    text = draw(st.none() | TEXT)
    return Query(
        kinds=kinds,
        years=tuple(draw(st.lists(st.integers(min_value=1985, max_value=2026), max_size=3))),
        date_from=low,
        date_to=high,
        categories=tuple(draw(st.lists(st.sampled_from(ALL_CATEGORIES), max_size=2))),
        types=tuple(draw(st.lists(st.sampled_from(AGREEMENT_TYPES), max_size=2))),
        actor=draw(st.none() | st.sampled_from(["aliyev", "pakistan", "Heydər"])),
        text=text if text and Query(text=text).text and _searchable(text) else None,
        source=draw(st.none() | st.sampled_from(["qaiser-2017", "mutual-beneficial"])),
        sort=draw(st.sampled_from(["date", "-date", "id", "title", "-amount"])),
        limit=draw(st.none() | st.integers(min_value=0, max_value=5)),
    )


def _searchable(text: str) -> bool:
    """True when the text is a search the query accepts (not only OR words)."""
    from relations_cli.query import parse_search

    return bool(parse_search(text))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries())
def test_pushdown_gives_the_same_answer_as_the_file(
    stored: Path, bundled: Dataset, monkeypatch: pytest.MonkeyPatch, query: Query
) -> None:
    """A random query answered from the store's candidate rows equals the same query on the whole TOML load."""
    forbid_parsing(monkeypatch)
    candidates = store.load_candidates(stored, query)
    got = run(candidates.dataset.records(), query, candidates.dataset.actors)
    assert got == run(bundled.records(), query, bundled.actors)
    assert candidates.total == sum(1 for r in bundled.records() if r.kind in query.kinds)
    assert candidates.dataset.sources == bundled.sources and candidates.dataset.actors == bundled.actors


def test_queries_read_only_matching_rows(stored: Path, bundled: Dataset, monkeypatch: pytest.MonkeyPatch) -> None:
    """A year, a category, an id and a search word each read far fewer rows than the dataset has."""
    forbid_parsing(monkeypatch)
    total = len(bundled.records())
    for query in (
        Query(kinds=("aid",), years=(2010,)),
        Query(categories=("visit",)),
        Query(text="flood"),
        Query(types=("memorandum",)),
        Query(source="mutual-beneficial", years=(2015,)),
    ):
        read = len(store.load_candidates(stored, query).dataset.records())
        assert 0 < read < total / 3, query
    one = store.load_record(stored, "flood-relief-2010")
    assert [r.id for r in one.dataset.records()] == ["flood-relief-2010"] and one.known is None


def test_show_of_a_missing_id_lists_every_id(stored: Path, bundled: Dataset, monkeypatch: pytest.MonkeyPatch) -> None:
    """An id the store does not hold gives no record and every id, for the suggestions."""
    forbid_parsing(monkeypatch)
    missing = store.load_record(stored, "flood-relief-2100")
    assert missing.dataset.records() == [] and missing.known == [r.id for r in bundled.records()]
    result = runner.invoke(app, ["--data", str(stored), "show", "flood-relief-2100"])
    assert result.exit_code == 1 and "did you mean 'flood-relief-2010'" in result.stderr
    result = runner.invoke(app, ["--data", str(stored), "show", "flood-relief-2010", "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["id"] == "flood-relief-2010"


def test_conditions_are_sql_on_indexed_columns() -> None:
    """Kinds, categories, types, dates, a source and words become conditions on store_records; actors do not."""
    where, params = store.conditions(
        Query(kinds=("aid",), years=(2010,), categories=("humanitarian",), text="flood", actor="x")
    )
    assert "kind IN (?)" in where and "category IN (?)" in where and "first_day BETWEEN" in where
    assert "records_fts MATCH" in where and "actor" not in where
    assert params[0] == "aid" and "2010-12-31" in params and params[-1] == 'folded : (("flood"))'
    assert store.conditions(Query()) == ("", [])


def test_year_and_id_lookups_use_indexes(stored: Path) -> None:
    """The query plan of a year lookup uses the span index, an id lookup the id index."""
    target = next((Path(os.environ["XDG_CACHE_HOME"]) / "relations").iterdir())
    connection = sqlite3.connect(target)
    try:
        where, params = store.conditions(Query(years=(2010,)))
        plan = " ".join(
            row[3]
            for row in connection.execute(f"EXPLAIN QUERY PLAN SELECT payload FROM store_records WHERE {where}", params)
        )
        assert "store_records_first_day" in plan
        plan = " ".join(
            row[3] for row in connection.execute("EXPLAIN QUERY PLAN SELECT payload FROM store_records WHERE id = 'x'")
        )
        assert "USING INDEX" in plan
    finally:
        connection.close()


def test_fts_query_leaves_exclusions_to_python() -> None:
    """Excluded words narrow nothing; an alternative of only exclusions means no narrowing at all."""
    assert database.fts_query("flood -earthquake") == 'folded : (("flood"))'
    assert database.fts_query("-earthquake") is None
    assert database.fts_query("karabakh OR -x") is None
    assert database.fts_query("Defence recognis*") == 'folded : (("defense" AND ("recognis"* OR "recogniz"*)))'


def test_stdin_is_never_stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--data -` reads standard input and writes no store."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(BUNDLED.read_bytes())))
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    assert entry.main(["--data", "-", "aid", "--year", "2010", "--format", "json"]) == 0
    assert [r["id"] for r in json.loads(out.getvalue())] == ["flood-relief-2010"]
    assert not (tmp_path / "xdg" / "relations").exists()


# ---------------------------------------------------------------------------
# Exports
# ---------------------------------------------------------------------------


def dump(path: Path) -> dict[str, Any]:
    """Every table and view of an export, row by row, and its schema (FTS5's own tables and statistics aside)."""
    connection = sqlite3.connect(path)
    try:
        names = [n for (n,) in connection.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")]
        tables = {
            n: connection.execute(f"SELECT * FROM {n}").fetchall()
            for n in names
            if not n.startswith(("records_fts_", "sqlite_stat"))
        }
        schema = sorted(connection.execute("SELECT type, name, sql FROM sqlite_master").fetchall())
        return {"tables": tables, "schema": schema}
    finally:
        connection.close()


def checks(path: Path) -> tuple[list[Any], list[Any]]:
    """What SQLite's integrity and foreign-key checks say of a database."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        return connection.execute("PRAGMA integrity_check").fetchall(), connection.execute(
            "PRAGMA foreign_key_check"
        ).fetchall()
    finally:
        connection.close()


@pytest.mark.parametrize(
    "filters", [[], ["--year", "2015"], ["--category", "visit", "-s", "baku"], ["--donor", "nobody"]]
)
def test_export_copied_from_the_store_equals_a_fresh_fill(stored: Path, tmp_path: Path, filters: list[str]) -> None:
    """The export copied from the store holds what a fresh fill (--no-cache) writes, and passes SQLite's checks."""
    copied, fresh = tmp_path / "copied.db", tmp_path / "fresh.db"
    assert runner.invoke(app, ["--data", str(stored), "export", str(copied), *filters]).exit_code == 0
    assert runner.invoke(app, ["--no-cache", "--data", str(stored), "export", str(fresh), *filters]).exit_code == 0
    assert dump(copied) == dump(fresh)
    for path in (copied, fresh):
        assert checks(path) == ([("ok",)], [])
    names = {row[1] for row in dump(copied)["schema"]}
    assert not names & set(database.STORE_TABLES)
    assert {
        "events",
        "aid",
        "agreements",
        "sources",
        "actors",
        "roles",
        "citations",
        "record_actors",
        "disputes",
        "meta",
        "records",
        "records_fts",
    } <= names


def test_export_full_text_folds_schwa_case_and_accents(stored: Path, tmp_path: Path, bundled: Dataset) -> None:
    """MATCH 'Heydər', 'heydar', 'HEYDAR' and 'Héydar' find the same records in an export, those search finds."""
    db = tmp_path / "out.db"
    assert runner.invoke(app, ["--data", str(stored), "export", str(db)]).exit_code == 0
    connection = sqlite3.connect(db)
    try:
        found = {
            word: sorted(
                i for (i,) in connection.execute("SELECT id FROM records_fts WHERE records_fts MATCH ?", (word,))
            )
            for word in ("Heydər", "heydar", "HEYDAR", "Héydar", "HEYDƏR")
        }
    finally:
        connection.close()
    expected = sorted(r.id for r in run(bundled.records(), Query(text="heydar")))
    assert expected and all(ids == expected for ids in found.values()), found


def test_schwa_spellings_add_each_spelling() -> None:
    """Every way of writing ə for a is added for words with few a's, only all-ə for longer ones."""
    assert database.schwa_spellings("baku heydar") == "baku heydar bəku heydər"
    assert set(database.schwa_spellings("aa").split()) == {"aa", "əa", "aə", "əə"}
    assert database.schwa_spellings("abracadabra").split() == ["abracadabra", "əbrəcədəbrə"]


def test_program_writes_a_new_store_after_answering(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as a program, the load answers from the TOML and a detached child writes the store afterwards."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(store, "_LATER", [True])
    monkeypatch.setattr(store, "_PENDING", [])
    path = tmp_path / "data.toml"
    shutil.copy(BUNDLED, path)
    os.utime(path, (OLD, OLD))
    fresh = load(path)
    assert store.load_cached(path) == fresh
    directory = tmp_path / "xdg" / "relations"
    assert not directory.exists() and len(store._PENDING) == 1
    store.write_pending()
    assert store._PENDING == []
    deadline = time.monotonic() + 60
    while not [p for p in directory.glob("*.sqlite3")] and time.monotonic() < deadline:
        time.sleep(0.05)
    [written] = directory.glob("*.sqlite3")
    forbid_parsing(monkeypatch)
    assert store.load_cached(path) == fresh
    assert [p.name for p in directory.iterdir()] == [written.name]


# --- JSON printed from the store's copy -----------------------------------------------------------

FIELD_LISTS = st.none() | st.lists(st.sampled_from(fields_of(KINDS)), min_size=1, max_size=6, unique=True)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries(), fields=FIELD_LISTS)
def test_stored_json_is_what_render_json_prints(
    stored: Path, bundled: Dataset, monkeypatch: pytest.MonkeyPatch, query: Query, fields: list[str] | None
) -> None:
    """A random query and field list: the objects put together from the store equal render_json of the file's answer."""
    forbid_parsing(monkeypatch)
    candidates = store.load_candidates(stored, query, shown=True)
    assert candidates.shown is not None
    columns = tuple(fields) if fields else fields_of(query.kinds)
    records = run(candidates.dataset.records(), query, candidates.dataset.actors)
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    write_json_objects([shaped_json(candidates.shown[r.id], r.kind, columns) for r in records], out)
    out.flush()
    expected = io.StringIO()
    render_json(Listing([to_dict(r) for r in run(bundled.records(), query, bundled.actors)], columns), expected)
    assert out.buffer.getvalue().decode("utf-8") == expected.getvalue()


def test_the_store_keeps_each_records_json_and_words(stored: Path, bundled: Dataset) -> None:
    """Each stored row holds the record's JSON members and its searched words, as this version writes them."""
    [target] = (Path(os.environ["XDG_CACHE_HOME"]) / "relations").iterdir()
    connection = sqlite3.connect(target)
    try:
        rows = {i: (s, w) for i, s, w in connection.execute("SELECT id, shown, words FROM store_records")}
    finally:
        connection.close()
    assert len(rows) == len(bundled.records())
    for record in bundled.records():
        assert rows[record.id] == (json_members(record), record_text(record))


LISTINGS_JSON = [
    ["events", "--format", "json"],
    ["aid", "--format", "json", "--sort", "-amount"],
    ["agreements", "--format", "json", "--fields", "status,id,title"],
    ["search", "flood", "--format", "json"],
    ["search", "visit*", "-f", "json", "--limit", "3", "--sort", "-date"],
    ["events", "--year", "1990", "--format", "json"],
]


@pytest.mark.parametrize("argv", LISTINGS_JSON)
def test_json_from_the_store_equals_json_from_the_file(
    stored: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    """`--format json` answered from the store's copy prints, byte for byte, what a load of the file prints."""
    assert entry.main(["--data", str(stored), "--no-cache", *argv]) == 0
    from_file = capsys.readouterr().out
    forbid_parsing(monkeypatch)

    def refuse(record: object) -> object:
        """Stand in for to_dict: the rows must come from the store's copy."""
        raise AssertionError("a record was converted to a dict")

    monkeypatch.setattr("relations_cli.runtime.to_dict", refuse)
    assert entry.main(["--data", str(stored), *argv]) == 0
    assert capsys.readouterr().out == from_file


def test_json_for_an_ascii_stdout_is_escaped(stored: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Where stdout cannot take Unicode, JSON is written by json itself, escaped, whatever the store holds."""
    argv = ["--data", str(stored), "events", "--format", "json"]
    assert entry.main(argv) == 0
    plain = capsys.readouterr().out
    assert not plain.isascii()
    real = sys.stdout
    sys.stdout = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    try:
        assert entry.main(argv) == 0
        sys.stdout.flush()
        escaped = sys.stdout.buffer.getvalue().decode("ascii")
    finally:
        sys.stdout = real
    assert escaped.isascii() and json.loads(escaped) == json.loads(plain)


@pytest.mark.parametrize("column", ["shown", "words"])
def test_a_damaged_copy_makes_the_store_stale(stored: Path, bundled: Dataset, column: str) -> None:
    """A row whose JSON or words no longer match their CRC-32: the store is not used, the file is read."""
    [target] = (Path(os.environ["XDG_CACHE_HOME"]) / "relations").iterdir()
    connection = sqlite3.connect(target)
    try:
        connection.execute(f"UPDATE store_records SET {column} = {column} || ' ' WHERE rid = 1")
        connection.commit()
    finally:
        connection.close()
    query = Query(text="pakistan")
    candidates = store.load_candidates(stored, query, shown=True)
    assert candidates.shown is None  # read from the file
    assert run(candidates.dataset.records(), query) == run(bundled.records(), query)


def test_a_program_reading_the_store_ends_quietly_when_the_reader_goes(stored: Path) -> None:
    """`relations ... --format json | head -1` answered from the store: exit 0, nothing on stderr."""
    process = subprocess.Popen(
        [sys.executable, "-m", "relations_cli", "--data", str(stored), "search", "pakistan", "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "COLUMNS": "80"},
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline() == b"[\n"
    process.stdout.close()
    assert process.stderr.read() == b""
    assert process.wait(timeout=60) == 0


def test_a_program_prints_the_same_json_from_the_store_and_the_file(stored: Path) -> None:
    """A real process, real stdout: the store's copy and a fresh load of the file print the same bytes."""
    argv = [sys.executable, "-m", "relations_cli", "--data", str(stored), "search", "visit OR flood", "-f", "json"]
    from_store = subprocess.run(argv, capture_output=True, check=True, timeout=60)
    from_file = subprocess.run([*argv, "--no-cache"], capture_output=True, check=True, timeout=60)
    assert from_store.stdout == from_file.stdout and from_store.stdout.startswith(b"[\n  {")
    assert from_store.stderr == b""


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries())
def test_undated_candidates_are_every_undated_match(
    stored: Path, bundled: Dataset, monkeypatch: pytest.MonkeyPatch, query: Query
) -> None:
    """Asked for undated records only, the store reads no dated row and misses no undated match."""
    forbid_parsing(monkeypatch)
    plain = query.replace(years=(), date_from=None, date_to=None, limit=None)
    candidates = store.load_candidates(stored, plain, undated=True)
    assert all(r.date is None for r in candidates.dataset.records())
    expected = [r for r in run(bundled.records(), plain, bundled.actors) if r.date is None]
    assert run(candidates.dataset.records(), plain, candidates.dataset.actors) == expected


def test_the_bundled_data_has_undated_records(bundled: Dataset) -> None:
    """The undated test above has something to find."""
    assert sum(1 for r in bundled.records() if r.date is None) >= 3
