"""Citations: the sources behind a set of records, each once, as Markdown, BibTeX or CSL-JSON."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from relations_cli.dataset import printable
from relations_cli.model import Dataset, Record, Source

STYLES: tuple[str, ...] = ("markdown", "bibtex", "csl-json")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# LaTeX specials in one pass, so the braces of `\textbackslash{}` are not escaped again.
_BIBTEX_ESCAPES = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\{",
        "}": r"\}",
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "^": r"\^{}",
        "~": r"\~{}",
    }
)
_MARKDOWN_ESCAPES = str.maketrans({c: "\\" + c for c in "\\`*_[]<>"})
_URL_ESCAPES = str.maketrans({c: f"%{ord(c):02X}" for c in ' <>{}\\"`'})


@dataclass(frozen=True, slots=True)
class Cited:
    """One source the records cite, the paragraphs they use and the records that use it."""

    source: Source
    paragraphs: tuple[int, ...]
    records: tuple[str, ...]


def cited_sources(dataset: Dataset, records: Sequence[Record]) -> list[Cited]:
    """Each source cited by the records, once, in the dataset's order, with sorted paragraphs."""
    paragraphs: dict[str, set[int]] = {}
    users: dict[str, list[str]] = {}
    for record in records:
        for citation in record.sources:
            found = paragraphs.setdefault(citation.source, set())
            if citation.paragraph is not None:
                found.add(citation.paragraph)
            ids = users.setdefault(citation.source, [])
            if record.id not in ids:
                ids.append(record.id)
    return [
        Cited(source, tuple(sorted(paragraphs[source.id])), tuple(users[source.id]))
        for source in dataset.sources
        if source.id in paragraphs
    ]


def paragraph_text(paragraphs: Sequence[int]) -> str:
    """`paragraph 3` or `paragraphs 3, 5, 7`; `whole page` for a page cited without a paragraph."""
    if not paragraphs:
        return "whole page"
    label = "paragraph" if len(paragraphs) == 1 else "paragraphs"
    return f"{label} {', '.join(str(p) for p in paragraphs)}"


def _url(url: str) -> str:
    """A URL safe inside `<...>` or a verbatim BibTeX field: spaces, brackets and braces percent-encoded."""
    return printable(url).translate(_URL_ESCAPES)


def _markdown(cited: list[Cited]) -> str:
    """A Markdown list, one source a line, with the paragraphs used."""
    if not cited:
        return ""

    def md(text: str) -> str:
        """Dataset text made inert: control characters escaped, Markdown punctuation backslashed."""
        return printable(text).translate(_MARKDOWN_ESCAPES)

    lines = [f"Sources ({len(cited)}):", ""]
    for item in cited:
        source = item.source
        parts = [f"“{md(source.title)}”"]
        if source.authors:
            parts.insert(0, md(", ".join(source.authors)))
        if source.publisher:
            parts.append(md(source.publisher))
        parts.append(md(source.published) if source.published else "undated")
        if source.url:
            parts.append(f"<{_url(source.url)}>")
        lines.append(f"- `{source.id}`: {', '.join(parts)}; {paragraph_text(item.paragraphs)}.")
    return "\n".join(lines) + "\n"


def _bibtex(cited: list[Cited]) -> str:
    """One `@article` entry a source; the paragraphs used go in `note`."""

    def tex(text: str) -> str:
        """Dataset text safe inside a braced BibTeX field."""
        return " ".join(printable(text).split()).translate(_BIBTEX_ESCAPES)

    entries = []
    for item in cited:
        source = item.source
        fields: list[tuple[str, str]] = [("title", tex(source.title))]
        if source.authors:
            fields.append(("author", " and ".join(tex(a) for a in source.authors)))
        if source.publisher:
            fields.append(("journal", tex(source.publisher)))
        if source.published:
            fields.append(("year", source.published[:4]))
            if len(source.published) >= 7:
                fields.append(("month", _MONTHS[int(source.published[5:7]) - 1]))
        if source.url:
            fields.append(("url", _url(source.url)))
        fields.append(("note", f"{paragraph_text(item.paragraphs).capitalize()}"))
        body = ",\n".join(
            f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}" for name, value in fields
        )
        entries.append(f"@article{{{source.id},\n{body}\n}}\n")
    return "\n".join(entries)


def csl_items(cited: list[Cited]) -> list[dict[str, object]]:
    """CSL-JSON items (citeproc's input): one `article` a source, paragraphs in `note`."""
    items: list[dict[str, object]] = []
    for item in cited:
        source = item.source
        data: dict[str, object] = {"id": source.id, "type": "article", "title": source.title}
        if source.authors:
            data["author"] = [{"literal": a} for a in source.authors]
        if source.publisher:
            data["container-title"] = source.publisher
        if source.published:
            data["issued"] = {"date-parts": [[int(part) for part in source.published.split("-")]]}
        if source.url:
            data["URL"] = source.url
        data["note"] = paragraph_text(item.paragraphs).capitalize()
        items.append(data)
    return items


def _csl_json(cited: list[Cited]) -> str:
    """A JSON array of CSL items."""
    import json

    return json.dumps(csl_items(cited), ensure_ascii=False, indent=2) + "\n"


_STYLE_WRITERS: dict[str, Callable[[list[Cited]], str]] = {
    "markdown": _markdown,
    "bibtex": _bibtex,
    "csl-json": _csl_json,
}


def cite_text(dataset: Dataset, records: Sequence[Record], style: str) -> str:
    """The sources behind the records in a citation style (`markdown`, `bibtex` or `csl-json`)."""
    if style not in _STYLE_WRITERS:
        raise ValueError(f"unknown citation style '{style}' (valid: {', '.join(STYLES)})")
    return _STYLE_WRITERS[style](cited_sources(dataset, records))
