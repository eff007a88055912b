"""Tests of citations: the sources behind records as Markdown, BibTeX and CSL-JSON, and the cite command."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from relations_cli.cite import STYLES, cite_text, cited_sources, csl_items
from relations_cli.cli.app import app
from relations_cli.model import Citation, Dataset, Event, Source, parse_date
from tests.conftest import SMALL

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    """Run the app on the small fixture; return exit code, stdout and stderr."""
    result = runner.invoke(app, ["--data", str(SMALL), *args])
    return result.exit_code, result.stdout, result.stderr


def expected_paragraphs(dataset: Dataset, ids: set[str] | None = None) -> dict[str, list[int]]:
    """Per source id, the sorted distinct paragraphs the (chosen) records cite."""
    found: dict[str, set[int]] = {}
    for record in dataset.records():
        if ids is None or record.id in ids:
            for c in record.sources:
                if c.paragraph is not None:
                    found.setdefault(c.source, set()).add(c.paragraph)
    return {source: sorted(paragraphs) for source, paragraphs in found.items()}


def hostile() -> Dataset:
    """A dataset whose source text holds braces, LaTeX specials, Markdown and a terminal escape."""
    source = Source(
        "odd",
        "Title {with} braces, 50% & $x_1$ \\ ~^ #1 *bold* [link](x)\x1b[31m",
        authors=("O'Brien {Jr}",),
        published="2020-02",
        publisher="The {Press}",
        url="https://example.org/a b>",
    )
    record = Event(
        id="e",
        date=parse_date("2019"),
        category="visit",
        title="t",
        summary="s",
        sources=(Citation("odd", 4), Citation("odd", 2), Citation("odd", 4)),
        actors=("Pakistan",),
    )
    return Dataset("hostile.toml", (source,), (record,), (), ())


def bibtex_entries(text: str) -> list[str]:
    """Split BibTeX text into entries, checking that braces balance (ignoring escaped ones)."""
    entries = [e for e in re.split(r"\n(?=@)", text.strip()) if e]
    for entry in entries:
        depth = 0
        for token in re.findall(r"\\[{}]|[{}]", entry):
            if token in ("{", "}"):
                depth += 1 if token == "{" else -1
                assert depth >= 0, entry
        assert depth == 0, entry
    return entries


def test_cited_sources_lists_each_source_once_with_its_paragraphs(small: Dataset) -> None:
    """Each cited source comes once, in dataset order, with the distinct paragraphs the records use."""
    cited = cited_sources(small, small.records())
    expected = expected_paragraphs(small)
    assert [c.source.id for c in cited] == [s.id for s in small.sources if s.id in expected]
    assert {c.source.id: list(c.paragraphs) for c in cited} == expected


def test_cited_sources_of_some_records(small: Dataset) -> None:
    """Only the sources of the given records appear."""
    records = [r for r in small.records() if r.id == "flood-2010"]
    cited = cited_sources(small, records)
    assert [(c.source.id, c.paragraphs, c.records) for c in cited] == [
        (c.source, (c.paragraph,), ("flood-2010",)) for c in records[0].sources
    ]


def test_markdown_lists_sources_with_paragraphs(small: Dataset) -> None:
    """The Markdown list has a line per source with its paragraphs, author, title and date."""
    text = cite_text(small, small.records(), "markdown")
    items = [line for line in text.splitlines() if line.startswith("- ")]
    expected = expected_paragraphs(small)
    assert len(items) == len(expected)
    for source_id, paragraphs in expected.items():
        line = next(item for item in items if item.startswith(f"- `{source_id}`"))
        source = small.source(source_id)
        assert source is not None and source.title in line
        assert line.endswith(f"{', '.join(str(p) for p in paragraphs)}.")
        for author in source.authors:
            assert author in line


def test_markdown_of_nothing_is_empty(small: Dataset) -> None:
    """No records, no citations."""
    assert cite_text(small, [], "markdown") == "" and cite_text(small, [], "bibtex") == ""
    assert json.loads(cite_text(small, [], "csl-json")) == []


def test_bibtex_entries(small: Dataset) -> None:
    """One entry per cited source, keyed by source id, with title, author as Family, Given, year and paragraphs."""
    entries = bibtex_entries(cite_text(small, small.records(), "bibtex"))
    expected = expected_paragraphs(small)
    assert [e.split("{", 1)[1].split(",", 1)[0] for e in entries] == list(expected)
    alpha = entries[0]
    assert alpha.startswith("@misc{alpha,")  # no outlet known: misc, not an article without a journal
    assert "title = {Alpha article}" in alpha and "author = {Writer, A.}" in alpha and "year = {2017}" in alpha
    assert "date = {2017-01-16}" in alpha
    assert f"note = {{Paragraphs {', '.join(str(p) for p in expected['alpha'])}}}" in alpha


def test_bibtex_escapes_braces_and_specials() -> None:
    """Braces and LaTeX specials in source text are escaped, so every entry's braces balance."""
    (entry,) = bibtex_entries(cite_text(hostile(), hostile().records(), "bibtex"))
    assert r"\{with\} braces, 50\% \& \$x\_1\$ \textbackslash{} \~{}\^{} \#1" in entry
    assert r"author = {O'Brien, \{Jr\}, }" in entry and r"organization = {The \{Press\}}" in entry
    assert entry.startswith("@online{odd,")
    assert "\x1b" not in entry and r"\textbackslash{}x1b" in entry
    assert "url = {https://example.org/a%20b%3E}" in entry
    assert "note = {Paragraphs 2, 4}" in entry and "month = feb" in entry


def test_markdown_makes_source_text_inert() -> None:
    """Markdown output escapes Markdown punctuation and shows control characters as escapes."""
    text = cite_text(hostile(), hostile().records(), "markdown")
    assert "\x1b" not in text and "\\\\x1b" in text
    assert r"\*bold\*" in text and r"\[link\]" in text
    assert "<https://example.org/a%20b%3E>" in text


def test_csl_json_is_valid_csl(small: Dataset) -> None:
    """CSL-JSON parses as an array of items with id, type, title, family/given author, issued date and locator."""
    items = json.loads(cite_text(small, small.records(), "csl-json"))
    assert items == csl_items(cited_sources(small, small.records()))
    assert [i["id"] for i in items] == list(expected_paragraphs(small))
    for item in items:
        assert item["type"] == "article-magazine" and isinstance(item["title"], str)
    alpha = items[0]
    assert alpha["author"] == [{"family": "Writer", "given": "A."}]
    assert alpha["locator"] == ", ".join(str(p) for p in expected_paragraphs(small)["alpha"])
    assert alpha["issued"] == {"date-parts": [[2017, 1, 16]]}
    assert "issued" not in items[1]


def test_csl_json_keeps_hostile_text_as_data() -> None:
    """Control characters survive as JSON escapes; the text round-trips exactly."""
    items = json.loads(cite_text(hostile(), hostile().records(), "csl-json"))
    assert items[0]["title"] == hostile().sources[0].title
    assert items[0]["issued"] == {"date-parts": [[2020, 2]]}


def test_unknown_style_is_an_error(small: Dataset) -> None:
    """cite_text refuses a style it does not know."""
    with pytest.raises(ValueError, match="unknown citation style"):
        cite_text(small, small.records(), "apa")


@pytest.mark.parametrize("style", STYLES)
def test_cite_command_prints_the_style(small: Dataset, style: str) -> None:
    """The cite command prints exactly cite_text for the matching records."""
    code, out, err = invoke("cite", "--year", "2010", "--style", style)
    from relations_cli.query import Query, run

    records = run(small.records(), Query(years=(2010,)))
    assert (code, err) == (0, "")
    assert out == cite_text(small, records, style)


def test_cite_command_by_id(small: Dataset) -> None:
    """Record ids as arguments cite only those records."""
    code, out, _ = invoke("cite", "ties", "--style", "csl-json")
    expected = expected_paragraphs(small, {"ties"})
    assert code == 0 and [i["id"] for i in json.loads(out)] == list(expected)
    assert [i["note"] for i in json.loads(out)] == ["Paragraph 3", "Paragraph 2"]


def test_cite_command_errors() -> None:
    """An unknown style exits 2, an unknown id exits 1 with a suggestion; nothing reaches stdout."""
    code, out, err = invoke("cite", "--style", "apa")
    assert (code, out) == (2, "") and "unknown citation style 'apa'" in err
    code, out, err = invoke("cite", "tie")
    assert (code, out) == (1, "") and "did you mean 'ties'" in err


def test_listing_cite_flag_prints_sources_under_the_table(small: Dataset) -> None:
    """events --cite on a table prints the Markdown list of sources after the rows."""
    result = runner.invoke(app, ["--data", str(SMALL), "events", "--format", "table", "--cite"], env={"COLUMNS": "200"})
    events = list(small.events)
    assert result.exit_code == 0
    for line in cite_text(small, events, "markdown").splitlines():
        assert line.strip() in result.stdout
