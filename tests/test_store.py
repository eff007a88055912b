"""The indexed store: queries read only candidate rows yet answer as the file does; exports copy it.

Every test runs with `XDG_CACHE_HOME` in its own temporary directory (conftest.py).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
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
from relations_cli.query import Query, run
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
