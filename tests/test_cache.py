"""The dataset cache: written once, used after, never trusted blindly, never in the way.

Every test runs with `XDG_CACHE_HOME` in its own temporary directory (see conftest.py and the
`cache` fixture), so the real cache is never touched.
"""

from __future__ import annotations

import io
import json
import os
import shutil
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

from relations_cli import __version__, entry, store
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
    assert written.suffix == ".json"
    forbid_parsing(monkeypatch)
    assert store.load_cached(data) == fresh


def test_cache_file_holds_json_only_with_its_key(cache: Path, data: Path) -> None:
    """Each line of the cache is JSON; the header names the file, its size and times, and the version."""
    store.load_cached(data)
    [written] = cache_files(cache)
    lines = written.read_bytes().split(b"\n")
    documents = [json.loads(line) for line in lines]
    header = documents[0]
    info = data.stat()
    assert header["format"] == "relations-cache" and header["version"] == __version__
    assert (header["path"], header["size"], header["mtime_ns"]) == (str(data.resolve()), info.st_size, info.st_mtime_ns)
    assert header["crc32"] == zlib.crc32(written.read_bytes().split(b"\n", 1)[1])
    assert oct(written.stat().st_mode & 0o777) == "0o600"


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


def corrupt_variants(good: bytes) -> Iterator[tuple[str, bytes]]:
    """Ways a cache file can be broken: truncated, flipped, emptied, garbage, from another version."""
    yield "empty", b""
    yield "garbage", b"\x00\xff not json at all"
    yield "truncated", good[: len(good) // 2]
    yield "no body", good.split(b"\n", 1)[0]
    middle = len(good) * 3 // 4
    yield "flipped byte", good[:middle] + bytes([good[middle] ^ 0x01]) + good[middle + 1 :]
    header, rest = good.split(b"\n", 1)
    key = json.loads(header)
    yield "other version", json.dumps({**key, "version": "0.0.0-other"}).encode() + b"\n" + rest
    yield "other schema", json.dumps({**key, "schema": -1}).encode() + b"\n" + rest
    yield "header not a table", b"[1, 2]\n" + rest
    yield "not utf-8", good + b"\xff"


@pytest.mark.parametrize("variant", [name for name, _ in corrupt_variants(b'{"a": 1}\nbody')])
def test_corrupt_cache_is_ignored_and_rebuilt(cache: Path, data: Path, variant: str) -> None:
    """Whatever is wrong with the cache file, the load is right and the cache is rewritten."""
    fresh = load(data)
    store.load_cached(data)
    [target] = cache_files(cache)
    good = target.read_bytes()
    broken = dict(corrupt_variants(good))[variant]
    target.write_bytes(broken)
    assert store.load_cached(data) == fresh
    assert target.read_bytes() == good


def reseal(header: dict[str, Any], body: bytes) -> bytes:
    """A cache file with a tampered body and a checksum recomputed to match it."""
    return json.dumps({**header, "crc32": zlib.crc32(body)}).encode() + b"\n" + body


@pytest.mark.parametrize(
    "tamper",
    [
        ("sources", lambda s: s.__setitem__("sources", [["alpha", 7, None, None, None, None, None, None]])),
        ("unknown source", lambda s: s.__setitem__("citations", [["nowhere", 1]] * len(s["citations"]))),
        ("zero paragraph", lambda s: s.__setitem__("citations", [["alpha", 0]] * len(s["citations"]))),
        ("bad date", lambda s: s.__setitem__("dates", ["2015-02-30"] * len(s["dates"]))),
        ("names not text", lambda s: s.__setitem__("names", [[1, 2]] * len(s["names"]))),
        ("duplicate source", lambda s: s.__setitem__("sources", s["sources"] * 2)),
        ("meta shape", lambda s: s.__setitem__("meta", {"title": "x"})),
        ("published", lambda s: s["sources"][0].__setitem__(3, "16 January 2017")),
    ],
    ids=lambda t: t[0] if isinstance(t, tuple) else "",
)
def test_tampered_shared_values_are_stale(cache: Path, data: Path, tamper: tuple[str, Any]) -> None:
    """A cache edited with a valid checksum but impossible values: treated as stale, the file re-read."""
    fresh = load(data)
    store.load_cached(data)
    [target] = cache_files(cache)
    header_line, index_line, shared_line, rows = target.read_bytes().split(b"\n", 3)
    shared = json.loads(shared_line)
    tamper[1](shared)
    body = index_line + b"\n" + json.dumps(shared).encode() + b"\n" + rows
    header = {k: v for k, v in json.loads(header_line).items() if k != "crc32"}
    target.write_bytes(reseal(header, body))
    assert store.load_cached(data) == fresh


ROW_EDITS: st.SearchStrategy[Any] = st.sampled_from(
    [None, -1, 0, 1, 10**9, 1.5, True, "", "x", "visit", [], ["a"], {}, [1], "2015-02-30"]
)


TABLES = ("events", "aid", "agreements")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0), ROW_EDITS), min_size=1, max_size=4))
def test_tampered_records_never_crash(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, edits: list[tuple[int, int, Any]]
) -> None:
    """Random edits to cached records, checksum recomputed: the load returns a dataset that renders, or re-reads."""
    directory = tmp_path_factory.mktemp("tamper")
    monkeypatch.setenv("XDG_CACHE_HOME", str(directory / "xdg"))
    path = write(directory / "data.toml", dataset_text(copies=4))
    fresh = load(path)
    store.load_cached(path)
    [target] = (directory / "xdg" / "relations").iterdir()
    header_line, index_line, shared_line, rows_text = target.read_bytes().split(b"\n", 3)
    index = json.loads(index_line)
    rows = {t: [json.loads(line) for line in rows_text[index[t][0] : index[t][1]].split(b"\n")] for t in TABLES}
    flat = [row for t in TABLES for row in rows[t]]
    for row_number, cell, value in edits:
        row = flat[row_number % len(flat)]
        row[cell % len(row)] = value
    blocks = []
    offset = 0
    for table in TABLES:  # keep the byte ranges right, so the edited rows are what gets read
        block = b"\n".join(json.dumps(row, separators=(",", ":")).encode() for row in rows[table])
        index[table][0:2] = [offset, offset + len(block)]
        offset += len(block) + 1
        blocks.append(block)
    body = json.dumps(index).encode() + b"\n" + shared_line + b"\n" + b"\n".join(blocks)
    header = {k: v for k, v in json.loads(header_line).items() if k != "crc32"}
    target.write_bytes(reseal(header, body))
    loaded = store.load_cached(path)
    for record in loaded.records():
        json.dumps(to_dict(record))
        assert record.date is None or record.date.first <= record.date.last
    assert [s.id for s in loaded.sources] == [s.id for s in fresh.sources]


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
