"""Turning records into output: one dict shape feeding table, tsv, csv, json, jsonl and markdown."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import IO, TYPE_CHECKING, Any

from relations_cli.dataset import printable
from relations_cli.model import Agreement, Aid, Citation, Dataset, Dispute, Event, Record, Source

if TYPE_CHECKING:
    from rich.console import Console

FORMATS: tuple[str, ...] = ("table", "tsv", "csv", "json", "jsonl", "markdown")
COMMON_FIELDS: tuple[str, ...] = (
    "id",
    "kind",
    "date",
    "category",
    "title",
    "summary",
    "sources",
    "notes",
    "aliases",
    "disputes",
)
OWN_FIELDS: dict[str, tuple[str, ...]] = {
    "event": ("actors", "actor_ids", "place"),
    "aid": ("donor", "recipient", "donor_id", "recipient_id", "amount", "currency", "purpose"),
    "agreement": ("type", "status", "parties", "party_ids", "count", "count_qualifier"),
}
DEFAULT_FIELDS: dict[str, tuple[str, ...]] = {
    "event": ("id", "date", "category", "title", "actors", "sources"),
    "aid": ("id", "date", "donor", "recipient", "amount", "currency", "purpose", "sources"),
    "agreement": ("id", "date", "type", "title", "parties", "sources"),
    "all": ("id", "kind", "date", "category", "title", "sources"),
}
# Every field of a source, then how many records cite it; `relations sources --fields` takes each.
SOURCE_COLUMNS: tuple[str, ...] = (*(f.name for f in fields(Source)), "records")
CURRENCY_SIGNS = {"USD": "US$"}


def fields_of(kinds: Sequence[str]) -> tuple[str, ...]:
    """Every field that records of these kinds have, common ones first."""
    own = [f for kind in ("event", "aid", "agreement") if kind in kinds for f in OWN_FIELDS[kind]]
    return COMMON_FIELDS + tuple(own)


def citation_dict(citation: Citation) -> dict[str, Any]:
    """A citation as `{"source": id, "paragraph": N}` (paragraph null for a web page)."""
    return {"source": citation.source, "paragraph": citation.paragraph}


def dispute_dict(dispute: Dispute) -> dict[str, Any]:
    """A dispute as `{"field", "readings": [{"value", "sources"}], "note"}`."""
    return {
        "field": dispute.field,
        "readings": [{"value": r.value, "sources": [citation_dict(c) for c in r.sources]} for r in dispute.readings],
        "note": dispute.note,
    }


def to_dict(record: Record) -> dict[str, Any]:
    """The documented JSON shape of a record: common fields, then the kind's own fields."""
    data: dict[str, Any] = {
        "id": record.id,
        "kind": record.kind,
        "date": record.date_text,
        "category": record.category,
        "title": record.title,
        "summary": record.summary,
        "sources": [citation_dict(c) for c in record.sources],
        "notes": record.notes,
        "aliases": list(record.aliases),
        "disputes": [dispute_dict(d) for d in record.disputes],
    }
    if isinstance(record, Event):
        place = record.place
        data.update(
            actors=list(record.names()),
            actor_ids=list(record.actors),
            place=None if place is None else {"city": place.city, "country": place.country},
        )
    elif isinstance(record, Aid):
        donor, recipient = record.names()
        data.update(
            donor=donor,
            recipient=recipient,
            donor_id=record.donor,
            recipient_id=record.recipient,
            amount=record.amount,
            currency=record.currency,
            purpose=record.purpose,
        )
    elif isinstance(record, Agreement):
        data.update(
            type=record.type,
            status=record.status,
            parties=list(record.names()),
            party_ids=list(record.parties),
            count=record.count,
            count_qualifier=record.count_qualifier,
        )
    return data


def source_dict(source: Source, records: int) -> dict[str, Any]:
    """The documented JSON shape of a source (every field, in SOURCE_COLUMNS order), with how many records cite it."""
    row = {name: getattr(source, name) for name in SOURCE_COLUMNS[:-1]}
    row["authors"] = list(source.authors)
    return {**row, "records": records}


def amount_text(amount: object, currency: object) -> str:
    """An amount for people: `US$ 1,000,000`, or `not stated`."""
    if not isinstance(amount, int):
        return "not stated"
    sign = CURRENCY_SIGNS.get(str(currency), str(currency or ""))
    return f"{sign} {amount:,}".strip()


def cell(value: object) -> str:
    """A value as one line of plain text: lists joined by `; `, citations as `source:paragraph`."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(cell(v) for v in value)
    if isinstance(value, dict) and set(value) == {"source", "paragraph"}:
        paragraph = value["paragraph"]
        return printable(value["source"] if paragraph is None else f"{value['source']}:{paragraph}")
    if isinstance(value, dict) and set(value) == {"city", "country"}:
        return printable(f"{value['city']}, {value['country']}" if value["city"] else str(value["country"]))
    if isinstance(value, dict) and set(value) == {"field", "readings", "note"}:
        readings = " | ".join(f"{cell(r['value'])} [{cell(r['sources'])}]" for r in value["readings"])
        return f"{cell(value['field'])}: {readings}"
    return printable(str(value))


@dataclass
class Listing:
    """Rows ready to print, with what a person needs to read them: the label, filters and totals."""

    rows: list[dict[str, Any]]
    fields: Sequence[str]
    label: str = "records"
    total: int | None = None
    filters: Sequence[str] = ()
    footer: Sequence[str] = field(default_factory=list)
    fixed: bool = False  # the columns were chosen with --fields: a table shows them all, or blocks

    def caption(self) -> str:
        """A line such as `3 of 61 events matched · year 2010`."""
        head = (
            f"{len(self.rows)} of {self.total} {self.label}"
            if self.total is not None
            else f"{len(self.rows)} {self.label}"
        )
        return " · ".join([head, *self.filters])


def _project(listing: Listing) -> list[dict[str, Any]]:
    """Rows cut down to the chosen fields, in order; fields a row lacks are null."""
    return [{f: row.get(f) for f in listing.fields} for row in listing.rows]


def render_json(listing: Listing, out: IO[str]) -> None:
    """A JSON array of objects."""
    json.dump(_project(listing), out, ensure_ascii=ascii_only(out), indent=2)
    out.write("\n")


def render_jsonl(listing: Listing, out: IO[str]) -> None:
    """One JSON object a line."""
    escape = ascii_only(out)
    out.write("".join(json.dumps(row, ensure_ascii=escape) + "\n" for row in _project(listing)))


# Formats that print a header row, so that they print it even when nothing matched.
HEADED: frozenset[str] = frozenset({"tsv", "csv", "markdown"})


def render_tsv(listing: Listing, out: IO[str]) -> None:
    """Tab-separated rows under a header (printed even when nothing matched); tabs and newlines are escaped."""
    lines = ["\t".join(listing.fields)]
    lines += ["\t".join(cell(row.get(f)) for f in listing.fields) for row in listing.rows]
    out.write("\n".join(lines) + "\n")


def render_csv(listing: Listing, out: IO[str]) -> None:
    """RFC 4180 CSV with a header row (printed even when nothing matched)."""
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(listing.fields)
    writer.writerows([cell(row.get(f)) for f in listing.fields] for row in listing.rows)
    out.write(buffer.getvalue())


def render_markdown(listing: Listing, out: IO[str]) -> None:
    """A GitHub-flavoured Markdown table (its header even when nothing matched); amounts as a table writes them."""

    def md(row: dict[str, Any], name: str) -> str:
        """A cell with pipes escaped; an amount with its currency sign, or `not stated`."""
        value = row.get(name)
        text = amount_text(value, row.get("currency")) if name == "amount" else cell(value)
        return text.replace("\\", "\\\\").replace("|", "\\|")

    lines = ["| " + " | ".join(listing.fields) + " |", "|" + "---|" * len(listing.fields)]
    lines += ["| " + " | ".join(md(row, f) for f in listing.fields) + " |" for row in listing.rows]
    out.write("\n".join(lines) + "\n")


def _table_cell(row: dict[str, Any], name: str) -> str:
    """A value as a person reads it in a table: amounts with currency, absent amounts said, one list item a line."""
    value = row.get(name)
    if name == "amount":
        return amount_text(value, row.get("currency"))
    if isinstance(value, list):
        return "\n".join(cell(v) for v in value)
    return cell(value)


# Columns of tokens a reader copies whole (ids, dates, codes, citations): never wrapped or cut.
WHOLE_COLUMNS: frozenset[str] = frozenset(
    {"id", "date", "kind", "category", "type", "currency", "amount", "count", "records", "sources", "published"}
)
# Columns a table keeps however narrow the terminal: without them a row means nothing.
KEPT_COLUMNS: frozenset[str] = frozenset({"id", "date", "title"})
# Where the columns do not fit, the first of these that the table has goes first, then the next...
DROP_ORDER: tuple[str, ...] = (
    "sources",
    "notes",
    "aliases",
    "summary",
    "purpose",
    "url",
    "file",
    "publisher",
    "count_qualifier",
    "currency",
    "actors",
    "parties",
    "kind",
    "category",
    "type",
    "count",
    "records",
    "recipient",
    "author",
    "published",
    "donor",
    "amount",
)
_GAP = 3  # cells between two columns


def _measure(listing: Listing, name: str) -> tuple[int, int]:
    """A column's natural width (its longest line) and the least it can take (whole tokens stay whole)."""
    cells = [name, *(_table_cell(row, name) for row in listing.rows)]
    natural = max(len(line) for c in cells for line in c.splitlines() or [""])
    if name in WHOLE_COLUMNS:
        return natural, natural
    longest = max(len(w) for c in cells for w in c.split() or [""])
    return natural, min(longest, 12)


_PROSE = frozenset({"title", "summary", "notes", "purpose"})  # wraps, but reads badly under 20 cells


def _fitting(listing: Listing, width: int, least: dict[str, int]) -> list[str] | None:
    """The columns whose `least` widths fit into `width`, the least important dropped first; None if none do."""
    shown = list(listing.fields)
    droppable = [] if listing.fixed else [n for n in (*DROP_ORDER, *shown) if n in shown and n not in KEPT_COLUMNS]
    droppable = list(dict.fromkeys(droppable))
    while sum(least[n] for n in shown) > width - _GAP * (len(shown) - 1):
        if not droppable:
            return None
        shown.remove(droppable.pop(0))
    return shown


def _column_widths(listing: Listing, width: int) -> tuple[list[str], list[int]] | None:
    """The columns that fit into `width` and their widths; None when even id, date and title do not fit.

    A column wants its longest line. Ids, dates, codes and citations never wrap, so their columns
    never shrink. Prose wraps at spaces and gives up space first, down to 20 cells; then every
    wrapping column gives way in turn down to its longest word (or 12 cells). Where that does not
    fit, whole columns go in DROP_ORDER (never id, date or title) rather than squeeze prose below 20
    cells; only when that is not enough does prose go below 20.
    """
    measured = {name: _measure(listing, name) for name in listing.fields}
    minimum = {n: m for n, (_, m) in measured.items()}
    floor = {n: max(m, min(20, w)) if n in _PROSE else m for n, (w, m) in measured.items()}
    shown = _fitting(listing, width, floor) or _fitting(listing, width, minimum)
    if shown is None:
        return None
    room = width - _GAP * (len(shown) - 1)
    widths = [measured[n][0] for n in shown]
    for limits in ([floor[n] for n in shown], [minimum[n] for n in shown]):
        while sum(widths) > room:
            slack = [w - f for w, f in zip(widths, limits, strict=True)]
            if max(slack) <= 0:
                break
            widths[slack.index(max(slack))] -= 1
    return shown, widths


def console_for(out: IO[str]) -> Console:
    """A Rich console on `out` that honours COLUMNS, NO_COLOR and TERM, and never has zero width."""
    from rich.console import Console

    class _Console(Console):
        """Rich's console, leaving a closed pipe to the caller instead of exiting with status 1."""

        def on_broken_pipe(self) -> None:
            """Raise, so the command ends quietly with exit 0 like every other format."""
            raise BrokenPipeError

    console = _Console(file=out, highlight=False)
    if console.width < 1:  # COLUMNS=0: Rich would print nothing at all
        console.width = 80
    return console


def render_table(listing: Listing, out: IO[str]) -> None:
    """A Rich table that fits the terminal, with a caption of what was filtered and matched.

    Ids, dates, codes and citations are never wrapped or cut. Where the columns do not fit, the least
    important go first (the caption names them); where even id, date and title do not fit (or the
    columns were chosen with --fields), each record is shown as a block of `field value` lines.
    """
    if not listing.rows:
        return
    from rich import box
    from rich.table import Table
    from rich.text import Text

    console = console_for(out)
    layout = _column_widths(listing, console.width)
    if layout is not None:
        shown, widths = layout
        hidden = [f for f in listing.fields if f not in shown]
        caption = listing.caption()
        if hidden:
            caption += f"\nnot shown, to fit {console.width} columns: {', '.join(hidden)} (--fields brings them back)"
        table = Table(
            box=box.SIMPLE_HEAD,
            show_edge=False,
            pad_edge=False,
            caption=Text(caption),
            caption_justify="left",
        )
        for name, size in zip(shown, widths, strict=True):
            whole = name in WHOLE_COLUMNS
            table.add_column(
                name,
                overflow="ellipsis" if whole else "fold",
                no_wrap=whole,
                width=size,
                min_width=size if whole else None,
                justify="right" if name in ("amount", "count", "records") else "left",
            )
        for row in listing.rows:
            table.add_row(*(Text(_table_cell(row, f)) for f in shown))
        console.print(table)
    else:
        label = max(len(f) for f in listing.fields)
        for row in listing.rows:
            grid = Table(show_header=False, box=None, padding=(0, 1, 0, 0))
            grid.add_column(no_wrap=True, width=min(label, max(console.width // 3, 1)), overflow="ellipsis")
            grid.add_column(overflow="fold")
            for name in listing.fields:
                grid.add_row(Text(name), Text(_table_cell(row, name)))
            console.print(grid)
            console.print()
        console.print(Text(listing.caption()))
    for line in listing.footer:
        console.print(Text(line))


def ascii_only(out: IO[str]) -> bool:
    """True when the stream cannot encode all of Unicode, so JSON must escape non-ASCII."""
    encoding = (getattr(out, "encoding", None) or "utf-8").lower().replace("-", "").replace("_", "")
    return encoding not in ("utf8", "utf16", "utf32", "utf8sig")


RENDERERS: dict[str, Callable[[Listing, IO[str]], None]] = {
    "table": render_table,
    "tsv": render_tsv,
    "csv": render_csv,
    "json": render_json,
    "jsonl": render_jsonl,
    "markdown": render_markdown,
}


def render(listing: Listing, fmt: str, out: IO[str]) -> None:
    """Write a listing in a named format."""
    RENDERERS[fmt](listing, out)


def record_detail(record: Record, dataset: Dataset) -> dict[str, Any]:
    """A record whole, plus each citation with its source's title, author and date."""
    data = to_dict(record)
    citations = []
    for c in record.sources:
        source = dataset.source(c.source)
        citations.append(
            {
                "source": c.source,
                "paragraph": c.paragraph,
                "title": source.title if source else None,
                "author": ", ".join(source.authors) or None if source else None,
                "published": source.published if source else None,
            }
        )
    data["citations"] = citations
    return data


def render_detail(detail: dict[str, Any], out: IO[str]) -> None:
    """One record as a two-column table of field and value, citations spelled out."""
    from rich.table import Table
    from rich.text import Text

    console = console_for(out)
    grid = Table(show_header=False, box=None, padding=(0, 2, 0, 0))
    grid.add_column("field", style="bold", no_wrap=True)
    grid.add_column("value", overflow="fold")
    for name, value in detail.items():
        if name in ("sources", "citations"):
            continue
        shown = amount_text(value, detail.get("currency")) if name == "amount" else cell(value)
        grid.add_row(Text(name), Text(shown))
    for c in detail["citations"]:
        who = f"{c['author']}, " if c["author"] else ""
        when = c["published"] or "undated"
        grid.add_row(
            Text("source"), Text(printable(f"{who}“{c['title']}” ({when}), paragraph {c['paragraph']} [{c['source']}]"))
        )
    console.print(grid)


def detail_lines(detail: dict[str, Any]) -> str:
    """One record as `field<TAB>value` lines, for pipes."""
    lines = [f"{k}\t{cell(v)}" for k, v in detail.items() if k != "citations"]
    for c in detail["citations"]:
        lines.append(
            "citation\t"
            + "\t".join((f"{c['source']}:{c['paragraph']}", cell(c["title"]), cell(c["author"]), cell(c["published"])))
        )
    return "\n".join(lines) + "\n"
