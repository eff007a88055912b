"""Tests of the bundled dataset: it validates, matches its schema, and cites paragraphs that state it."""

from __future__ import annotations

import json
import re
import sys
from functools import cache

import pytest

from relations_cli.dataset import load
from relations_cli.model import Aid, Dataset, Record
from tests.conftest import BUNDLED, SHARED_SOURCES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_MONEY = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(million|billion)?", re.IGNORECASE)
_SCALE = {None: 1, "million": 1_000_000, "billion": 1_000_000_000}


@cache
def bundled() -> Dataset:
    """The bundled dataset, loaded once."""
    return load(BUNDLED)


def paragraphs(file_name: str) -> list[str]:
    """The non-blank lines of a source file: paragraph N is item N-1."""
    text = (SHARED_SOURCES / file_name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()]


def cited_text(record: Record) -> list[str]:
    """The article paragraphs a record cites (web pages are not stored here)."""
    dataset = bundled()
    texts = []
    for citation in record.sources:
        source = dataset.source(citation.source)
        assert source is not None, f"{record.id}: unknown source {citation.source}"
        if source.file is None:
            continue
        assert citation.paragraph is not None, f"{record.id}: {citation.source} is cited without a paragraph"
        texts.append(paragraphs(source.file)[citation.paragraph - 1])
    return texts


def cites_pages(record: Record) -> bool:
    """True when the record cites a web page, whose text is not stored beside the repository."""
    return any(getattr(bundled().source(c.source), "url", None) for c in record.sources)


def amounts_in(text: str) -> set[int]:
    """Every sum of money a paragraph writes, as whole units (`$1 million` is 1000000)."""
    found = set()
    for number, scale in _MONEY.findall(text):
        value = float(number.replace(",", "")) * _SCALE[scale.lower() if scale else None]
        found.add(int(value))
    return found


def test_bundled_dataset_validates() -> None:
    """The shipped dataset passes every validation rule and holds every kind of record."""
    dataset = bundled()
    assert [s.id for s in dataset.sources if s.file] == ["mutual-beneficial", "qaiser-2017"]
    assert len([s for s in dataset.sources if s.url]) > 100
    assert dataset.events and dataset.aid and dataset.agreements
    assert len(dataset.records()) > 50


def test_bundled_dataset_matches_its_schema() -> None:
    """The TOML points editors at data/schema.json, and it validates against that schema."""
    jsonschema = pytest.importorskip("jsonschema")
    assert BUNDLED.read_text(encoding="utf-8").startswith("#:schema ./schema.json\n")
    schema = json.loads((BUNDLED.parent / "schema.json").read_text(encoding="utf-8"))
    data = tomllib.loads(BUNDLED.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    assert [e.message for e in validator.iter_errors(data)] == []


def test_schema_rejects_what_the_validator_rejects() -> None:
    """The schema flags a wrong category and a zero amount, as the loader does."""
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((BUNDLED.parent / "schema.json").read_text(encoding="utf-8"))
    data = tomllib.loads(BUNDLED.read_text(encoding="utf-8"))
    data["events"][0]["category"] = "vist"
    data["aid"][0]["amount"] = 0
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(data))
    assert len(errors) >= 2


needs_sources = pytest.mark.skipif(
    not SHARED_SOURCES.is_dir(), reason=f"source articles not found at {SHARED_SOURCES} (outside the workspace)"
)


@needs_sources
def test_citations_point_at_real_paragraphs() -> None:
    """Every cited paragraph exists in its source file."""
    for record in bundled().records():
        for citation in record.sources:
            source = bundled().source(citation.source)
            assert source is not None
            if source.file is not None:
                assert citation.paragraph is not None, record.id
                assert citation.paragraph <= len(paragraphs(source.file)), record.id


@needs_sources
@pytest.mark.parametrize("record", bundled().records(), ids=lambda r: r.id)
def test_dates_and_amounts_appear_in_cited_paragraphs(record: Record) -> None:
    """Each year in a record's date and each amount is written in a paragraph it cites, or notes say why."""
    if cites_pages(record):
        return  # the year or amount may come from the page; its citation names publisher, date and URL
    texts = cited_text(record)
    if record.date is not None:
        for year in re.findall(r"\d{4}", record.date.text):
            if not any(year in t for t in texts):
                assert record.notes, f"{record.id}: {year} is in no cited paragraph and no note explains it"
    if isinstance(record, Aid) and record.amount is not None:
        assert any(record.amount in amounts_in(t) for t in texts), f"{record.id}: amount {record.amount} not cited"


@needs_sources
def test_dates_that_depart_from_the_text_are_explained() -> None:
    """Where one cited paragraph gives a different year (a typo such as 2106), the record's notes say so."""
    sixth = next(r for r in bundled().records() if r.id == "sixth-jmc-session-islamabad")
    assert sixth.date is not None and sixth.date.text.startswith("2016")
    assert any("2106" in t for t in cited_text(sixth))
    assert sixth.notes and "2106" in sixth.notes


def test_summaries_are_not_copied_from_the_sources() -> None:
    """No title or summary repeats ten consecutive words of an article."""
    if not SHARED_SOURCES.is_dir():
        pytest.skip(f"source articles not found at {SHARED_SOURCES}")
    words = re.compile(r"[a-z0-9]+")
    grams: set[tuple[str, ...]] = set()
    for path in SHARED_SOURCES.glob("*.txt"):
        tokens = words.findall(path.read_text(encoding="utf-8").lower())
        grams.update(tuple(tokens[i : i + 10]) for i in range(len(tokens) - 9))
    for record in bundled().records():
        for text in (record.title, record.summary):
            tokens = words.findall(text.lower())
            copied = [tokens[i : i + 10] for i in range(len(tokens) - 9) if tuple(tokens[i : i + 10]) in grams]
            assert not copied, f"{record.id} copies: {' '.join(copied[0])}"
