"""Citations: the sources behind a set of records, each once, as Markdown, BibTeX or CSL-JSON.

BibTeX: a web page is `@online` (biblatex's type, which pybtex's standard styles also format),
an article with a known outlet `@article` with `journal`/`journaltitle`, and any other text
`@misc`. CSL-JSON: news and agency copy is `article-newspaper`, analysis `article-magazine`,
official and reference pages `webpage`; the paragraphs used are the item's `locator`, which
citation processors print when the item is cited ("para. 3").
"""

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
# CSL item type of a page source, by its kind.
CSL_TYPES: dict[str, str] = {
    "news": "article-newspaper",
    "agency": "article-newspaper",
    "analysis": "article-magazine",
    "official": "webpage",
    "reference": "webpage",
}
# Words that mark an author as a body rather than a person (kept whole, never split into names).
_INSTITUTIONAL = frozenset(
    {
        "agency",
        "bureau",
        "correspondent",
        "desk",
        "department",
        "embassy",
        "ministry",
        "news",
        "office",
        "report",
        "staff",
    }
)


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
        readings = (c for dispute in record.disputes for reading in dispute.readings for c in reading.sources)
        for citation in (*record.sources, *readings):
            used = paragraphs.setdefault(citation.source, set())
            if citation.paragraph is not None:
                used.add(citation.paragraph)
            ids = users.setdefault(citation.source, [])
            if record.id not in ids:
                ids.append(record.id)
    return [
        Cited(source, tuple(sorted(paragraphs[source.id])), tuple(users[source.id]))
        for source in dataset.sources
        if source.id in paragraphs
    ]


def paragraph_text(paragraphs: Sequence[int]) -> str:
    """`paragraph 3` or `paragraphs 3, 5, 7`; empty when none is named."""
    if not paragraphs:
        return ""
    label = "paragraph" if len(paragraphs) == 1 else "paragraphs"
    return f"{label} {', '.join(str(p) for p in paragraphs)}"


def is_institution(author: str, source: Source) -> bool:
    """Whether an author is a body (the publisher, a desk, a ministry) rather than a person."""
    words = author.lower().replace(".", " ").split()
    return len(words) < 2 or author == source.publisher or any(word in _INSTITUTIONAL for word in words)


_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def split_name(author: str) -> tuple[str, str, str]:
    """A person's name as (family, given, suffix): the last word is the family name, bar a Jr. or III."""
    words = author.split()
    suffix = words.pop() if len(words) > 1 and words[-1].strip("{}.,").lower() in _SUFFIXES else ""
    return words[-1], " ".join(words[:-1]), suffix


def _csl_name(author: str, source: Source) -> dict[str, str]:
    """A CSL name: `literal` for a body, else `family`, `given` and `suffix` where present."""
    if is_institution(author, source):
        return {"literal": author}
    family, given, suffix = split_name(author)
    name = {"family": family, "given": given, "suffix": suffix}
    return {key: value for key, value in name.items() if value}


def _url(url: str) -> str:
    """A URL safe inside `<...>` or a verbatim BibTeX field: spaces, brackets and braces percent-encoded."""
    return printable(url).translate(_URL_ESCAPES)


def _accessed(dataset: Dataset) -> str | None:
    """The day the page sources were read, from the dataset's [meta] `accessed`, if given."""
    return dict(dataset.meta).get("accessed")


def _markdown(dataset: Dataset, cited: list[Cited]) -> str:
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
            parts.insert(0, md(" and ".join(source.authors)))
        if source.publisher:
            parts.append(md(source.publisher))
        parts.append(md(source.published) if source.published else "undated")
        if source.url:
            parts.append(f"<{_url(source.url)}>")
        used = paragraph_text(item.paragraphs)
        lines.append(f"- `{source.id}`: {', '.join(parts)}" + (f"; {used}." if used else "."))
    return "\n".join(lines) + "\n"


def bibtex_type(source: Source) -> str:
    """`online` for a web page, `article` for an article with a known outlet, else `misc`."""
    if source.url:
        return "online"
    return "article" if source.publisher else "misc"


def _bibtex_names(source: Source, tex: Callable[[str], str]) -> str:
    """BibTeX's `author` value: people as `Family, Given`, bodies braced whole, joined by `and`."""
    names = []
    for author in source.authors:
        if is_institution(author, source):
            names.append("{" + tex(author) + "}")
        else:
            family, given, suffix = split_name(author)
            parts = [tex(family), *([tex(suffix)] if suffix else []), *([tex(given)] if given or suffix else [])]
            names.append(", ".join(parts))
    return " and ".join(names)


def _bibtex_fields(
    source: Source, item: Cited, accessed: str | None, tex: Callable[[str], str]
) -> list[tuple[str, str]]:
    """The fields of one entry, in the order they are written."""
    kind = bibtex_type(source)
    fields: list[tuple[str, str]] = []
    if source.authors:
        fields.append(("author", _bibtex_names(source, tex)))
    else:
        fields.append(("key", tex(source.publisher or source.id)))  # what alpha-like styles sort and label by
    fields.append(("title", tex(source.title)))
    if source.publisher:
        if kind == "online":
            fields.append(("organization", tex(source.publisher)))
        else:
            fields += [("journal", tex(source.publisher)), ("journaltitle", tex(source.publisher))]
    if source.published:
        fields.append(("date", source.published))
        fields.append(("year", source.published[:4]))
        if len(source.published) >= 7:
            fields.append(("month", _MONTHS[int(source.published[5:7]) - 1]))
    if source.url:
        fields.append(("url", _url(source.url)))
        if accessed:
            fields.append(("urldate", accessed))
    if source.language:
        fields.append(("langid", tex(source.language)))
    used = paragraph_text(item.paragraphs)
    if used:
        fields.append(("note", used.capitalize()))
    return fields


def _bibtex(dataset: Dataset, cited: list[Cited]) -> str:
    """One entry a source; the paragraphs used go in `note`."""

    def tex(text: str) -> str:
        """Dataset text safe inside a braced BibTeX field."""
        return " ".join(printable(text).split()).translate(_BIBTEX_ESCAPES)

    accessed = _accessed(dataset)
    entries = []
    for item in cited:
        fields = _bibtex_fields(item.source, item, accessed, tex)
        body = ",\n".join(
            f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}" for name, value in fields
        )
        entries.append(f"@{bibtex_type(item.source)}{{{item.source.id},\n{body}\n}}\n")
    return "\n".join(entries)


def csl_type(source: Source) -> str:
    """The CSL item type: by the page's kind, `article-magazine` for an article file."""
    if source.url:
        return CSL_TYPES.get(source.kind or "", "webpage")
    return "article-magazine"


def _date_parts(text: str) -> dict[str, list[list[int]]]:
    """A CSL date from `YYYY`, `YYYY-MM` or `YYYY-MM-DD`."""
    return {"date-parts": [[int(part) for part in text.split("-")]]}


def csl_items(cited: list[Cited], accessed: str | None = None) -> list[dict[str, object]]:
    """CSL-JSON items (citeproc's input): one a source, the paragraphs used as `locator` and in `note`."""
    items: list[dict[str, object]] = []
    for item in cited:
        source = item.source
        data: dict[str, object] = {"id": source.id, "type": csl_type(source), "title": source.title}
        if source.authors:
            data["author"] = [_csl_name(a, source) for a in source.authors]
        if source.publisher:
            data["container-title"] = source.publisher
            data["publisher"] = source.publisher
        if source.published:
            data["issued"] = _date_parts(source.published)
        if source.url:
            data["URL"] = source.url
            if accessed:
                data["accessed"] = _date_parts(accessed)
        if source.language:
            data["language"] = source.language
        if item.paragraphs:
            data["locator"] = ", ".join(str(p) for p in item.paragraphs)
            data["note"] = paragraph_text(item.paragraphs).capitalize()
        items.append(data)
    return items


def _csl_json(dataset: Dataset, cited: list[Cited]) -> str:
    """A JSON array of CSL items."""
    import json

    return json.dumps(csl_items(cited, _accessed(dataset)), ensure_ascii=False, indent=2) + "\n"


_STYLE_WRITERS: dict[str, Callable[[Dataset, list[Cited]], str]] = {
    "markdown": _markdown,
    "bibtex": _bibtex,
    "csl-json": _csl_json,
}


def cite_text(dataset: Dataset, records: Sequence[Record], style: str) -> str:
    """The sources behind the records in a citation style (`markdown`, `bibtex` or `csl-json`)."""
    if style not in _STYLE_WRITERS:
        raise ValueError(f"unknown citation style '{style}' (valid: {', '.join(STYLES)})")
    return _STYLE_WRITERS[style](dataset, cited_sources(dataset, records))
