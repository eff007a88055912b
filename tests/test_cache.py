"""The dataset cache: written once, used after, never trusted blindly, never in the way.

Every test runs with `XDG_CACHE_HOME` in its own temporary directory (see conftest.py and the
`cache` fixture), so the real cache is never touched.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relations_cli import __version__, database, entry, store
from relations_cli.dataset import DatasetError, load
from relations_cli.model import Dataset
from relations_cli.query import Query, run
from relations_cli.render import to_dict
from tests.conftest import BUNDLED, SMALL

OLD = time.time() - 3600  # an hour ago: well outside the "just edited" window


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private cache directory (`$XDG_CACHE_HOME/relations`), and a private home."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path / "xdg" / "relations"


def dataset_text(copies: int = 8, title: str = "Visit number") -> str:
    """A valid dataset large enough to be cached: the small fixture's sources and many events and aid."""
    head = (
        '[meta]\ntitle = "Cache test"\n\n'
        '[[sources]]\nid = "alpha"\ntitle = "Alpha “article”"\npublished = "2017-01-16"\n\n'
        '[[sources]]\nid = "beta"\ntitle = "Beta"\nauthors = ["B. Writer"]\n\n'
        '[[actors]]\nid = "pakistan"\nname = "Pakistan"\nkind = "state"\ncountry = "PK"\n\n'
        '[[actors]]\nid = "azerbaijan"\nname = "Azerbaijan"\nkind = "state"\ncountry = "AZ"\naliases = ["Azərbaycan"]\n'
    )
    records = []
    for i in range(copies * 10):
        year = 1992 + i % 25
        records.append(
            f'\n[[events]]\nid = "event-{i}"\ndate = "{year}-0{1 + i % 9}"\ncategory = "visit"\n'
            f'title = "{title} {i:04d}"\nsummary = "Someone visited in {year}; text ‘with’ quotes."\n'
            f'actors = ["pakistan", "azerbaijan"]\naliases = ["Alias {i % 3}"]\n'
            f'sources = [{{ source = "alpha", paragraph = {1 + i % 30} }}, {{ source = "beta", paragraph = 2 }}]\n'
        )
        records.append(
            f'\n[[aid]]\nid = "aid-{i}"\ndate = "{year}/{year + 1}"\ncategory = "humanitarian"\n'
            f'title = "Grant {i:04d}"\nsummary = "A grant."\ndonor = "azerbaijan"\nrecipient = "pakistan"\n'
            f'purpose = "relief"\n'
            + (f'amount = {1000 + i}\ncurrency = "USD"\n' if i % 2 else "")
            + f'sources = [{{ source = "beta", paragraph = {1 + i % 7} }}]\n'
        )
    records.append(
        '\n[[agreements]]\nid = "pact"\ncategory = "general"\ntype = "aggregate"\ntitle = "Pacts"\n'
        'summary = "Many."\nparties = ["pakistan", "azerbaijan"]\ncount = 30\ncount_qualifier = "more than"\n'
        'sources = [{ source = "alpha", paragraph = 3 }]\n'
    )
    return head + "".join(records)


def write(path: Path, text: str, when: float | None = OLD) -> Path:
    """Write a dataset file and, unless `when` is None, date it (so it is not "just edited")."""
    path.write_text(text, encoding="utf-8")
    if when is not None:
        os.utime(path, (when, when))
    return path


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A cacheable dataset file, last modified an hour ago."""
    path = write(tmp_path / "data.toml", dataset_text())
    assert path.stat().st_size >= store.MIN_CACHE_BYTES
    return path


def cache_files(cache: Path) -> list[Path]:
    """The files in the cache directory (temporary ones included)."""
    return sorted(cache.iterdir()) if cache.is_dir() else []


def forbid_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make reading the TOML file fail, so a load can only succeed from the cache."""

    def refuse(*args: object) -> object:
        """Stand in for the TOML parser."""
        raise AssertionError("the TOML file was parsed")

    monkeypatch.setattr(store, "parse_toml", refuse)
    monkeypatch.setattr(store, "load", refuse)


def test_first_load_writes_the_cache_and_the_next_reads_it(
    cache: Path, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One cache file appears; the next load comes from it and equals a fresh load."""
    fresh = load(data)
    assert store.load_cached(data) == fresh
    [written] = cache_files(cache)
    assert written.suffix == ".sqlite3"
    forbid_parsing(monkeypatch)
    assert store.load_cached(data) == fresh


def test_store_holds_its_key_and_the_export_tables(cache: Path, data: Path) -> None:
    """The store is a SQLite file, private, passing integrity checks, keyed to the file and this version."""
    store.load_cached(data)
    [written] = cache_files(cache)
    info = data.stat()
    connection = sqlite3.connect(written)
    try:
        [(text,)] = connection.execute("SELECT key FROM store_key").fetchall()
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        names = {n for (n,) in connection.execute("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%'")}
        counts = dict(connection.execute("SELECT kind, count(*) FROM store_records GROUP BY kind").fetchall())
    finally:
        connection.close()
    key = json.loads(text)
    assert key["format"] == "relations-store" and key["version"] == __version__ and key["schema"] == store.CACHE_SCHEMA
    assert (key["path"], key["size"], key["mtime_ns"], key["ctime_ns"]) == (
        str(data.resolve()),
        info.st_size,
        info.st_mtime_ns,
        info.st_ctime_ns,
    )
    assert (key["inode"], key["device"]) == (info.st_ino, info.st_dev)
    assert key["counts"] == counts == {"event": 80, "aid": 80, "agreement": 1}
    assert names == database.schema_objects()
    assert {"events", "aid", "agreements", "sources", "actors", "roles", "citations", "record_actors"} <= names
    assert oct(written.stat().st_mode & 0o777) == "0o600"


def test_store_round_trip_equals_the_toml_load(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundled dataset (with actors, roles, places, disputes) and a synthetic one come back equal from the store."""
    copy = tmp_path / "bundled.toml"
    shutil.copy(BUNDLED, copy)
    os.utime(copy, (OLD, OLD))
    other = write(tmp_path / "other.toml", dataset_text(copies=3))
    fresh = {path: load(path) for path in (copy, other)}
    for path in fresh:
        store.load_cached(path)
    forbid_parsing(monkeypatch)
    for path, dataset in fresh.items():
        assert store.load_cached(path) == dataset
        for record in dataset.records()[:20]:
            assert store.load_record(path, record.id).dataset.records() == [record]


def test_no_cache_option_neither_reads_nor_writes(cache: Path, data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """use_cache=False (the --no-cache flag) reads the TOML and leaves the cache alone."""
    assert store.load_cached(data, use_cache=False) == load(data)
    assert cache_files(cache) == []
    store.load_cached(data)
    before = cache_files(cache)[0].read_bytes()
    calls: list[str] = []
    real_load = load

    def counting(path: Path) -> Dataset:
        """Count loads from TOML."""
        calls.append(str(path))
        return real_load(path)

    monkeypatch.setattr(store, "load", counting)
    store.load_cached(data, use_cache=False)
    assert calls == [str(data)] and cache_files(cache)[0].read_bytes() == before


def test_cli_no_cache_flag(cache: Path, data: Path) -> None:
    """`relations --no-cache ...` prints the same and writes no cache."""
    code, out, _ = invoke(["--no-cache", "--data", str(data), "aid", "--year", "2000", "--format", "json"])
    assert code == 0 and cache_files(cache) == []
    assert invoke(["--data", str(data), "aid", "--year", "2000", "--format", "json"]) == (0, out, "")
    assert len(cache_files(cache)) == 1


def invoke(argv: list[str]) -> tuple[int, str, str]:
    """Run the console entry point in-process; return exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = entry.main(argv)
    return code, out.getvalue(), err.getvalue()


def test_an_edit_is_seen_by_the_next_query(cache: Path, data: Path) -> None:
    """Editing the file (new size, or same size and a new time) shows in the next query."""
    argv = ["--data", str(data), "events", "--format", "json", "--limit", "1"]
    assert json.loads(invoke(argv)[1])[0]["title"] == "Visit number 0000"
    write(data, dataset_text(title="Visit NUMBER"), when=None)  # same size, modified now
    assert json.loads(invoke(argv)[1])[0]["title"] == "Visit NUMBER 0000"
    write(data, dataset_text(title="Edited again, longer"), when=None)
    assert json.loads(invoke(argv)[1])[0]["title"] == "Edited again, longer 0000"


def test_a_file_replaced_with_the_same_size_and_time_is_seen(cache: Path, data: Path, tmp_path: Path) -> None:
    """An editor that saves by renaming a new file over the old one, keeping size and mtime: seen."""
    assert store.load_cached(data).events[0].title == "Visit number 0000"
    replacement = write(tmp_path / "new.toml", dataset_text(title="Visit NUMBER"))
    replacement.replace(data)
    assert store.load_cached(data).events[0].title == "Visit NUMBER 0000"


def test_a_file_just_modified_is_not_cached(cache: Path, tmp_path: Path) -> None:
    """A file modified within the last seconds is read but not cached (its time may not change on the next edit)."""
    path = write(tmp_path / "fresh.toml", dataset_text(), when=None)
    store.load_cached(path)
    assert cache_files(cache) == []
    os.utime(path, (OLD, OLD))
    store.load_cached(path)
    assert len(cache_files(cache)) == 1


def test_small_files_are_not_cached(cache: Path, tmp_path: Path) -> None:
    """The small fixture is under the size worth caching: read directly, nothing written."""
    small = tmp_path / "small.toml"
    shutil.copy(SMALL, small)
    os.utime(small, (OLD, OLD))
    assert small.stat().st_size < store.MIN_CACHE_BYTES
    assert store.load_cached(small) == load(small)
    assert cache_files(cache) == []


def sql(path: Path, *statements: str, params: tuple[Any, ...] = ()) -> None:
    """Run statements on a store (as a tamperer would)."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        for statement in statements:
            connection.execute(statement, params)
    finally:
        connection.close()


def corrupt_variants(good: bytes) -> Iterator[tuple[str, bytes]]:
    """Ways a store file can be broken byte-wise: emptied, garbage, truncated, a bad header, a flipped record."""
    yield "empty", b""
    yield "garbage", b"\x00\xff not a database at all" * 100
    yield "truncated", good[: len(good) // 2]
    yield "truncated to a page", good[:4096]
    yield "bad magic", b"SQLite format 2\x00" + good[16:]
    yield "bad page count", good[:28] + b"\x00\x00\x00\x01" + good[32:]
    at = good.index(b'["event-3",') + 3  # in the payload the store rebuilds the record from
    yield "flipped byte in a record", good[:at] + b"W" + good[at + 1 :]
    yield "json cache of an older version", b'{"format": "relations-cache"}\n[]\n'


@pytest.mark.parametrize("variant", [name for name, _ in corrupt_variants(b'["event-3",')])
def test_corrupt_store_is_ignored_and_rebuilt(cache: Path, data: Path, variant: str) -> None:
    """Whatever is wrong with the store file, the load is right and the store is rewritten whole."""
    fresh = load(data)
    store.load_cached(data)
    [target] = cache_files(cache)
    good = target.read_bytes()
    target.write_bytes(dict(corrupt_variants(good))[variant])
    assert store.load_cached(data) == fresh
    assert target.read_bytes() == good
    assert store.load_candidates(data, Query(kinds=("event",), years=(1995,))).dataset.events


@pytest.mark.parametrize(
    ("name", "statements"),
    [
        (
            "other version",
            ['UPDATE store_key SET key = replace(key, \'"version":\', \'"version":"0.0.0-other","v":\')'],
        ),
        ("other schema", ['UPDATE store_key SET key = replace(key, \'"schema":\', \'"schema":-1,"s":\')']),
        ("other file", ['UPDATE store_key SET key = replace(key, \'"size":\', \'"size":1,"z":\')']),
        ("no key", ["DELETE FROM store_key"]),
        ("two keys", ["INSERT INTO store_key SELECT key FROM store_key"]),
        ("key not json", ["UPDATE store_key SET key = 'x'"]),
        ("a table missing", ["DROP TABLE disputes"]),
        ("a table more", ["CREATE TABLE extra (x)"]),
        ("a column missing", ["ALTER TABLE store_records DROP COLUMN crc"]),
        ("records gone", ["DROP TABLE store_records", "CREATE TABLE store_records (x)"]),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_stale_foreign_or_reshaped_store_is_rebuilt(cache: Path, data: Path, name: str, statements: list[str]) -> None:
    """A store of another version, schema or file, or with other tables, is a miss: the file is re-read and stored."""
    fresh = load(data)
    store.load_cached(data)
    [target] = cache_files(cache)
    sql(target, *statements)
    assert store.load_cached(data) == fresh
    connection = sqlite3.connect(target)
    try:
        assert json.loads(connection.execute("SELECT key FROM store_key").fetchone()[0])["version"] == __version__
        assert connection.execute("SELECT count(*) FROM store_records").fetchone() == (161,)
    finally:
        connection.close()


def payload_of(target: Path, rid: int) -> str:
    """The stored payload of a record."""
    connection = sqlite3.connect(target)
    try:
        text: str = connection.execute("SELECT payload FROM store_records WHERE rid = ?", (rid,)).fetchone()[0]
        return text
    finally:
        connection.close()


def reseal(target: Path, rid: int, row: list[Any]) -> None:
    """Replace a record's payload with `row`, its CRC recomputed to match."""
    text = json.dumps(row)
    sql(
        target,
        "UPDATE store_records SET payload = ?, crc = ? WHERE rid = ?",
        params=(text, zlib.crc32(text.encode()), rid),
    )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE sources SET published = '16 January 2017' WHERE id = 'alpha'",
        "UPDATE sources SET title = X'41'",
        "UPDATE sources SET authors = '[1]'",
        "UPDATE sources SET authors = 'not json'",
        "UPDATE actors SET aliases = '{}'",
        "UPDATE actors SET id = 'alpha' WHERE id = 'pakistan'",
        "UPDATE meta SET value = X'41'",
        "INSERT INTO roles VALUES ('nobody', 0, 't', 'pakistan', 'Pakistan', NULL, NULL, NULL, '[]')",
        "UPDATE store_records SET payload = '[1, 2]', crc = 0",
    ],
)
def test_tampered_tables_are_stale(cache: Path, data: Path, statement: str) -> None:
    """A store edited into impossible values: treated as stale, the file re-read."""
    fresh = load(data)
    store.load_cached(data)
    [target] = cache_files(cache)
    sql(target, statement)
    assert store.load_cached(data) == fresh


@pytest.mark.parametrize(
    ("cell", "value"),
    [(5, [["nowhere", 1]]), (5, [["alpha", 0]]), (1, "2015-02-30"), (7, [1, 2]), (0, "alpha"), (10, ["nobody"])],
)
def test_tampered_payloads_are_stale(cache: Path, data: Path, cell: int, value: Any) -> None:
    """A payload edited with a matching CRC but an impossible value (unknown source, bad date...): stale, re-read."""
    fresh = load(data)
    store.load_cached(data)
    [target] = cache_files(cache)
    row = json.loads(payload_of(target, 1))
    row[cell] = [x for pair in value for x in pair] if cell == 5 else value
    reseal(target, 1, row)
    assert store.load_cached(data) == fresh


ROW_EDITS: st.SearchStrategy[Any] = st.sampled_from(
    [None, -1, 0, 1, 10**9, 1.5, True, "", "x", "visit", [], ["a"], {}, [1], "2015-02-30"]
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(min_value=1), st.integers(min_value=0), ROW_EDITS), min_size=1, max_size=4))
def test_tampered_records_never_crash(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, edits: list[tuple[int, int, Any]]
) -> None:
    """Random edits to stored records, CRC recomputed: the load returns a dataset that renders, or re-reads."""
    directory = tmp_path_factory.mktemp("tamper")
    monkeypatch.setenv("XDG_CACHE_HOME", str(directory / "xdg"))
    path = write(directory / "data.toml", dataset_text(copies=4))
    fresh = load(path)
    store.load_cached(path)
    [target] = (directory / "xdg" / "relations").iterdir()
    count = len(fresh.records())
    for rid, cell, value in edits:
        rid = 1 + (rid - 1) % count
        row = json.loads(payload_of(target, rid))
        row[cell % len(row)] = value
        reseal(target, rid, row)
    loaded = store.load_cached(path)
    for record in loaded.records():
        json.dumps(to_dict(record))
        assert record.date is None or record.date.first <= record.date.last
    assert [s.id for s in loaded.sources] == [s.id for s in fresh.sources]
    assert len(loaded.records()) == count


def test_unwritable_cache_location_means_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: Path) -> None:
    """When the cache directory cannot be made (a file is in the way), loading still works."""
    blocker = tmp_path / "blocked"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert store.load_cached(data) == load(data)
    assert store.load_cached(data) == load(data)
    assert blocker.read_text(encoding="utf-8") == "not a directory"
    code, out, err = invoke(["--data", str(data), "events", "--format", "json"])
    assert code == 0 and err == "" and len(json.loads(out)) == 80


def test_read_only_cache_file_is_replaced_or_ignored(cache: Path, data: Path) -> None:
    """A cache file that cannot be read is a miss; loading still works."""
    store.load_cached(data)
    [target] = cache_files(cache)
    target.unlink()
    target.mkdir()  # reading a directory fails
    assert store.load_cached(data) == load(data)


def test_failed_write_leaves_no_temporary_file(cache: Path, data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """If the final rename fails, the temporary file is removed and the load still succeeds."""

    def fail(self: Path, target: Path) -> Path:
        """Stand in for a rename that fails."""
        raise OSError("disk full")

    monkeypatch.setattr(Path, "replace", fail)
    assert store.load_cached(data) == load(data)
    assert cache_files(cache) == []


def test_interrupted_write_leaves_no_temporary_file(cache: Path, data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C while the cache is written: the temporary file is removed and the interrupt goes on."""

    def interrupted(self: Path, target: Path) -> Path:
        """Stand in for a rename during which Ctrl-C is pressed."""
        raise KeyboardInterrupt

    monkeypatch.setattr(Path, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        store.load_cached(data)
    assert cache_files(cache) == []


def test_default_location_is_under_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: Path) -> None:
    """Without XDG_CACHE_HOME (or with a relative one) the cache is ~/.cache/relations."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for value in (None, "relative/path"):
        if value is None:
            monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
        else:
            monkeypatch.setenv("XDG_CACHE_HOME", value)
        assert store.cache_dir() == tmp_path / "home" / ".cache" / "relations"
    store.load_cached(data)
    assert len(list((tmp_path / "home" / ".cache" / "relations").iterdir())) == 1


def test_one_cache_file_per_dataset_path(cache: Path, tmp_path: Path) -> None:
    """Two datasets get two cache files; a new version of one replaces its file instead of adding one."""
    first = write(tmp_path / "one.toml", dataset_text())
    second = write(tmp_path / "two.toml", dataset_text(title="Other"))
    store.load_cached(first)
    store.load_cached(second)
    assert len(cache_files(cache)) == 2
    write(first, dataset_text(title="Changed"), when=OLD - 10)
    store.load_cached(first)
    assert len(cache_files(cache)) == 2


def test_foreign_cache_file_is_not_used(cache: Path, tmp_path: Path) -> None:
    """A cache file copied to another dataset's name (say, by a sync tool) is not taken for it."""
    first = write(tmp_path / "one.toml", dataset_text())
    second = write(tmp_path / "two.toml", dataset_text(title="Other"))
    store.load_cached(first)
    [written] = cache_files(cache)
    target = store.cache_path(str(second.resolve()))
    assert target is not None
    shutil.copy(written, target)
    assert store.load_cached(second) == load(second)


def test_invalid_dataset_is_never_cached(cache: Path, tmp_path: Path) -> None:
    """A dataset with problems raises every time, and no cache is written for it."""
    text = dataset_text().replace('category = "visit"', 'category = "vist"', 1)
    path = write(tmp_path / "bad.toml", text)
    for _ in range(2):
        with pytest.raises(DatasetError):
            store.load_cached(path)
    assert cache_files(cache) == []


def test_bundled_dataset_round_trips_through_the_cache(cache: Path, tmp_path: Path) -> None:
    """The bundled dataset loads the same from its cache."""
    copy = tmp_path / "bundled.toml"
    shutil.copy(BUNDLED, copy)
    os.utime(copy, (OLD, OLD))
    fresh = load(copy)
    assert store.load_cached(copy) == fresh
    assert store.load_cached(copy) == fresh
    assert len(cache_files(cache)) == (1 if copy.stat().st_size >= store.MIN_CACHE_BYTES else 0)


KINDS_ST = st.sets(st.sampled_from(["event", "aid", "agreement"]), min_size=1).map(lambda s: tuple(sorted(s)))
YEARS_ST = st.lists(st.integers(min_value=1985, max_value=2020), max_size=3).map(tuple)
BOUND_ST = st.none() | st.integers(min_value=1985, max_value=2020)


@pytest.fixture(scope="module")
def candidates_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cacheable dataset for the candidate property test."""
    return write(tmp_path_factory.mktemp("candidates") / "data.toml", dataset_text(copies=4))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=KINDS_ST, years=YEARS_ST, low=BOUND_ST, high=BOUND_ST, use_cache=st.booleans())
def test_candidates_give_the_same_answer(
    candidates_file: Path,
    kinds: tuple[str, ...],
    years: tuple[int, ...],
    low: int | None,
    high: int | None,
    use_cache: bool,
) -> None:
    """Running a query on its candidates gives what it gives on the whole dataset, with the same total."""
    query = Query(
        kinds=kinds,
        years=years,
        date_from=None if low is None else date(low, 1, 1),
        date_to=None if high is None else date(high, 12, 31),
    )
    if low is not None and high is not None and low > high:
        return
    full = load(candidates_file)
    candidates = store.load_candidates(candidates_file, query, use_cache=use_cache)
    assert run(candidates.dataset.records(), query) == run(full.records(), query)
    assert candidates.total == sum(1 for r in full.records() if r.kind in kinds)
    assert candidates.dataset.sources == full.sources and candidates.dataset.meta == full.meta


def test_candidates_decode_only_what_may_match(cache: Path, data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """From the cache, a query for one kind and year decodes only the records that overlap that year."""
    store.load_cached(data)
    forbid_parsing(monkeypatch)
    candidates = store.load_candidates(data, Query(kinds=("aid",), years=(2000,)))
    assert candidates.total == 80
    assert candidates.dataset.events == () and candidates.dataset.agreements == ()
    assert {r.id for r in candidates.dataset.aid} == {"aid-7", "aid-8", "aid-32", "aid-33", "aid-57", "aid-58"}


class FakeTerminal(io.StringIO):
    """A stderr that says it is a terminal, and tells when something is written to it."""

    def __init__(self, tty: bool) -> None:
        """Start empty."""
        super().__init__()
        self.tty = tty
        self.written = threading.Event()

    def isatty(self) -> bool:
        """Whether this pretends to be a terminal."""
        return self.tty

    def write(self, text: str) -> int:
        """Keep the text and signal it."""
        count = super().write(text)
        self.written.set()
        return count


def test_slow_load_on_a_terminal_says_what_it_reads(data: Path, monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    """On a terminal, a load that outlasts PROGRESS_AFTER prints one `reading ... MB` line on stderr."""
    terminal = FakeTerminal(tty=True)
    monkeypatch.setattr("sys.stderr", terminal)
    monkeypatch.setattr(store, "PROGRESS_AFTER", 0.0)
    real_load = load

    def slow(path: Path) -> Dataset:
        """A load that lasts until the progress line has been printed."""
        terminal.written.wait(timeout=30)
        return real_load(path)

    monkeypatch.setattr(store, "load", slow)
    store.load_cached(data, use_cache=False)
    size = data.stat().st_size / 1e6
    assert terminal.getvalue() == f"relations: reading {data} ({size:.1f} MB)...\n"


def test_no_progress_on_a_pipe(data: Path, monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    """When stderr is not a terminal no timer is even started, so nothing can be printed."""
    monkeypatch.setattr("sys.stderr", FakeTerminal(tty=False))
    monkeypatch.setattr(store, "PROGRESS_AFTER", 0.0)

    def no_timer(*args: object, **kwargs: object) -> object:
        """Fail if a progress timer is started."""
        raise AssertionError("a progress timer was started")

    monkeypatch.setattr(threading, "Timer", no_timer)
    store.load_cached(data)
    assert store.load_cached(data, use_cache=False) == load(data)
