"""Tests of finding, parsing and validating dataset files."""

from __future__ import annotations

from pathlib import Path

import pytest

from relations_cli.dataset import DatasetError, bundled_path, load, resolve_path
from relations_cli.model import Aid, Event
from tests.conftest import BROKEN, SMALL

BROKEN_FILES = sorted(BROKEN.glob("*.toml"))


def expectation(path: Path) -> str:
    """The message fragment a broken fixture promises on its first line (`# expect: ...`)."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name} lacks an expectation line"
    return first.removeprefix("# expect: ")


def test_small_fixture_loads_typed_records() -> None:
    """The fixture loads into typed, frozen records with their own fields."""
    dataset = load(SMALL)
    assert [s.id for s in dataset.sources] == ["alpha", "beta"]
    flood = next(r for r in dataset.aid if r.id == "flood-2010")
    assert isinstance(flood, Aid)
    assert (flood.amount, flood.currency, flood.donor, flood.donor_name) == (1000000, "USD", "azerbaijan", "Azerbaijan")
    covid = next(r for r in dataset.aid if r.id == "covid-aid")
    assert covid.amount is None and covid.currency is None and covid.date is None
    visit = next(r for r in dataset.events if r.id == "visit-heydar")
    assert isinstance(visit, Event) and visit.aliases == ("Heydər Əliyev",)
    with pytest.raises(AttributeError):
        visit.title = "changed"  # type: ignore[misc]


def test_broken_corpus_has_one_file_per_rule() -> None:
    """The corpus of broken files is there and each names what it breaks."""
    assert len(BROKEN_FILES) >= 20
    assert all(expectation(p) for p in BROKEN_FILES)


@pytest.mark.parametrize("path", BROKEN_FILES, ids=lambda p: p.stem)
def test_broken_file_reports_its_problem(path: Path) -> None:
    """Each broken fixture fails validation with the promised message, naming the file."""
    with pytest.raises(DatasetError) as caught:
        load(path)
    messages = [str(p) for p in caught.value.problems]
    assert any(expectation(path) in m for m in messages), messages
    assert all(m.startswith(str(path)) for m in messages)


def test_every_problem_is_collected(tmp_path: Path) -> None:
    """Validation reports all problems at once, each with its record and field."""
    text = SMALL.read_text(encoding="utf-8")
    text = text.replace('date = "1996-04"', 'date = "1996-13"')
    text = text.replace('currency = "EUR"', 'currency = "EURO"')
    text = text.replace('type = "aggregate"', 'type = "pile"')
    path = tmp_path / "many.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DatasetError) as caught:
        load(path)
    wheres = sorted(p.where for p in caught.value.problems)
    assert wheres == [
        "agreements[1] (id 'many-agreements'): field 'type'",
        "aid[3] (id 'euro-gift'): field 'currency'",
        "events[1] (id 'visit-heydar'): field 'date'",
    ]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"\xff\xfe not utf-8", "line 1, column 1: byte 0xff is not UTF-8"),
        (b"", "no [[sources]] defined"),
        (b"[[sources]]\nid = 1\n", "field 'id': must be a string"),
        (b"x = [1, 2", "TOML syntax error"),
        (b'sources = "x"', "sources: must be an array of tables"),
    ],
)
def test_unreadable_content_is_a_dataset_error(tmp_path: Path, content: bytes, fragment: str) -> None:
    """Bytes that are not UTF-8, empty files and wrong shapes become DatasetErrors."""
    path = tmp_path / "bad.toml"
    path.write_bytes(content)
    with pytest.raises(DatasetError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        load(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    """A missing file and a directory are reported, not raised as OSError."""
    with pytest.raises(DatasetError, match="no such file"):
        load(tmp_path / "absent.toml")
    with pytest.raises(DatasetError, match="is a directory"):
        load(tmp_path)


def test_lookup_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The option wins over RELATIONS_DATA, which wins over the bundled file."""
    assert resolve_path(None) == bundled_path()
    monkeypatch.setenv("RELATIONS_DATA", str(tmp_path / "env.toml"))
    assert resolve_path(None) == tmp_path / "env.toml"
    assert resolve_path(tmp_path / "opt.toml") == tmp_path / "opt.toml"


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    """A file saved with a UTF-8 byte-order mark loads like the same file without one."""
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + SMALL.read_bytes())
    assert [r.id for r in load(path).records()] == [r.id for r in load(SMALL).records()]
