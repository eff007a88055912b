"""Turning records into output: one dict shape feeding table, tsv, csv, json, jsonl and markdown."""

from __future__ import annotations

import functools
import io
import json
import os
from collections.abc import Callable, Iterable, Sequence
from datetime import date

from relations_cli.dataset import printable
from relations_cli.model import (
    Actor,
    Agreement,
    Aid,
    Citation,
    Data,
    Dataset,
    DatePoint,
    Dispute,
    Event,
    Record,
    Role,
    Source,
    field_names,
)

TYPE_CHECKING = False  # `typing` costs milliseconds at start-up; only the type checker needs it here
if TYPE_CHECKING:
    from typing import IO, Any

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
    "aid": ("donor", "recipient", "donor_id", "recipient_id", "amount", "currency", "purpose", "status"),
    "agreement": ("type", "status", "parties", "party_ids", "count", "count_qualifier"),
}
DEFAULT_FIELDS: dict[str, tuple[str, ...]] = {
    "event": ("id", "date", "category", "title", "actors", "sources"),
    "aid": ("id", "date", "donor", "recipient", "amount", "currency", "purpose", "sources"),
    "agreement": ("id", "date", "type", "title", "parties", "sources"),
    "all": ("id", "kind", "date", "category", "title", "sources"),
}
# Every field of a source, then how many records cite it; `relations sources --fields` takes each.
SOURCE_COLUMNS: tuple[str, ...] = (*field_names(Source), "records")
SOURCE_DEFAULT_COLUMNS: tuple[str, ...] = ("id", "kind", "publisher", "published", "url", "title")
# An actor as `relations actors` lists it: its current or last role, and how many records involve it.
ACTOR_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "kind",
    "country",
    "role",
    "role_of",
    "role_date",
    "records",
    "aliases",
    "roles",
)
ACTOR_DEFAULT_COLUMNS: tuple[str, ...] = ("id", "name", "kind", "country", "role", "role_of", "records")
UNDATED = "undated"
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
            status=record.status,
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


def span_text(start: DatePoint | None, end: DatePoint | None, reported_until: date | None) -> str:
    """A fuzzy date for people: `2015-03-11/2015-03-14` as written, `since 1993, last reported 2017-01-16`."""
    if start is None and end is None:
        return UNDATED
    if end is None:
        assert start is not None
        last = reported_until.isoformat() if reported_until else "in no dated source"
        return f"since {start.text}, last reported {last}"
    if start is None:
        return f"until {end.text}"
    return start.text if start.text == end.text else f"{start.text}/{end.text}"


def record_date_text(record: Record) -> str:
    """A record's date for people (see span_text); `undated` when it has none."""
    if record.date is None:
        return UNDATED
    return span_text(record.date.start, record.date.end, record.reported_until)


def role_date(role: Role) -> str | None:
    """A role's dates as written (`2024-03/..`, `2013/2018`, `1996-04`), or None when the sources give none."""
    if role.start is None and role.end is None:
        return None
    left = role.start.text if role.start else ".."
    right = role.end.text if role.end else ".."
    return left if left == right else f"{left}/{right}"


def role_dict(role: Role) -> dict[str, Any]:
    """A role as `{"title", "of", "of_name", "date", "last_reported", "sources"}`."""
    return {
        "title": role.title,
        "of": role.of,
        "of_name": role.of_name or role.of,
        "date": role_date(role),
        "last_reported": role.reported_until.isoformat() if role.reported_until else None,
        "sources": [citation_dict(c) for c in role.sources],
    }


def latest_role(actor: Actor) -> Role | None:
    """The actor's current or last role: the one that ends latest (then starts latest); None without roles."""
    if not actor.roles:
        return None

    def key(item: tuple[int, Role]) -> tuple[date, date, int]:
        """End day, start day, then file order; roles the sources do not date come first."""
        span = item[1].span()
        return (span[1], span[0], item[0]) if span else (date.min, date.min, item[0])

    return max(enumerate(actor.roles), key=key)[1]


def actor_dict(actor: Actor, records: int) -> dict[str, Any]:
    """The documented JSON shape of an actor (ACTOR_COLUMNS): its fields, its current or last role, its roles."""
    role = latest_role(actor)
    return {
        "id": actor.id,
        "name": actor.name,
        "kind": actor.kind,
        "country": actor.country,
        "role": role.title if role else None,
        "role_of": (role.of_name or role.of) if role else None,
        "role_date": role_date(role) if role else None,
        "records": records,
        "aliases": list(actor.aliases),
        "roles": [role_dict(r) for r in actor.roles],
    }


def involving_counts(actors: Iterable[Actor], records: Iterable[Record]) -> dict[str, int]:
    """How many records involve each actor (as actor, party, donor or recipient), by actor id."""
    counts = {a.id: 0 for a in actors}
    for record in records:
        for ident in set(record.actor_ids()):
            if ident in counts:
                counts[ident] += 1
    return counts


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


class Listing(Data):
    """Rows ready to print, with what a person needs to read them: the label, filters and totals."""

    _fields = ("rows", "fields", "label", "total", "filters", "footer", "fixed")

    def __init__(
        self,
        rows: list[dict[str, Any]],
        fields: Sequence[str],
        label: str = "records",
        total: int | None = None,
        filters: Sequence[str] = (),
        footer: Sequence[str] | None = None,
        fixed: bool = False,
    ) -> None:
        """Rows and how to present them.

        `fixed`: the columns were chosen with --fields, so a table shows them all, or blocks.
        """
        self.rows = rows
        self.fields = fields
        self.label = label
        self.total = total
        self.filters = filters
        self.footer: Sequence[str] = [] if footer is None else footer
        self.fixed = fixed

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


class _Unusual(Exception):
    """A value the quick JSON writer leaves to `json` (a float, a subclass, a key that is not a string)."""


def _indented_json(rows: list[Any], escape: bool) -> list[str]:
    """The text `json.dump(rows, out, ensure_ascii=escape, indent=2)` writes, byte for byte, in a few pieces.

    `json` indents in pure Python, one generator step and one write per token; this walks the rows
    once and encodes strings with `json`'s own C encoder. Only exact str, int, bool, None, list and
    dict with string keys are handled: anything else raises `_Unusual`, and the caller leaves the
    rows to `json`.
    """
    from json.encoder import encode_basestring, encode_basestring_ascii

    encode = encode_basestring_ascii if escape else encode_basestring

    def scalar(value: Any, kind: type) -> str:
        """The text of a value that is not a non-empty container."""
        if kind is str:
            return encode(value)
        if kind is int:
            return int.__repr__(value)
        if value is None:
            return "null"
        if kind is bool:
            return "true" if value else "false"
        if kind is list and not value:
            return "[]"
        if kind is dict and not value:
            return "{}"
        raise _Unusual

    def put(item: Any, pad: str, add: Callable[[str], None]) -> None:
        """Add the text of a non-empty list or dict that starts on a line indented by `pad` (a newline and spaces)."""
        inner = pad + "  "
        separator = "," + inner
        lead = inner
        if type(item) is dict:
            add("{")
            for key, value in item.items():
                if type(key) is not str:
                    raise _Unusual
                kind = type(value)
                if (kind is dict or kind is list) and value:
                    add(f"{lead}{encode(key)}: ")
                    put(value, inner, add)
                else:
                    add(f"{lead}{encode(key)}: {scalar(value, kind)}")
                lead = separator
            add(pad + "}")
        else:
            add("[")
            for value in item:
                kind = type(value)
                if (kind is dict or kind is list) and value:
                    add(lead)
                    put(value, inner, add)
                else:
                    add(lead + scalar(value, kind))
                lead = separator
            add(pad + "]")

    if not rows:
        return ["[]"]
    pieces: list[str] = []
    lead = "[\n  "
    for row in rows:
        parts = [lead]
        kind = type(row)
        if (kind is dict or kind is list) and row:
            put(row, "\n  ", parts.append)
        else:
            parts.append(scalar(row, kind))
        pieces.append("".join(parts))
        lead = ",\n  "
    pieces.append("\n]")
    return pieces


def render_json(listing: Listing, out: IO[str]) -> None:
    """A JSON array of objects (indented by two spaces, as `json.dump(..., indent=2)` writes it)."""
    rows = _project(listing)
    escape = ascii_only(out)
    try:
        pieces = _indented_json(rows, escape)
    except _Unusual:
        json.dump(rows, out, ensure_ascii=escape, indent=2)
    else:
        for piece in pieces:
            out.write(piece)
    out.write("\n")


# A record's members as `--format json` writes them inside the top-level array: each starts a line
# indented by exactly four spaces (nested values are deeper, and strings hold no newline).
_MEMBER_BREAK = ',\n    "'
_MEMBER_MARK = "\x00"


def json_members(record: Record) -> str:
    """A record's JSON members, written once for a store: each `"field": value` as printed, NUL between them.

    `shaped_json` puts them back together, in a listing's field order and with nulls for the fields
    of other kinds, into the text `--format json` prints. A NUL never occurs in JSON text (a control
    character in a string is written as an escape).
    """
    row = to_dict(record)
    try:
        text = "".join(_indented_json([row], False))
    except _Unusual:
        text = json.dumps([row], ensure_ascii=False, indent=2)
    members = text.removeprefix('[\n  {\n    "').removesuffix("\n  }\n]").split(_MEMBER_BREAK)
    if len(members) != len(row):
        raise ValueError(f"{record.id}: its JSON does not split into its {len(row)} fields")
    return _MEMBER_MARK.join('"' + m for m in members)


@functools.cache
def _shape(kind: str, fields: tuple[str, ...]) -> tuple[bytes, tuple[int, ...], int]:
    """How to print a record of `kind` with `fields`: a %-template, which of its members fill it, how many it has."""
    own = fields_of((kind,))
    position = {f: n for n, f in enumerate(own)}
    pieces = []
    order = []
    for name in dict.fromkeys(fields):  # a field named twice (`status`) is printed once, where first named
        if name in position:
            pieces.append("%s")
            order.append(position[name])
        else:
            pieces.append(f'"{name}": null')
    template = "{\n    " + ",\n    ".join(pieces) + "\n  }"
    return template.encode("utf-8"), tuple(order), len(own)


def shaped_json(members: bytes, kind: str, fields: tuple[str, ...]) -> bytes:
    """The object `--format json` prints for a record of `kind` with these fields, from its `json_members` in UTF-8."""
    template, order, count = _shape(kind, fields)
    parts = members.split(b"\x00")
    if len(parts) != count:
        raise ValueError("not the JSON members of a record of this kind")
    return template % tuple([parts[n] for n in order])


def write_json_objects(texts: Sequence[bytes], out: IO[str]) -> None:
    """A JSON array of objects already written by `shaped_json` (what render_json would print for them).

    The UTF-8 goes to the stream's byte buffer as it is, where the stream writes UTF-8 with no newline
    translation; otherwise it is decoded and written as text.
    """
    data = b"[\n  " + b",\n  ".join(texts) + b"\n]\n" if texts else b"[]\n"
    buffer = getattr(out, "buffer", None)
    if buffer is not None and os.linesep == "\n" and _writes_utf8(out):
        out.flush()
        buffer.write(data)
    else:
        out.write(data.decode("utf-8"))


def _writes_utf8(out: IO[str]) -> bool:
    """True when a text stream encodes as UTF-8."""
    import codecs

    encoding = getattr(out, "encoding", None)
    try:
        return isinstance(encoding, str) and codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


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
    if name == "date" and value is None:
        return UNDATED
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


def interval_lines(text: str) -> list[str]:
    """A date interval as it may be broken in a narrow column: after the `/`, never inside a date."""
    start, slash, end = text.partition("/")
    return [start + slash, end] if slash and end else [text]


def _measure(listing: Listing, name: str) -> tuple[int, int]:
    """A column's natural width (its longest line) and the least it can take (whole tokens stay whole)."""
    cells = [name, *(_table_cell(row, name) for row in listing.rows)]
    natural = max(len(line) for c in cells for line in c.splitlines() or [""])
    if name == "date":  # an interval may go on two lines, breaking after its `/`
        return natural, max(len(part) for c in cells for part in interval_lines(c))
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
                min_width=size if whole and name != "date" else None,
                justify="right" if name in ("amount", "count", "records") else "left",
            )
        sizes = dict(zip(shown, widths, strict=True))

        def shown_cell(row: dict[str, Any], name: str) -> Text:
            """A cell's text; a date interval wider than its column goes on two lines after the `/`."""
            text = _table_cell(row, name)
            if name == "date" and len(text) > sizes[name]:
                text = "\n".join(interval_lines(text))
            return Text(text)

        for row in listing.rows:
            table.add_row(*(shown_cell(row, f) for f in shown))
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


# ---------------------------------------------------------------------------
# `relations show`: one record, actor or source whole
# ---------------------------------------------------------------------------


def citation_detail(citation: Citation, dataset: Dataset) -> dict[str, Any]:
    """A citation with what a reader needs to find it: the source's title, author, publisher, date and URL."""
    source = dataset.source(citation.source)
    return {
        "source": citation.source,
        "paragraph": citation.paragraph,
        "title": source.title if source else None,
        "author": (", ".join(source.authors) or None) if source else None,
        "publisher": source.publisher if source else None,
        "published": source.published if source else None,
        "url": source.url if source else None,
    }


def citation_text(citation: Citation, dataset: Dataset) -> str:
    """A citation for people: `Agency, “Title”, 2024-07-12, https://… [id]`, a paragraph where one is cited."""
    c = citation_detail(citation, dataset)
    parts = [c["publisher"] or c["author"], f"“{c['title']}”" if c["title"] else None, c["published"] or UNDATED]
    if c["paragraph"] is not None:
        parts.append(f"paragraph {c['paragraph']}")
    parts.append(c["url"])
    return printable(", ".join(p for p in parts if p) + f" [{c['source']}]")


def grouped_citations(citations: Sequence[Citation], dataset: Dataset) -> str:
    """Citations for people, one per source (`…, 2017-01-16, paragraphs 12, 13 [qaiser-2017]`), joined by `; `."""
    paragraphs: dict[str, list[int]] = {}
    for c in citations:
        found = paragraphs.setdefault(c.source, [])
        if c.paragraph is not None and c.paragraph not in found:
            found.append(c.paragraph)
    texts = []
    for source, numbers in paragraphs.items():
        text = citation_text(Citation(source), dataset)
        if numbers:
            label = "paragraph" if len(numbers) == 1 else "paragraphs"
            head, _, ref = text.rpartition(" [")
            text = f"{head}, {label} {', '.join(map(str, sorted(numbers)))} [{ref}"
        texts.append(text)
    return "; ".join(texts)


def reading_source_text(citation: Citation, dataset: Dataset) -> str:
    """A source of a disputed reading, short: `Agency, 2024-07-12 [id]`."""
    c = citation_detail(citation, dataset)
    who = c["publisher"] or c["author"] or c["title"] or c["source"]
    ref = c["source"] if c["paragraph"] is None else f"{c['source']}:{c['paragraph']}"
    return printable(f"{who}, {c['published'] or UNDATED} [{ref}]")


def record_detail(record: Record, dataset: Dataset) -> dict[str, Any]:
    """A record whole (to_dict), when an open end was last reported, and each citation spelled out."""
    data = to_dict(record)
    open_end = record.date is not None and record.date.end is None
    last = record.reported_until.isoformat() if open_end and record.reported_until else None
    data["last_reported"] = last
    data["citations"] = [citation_detail(c, dataset) for c in record.sources]
    return data


def actor_detail(actor: Actor, records: Sequence[Record], dataset: Dataset) -> dict[str, Any]:
    """An actor whole (actor_dict, each role's citations spelled out), then its records in the order given."""
    data = actor_dict(actor, len(records))
    for role, row in zip(actor.roles, data["roles"], strict=True):
        row["citations"] = [citation_detail(c, dataset) for c in role.sources]
    data["records"] = [to_dict(r) for r in records]
    return data


def source_detail(source: Source, records: Sequence[Record]) -> dict[str, Any]:
    """A source whole (source_dict), then the records citing it in the order given."""
    data = source_dict(source, len(records))
    data["records"] = [to_dict(r) for r in records]
    return data


class Detail(Data):
    """What `show` prints for people and pipes: field/value pairs, disputes side by side, a list of records."""

    _fields = ("pairs", "disputes", "records", "citations")

    def __init__(
        self,
        pairs: list[tuple[str, str]],
        disputes: list[tuple[str, list[tuple[str, list[str]]], str | None]] | None = None,
        records: Listing | None = None,
        citations: list[tuple[str, list[str]]] | None = None,
    ) -> None:
        """Pairs, disputes, related records and citations (for people, and as TSV cells)."""
        self.pairs = pairs
        self.disputes: list[tuple[str, list[tuple[str, list[str]]], str | None]] = [] if disputes is None else disputes
        self.records = records
        self.citations: list[tuple[str, list[str]]] = [] if citations is None else citations


RELATED_FIELDS: tuple[str, ...] = ("id", "kind", "date", "title")


def _related(records: Sequence[Record], label: str) -> Listing:
    """The records of an actor or source, as a listing of id, kind, date and title."""
    return Listing([to_dict(r) for r in records], RELATED_FIELDS, label)


def _reading_value(value: str, dataset: Dataset) -> str:
    """A disputed value for people: an actor id with the actor's name (`Azerbaijan (azerbaijan)`)."""
    actor = dataset.actor(value)
    return printable(f"{actor.name} ({value})" if actor is not None else value)


def record_pairs(record: Record, dataset: Dataset) -> Detail:
    """A record for `show`: every field, dates as people read them, citations and disputes spelled out."""
    data = to_dict(record)
    pairs: list[tuple[str, str]] = []
    for name, value in data.items():
        if name in ("sources", "disputes"):
            continue
        if name == "date":
            shown = record_date_text(record)
        elif name == "amount":
            shown = amount_text(value, data.get("currency"))
        elif value in (None, []) and name in ("place", "status", "notes", "aliases", "count", "count_qualifier"):
            continue
        else:
            shown = cell(value)
        pairs.append((name, shown))
    citations = []
    for c in record.sources:
        d = citation_detail(c, dataset)
        ref = c.source if c.paragraph is None else f"{c.source}:{c.paragraph}"
        tsv = [ref, *(cell(d[k]) for k in ("title", "author", "publisher", "published", "url"))]
        citations.append((citation_text(c, dataset), tsv))
    disputes = [
        (
            printable(d.field),
            [
                (_reading_value(r.value, dataset), [reading_source_text(c, dataset) for c in r.sources])
                for r in d.readings
            ],
            printable(d.note) if d.note else None,
        )
        for d in record.disputes
    ]
    return Detail(pairs, disputes, citations=citations)


def actor_pairs(actor: Actor, records: Sequence[Record], dataset: Dataset) -> Detail:
    """An actor for `show`: its fields, aliases, each role with its dates and citations, then its records."""
    pairs = [
        ("id", actor.id),
        ("name", actor.name),
        ("kind", actor.kind),
        ("country", actor.country or ""),
    ]
    if actor.aliases:
        pairs.append(("aliases", "; ".join(actor.aliases)))
    for role in actor.roles:
        if role_date(role):
            when = span_text(role.start, role.end, role.reported_until)
        else:  # a role without dates holds on the date of its source
            when = f"reported {role.reported_until.isoformat()}" if role.reported_until else UNDATED
        cited = grouped_citations(role.sources, dataset)
        pairs.append(("role", f"{role.title} ({role.of_name or role.of}), {when} — {cited}"))
    pairs = [(k, printable(v)) for k, v in pairs]
    noun = "record" if len(records) == 1 else "records"
    return Detail(pairs, records=_related(records, f"{noun} involving {printable(actor.name)}"))


def source_pairs(source: Source, records: Sequence[Record]) -> Detail:
    """A source for `show`: every field it has, then the records citing it."""
    row = source_dict(source, len(records))
    pairs = [(k, cell(v)) for k, v in row.items() if v not in (None, []) and k != "records"]
    return Detail(pairs, records=_related(records, "record citing it" if len(records) == 1 else "records citing it"))


def render_detail(detail: Detail, out: IO[str]) -> None:
    """`show` on a terminal: a grid of field and value, each dispute's readings side by side, then a table."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    console = console_for(out)
    grid = Table(show_header=False, box=None, padding=(0, 2, 0, 0))
    grid.add_column("field", style="bold", no_wrap=True)
    grid.add_column("value", overflow="fold")
    for name, value in detail.pairs:
        grid.add_row(Text(name), Text(value))
    for text, _ in detail.citations:
        grid.add_row(Text("source"), Text(text))
    console.print(grid)
    for name, readings, note in detail.disputes:
        console.print()
        console.print(Text(f"disputed: {name}", style="bold"))
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        for value, _ in readings:
            table.add_column(Text(value), overflow="fold")
        table.add_row(*(Text("\n".join(sources)) for _, sources in readings))
        console.print(table)
        if note:
            console.print(Text(note))
    if detail.records is not None:
        console.print()
        if detail.records.rows:
            render_table(detail.records, out)
        else:
            console.print(Text(detail.records.caption()))


def detail_lines(detail: Detail) -> str:
    """`show` in a pipe: `field<TAB>value` lines, a `dispute` line per dispute, then the records as TSV."""
    lines = [f"{name}\t{value}" for name, value in detail.pairs]
    lines += ["\t".join(["citation", *cells]) for _, cells in detail.citations]
    for name, readings, note in detail.disputes:
        sides = [f"{value} [{'; '.join(sources)}]" for value, sources in readings]
        lines.append("\t".join(["dispute", name, *sides]))
        if note:
            lines.append(f"dispute_note\t{name}\t{note}")
    text = "\n".join(lines) + "\n"
    if detail.records is not None:
        buffer = io.StringIO()
        render_tsv(detail.records, buffer)
        text += "\n" + buffer.getvalue()
    return text
