"""Overviews of a set of records: a timeline chart, aid totals, and counts per category and type."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from relations_cli.model import (
    AGREEMENT_TYPES,
    CATEGORIES,
    KINDS,
    TABLE_OF_KIND,
    Actor,
    Agreement,
    Aid,
    Dataset,
    Event,
    Record,
)

UNICODE_GLYPHS: dict[str, str] = {"event": "█", "aid": "▒", "agreement": "░"}
ASCII_GLYPHS: dict[str, str] = {"event": "#", "aid": "$", "agreement": "="}
GLYPH_STYLES: dict[str, str] = {"event": "cyan", "aid": "green", "agreement": "magenta"}
BIN_SIZES: tuple[int, ...] = (1, 5, 10, 25, 50, 100, 250, 500, 1000)
MAX_BARS = 32
MIN_WIDTH = 20


def start_year(record: Record) -> int | None:
    """The year a record is counted in: the year its date starts (the end year when open at the start)."""
    if record.date is None:
        return None
    point = record.date.start or record.date.end
    return point.first.year if point else None


def split_dated(records: Iterable[Record]) -> tuple[list[Record], list[Record]]:
    """Dated records in date order (start, end, id), and the undated ones in their given order."""
    dated = [r for r in records if r.date is not None]
    undated = [r for r in records if r.date is None]

    def by_date(record: Record) -> tuple[date, date, str]:
        """Start day, end day, then id."""
        assert record.date is not None
        return (record.date.first, record.date.last, record.id)

    return sorted(dated, key=by_date), undated


# ---------------------------------------------------------------------------
# Timeline chart
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bin:
    """A span of years and how many records of each kind start in it."""

    first: int
    last: int
    counts: Mapping[str, int]

    @property
    def total(self) -> int:
        """Records of every kind in the span."""
        return sum(self.counts.values())

    def label(self) -> str:
        """`1992` for one year, `1990–1994` for a span."""
        return str(self.first) if self.first == self.last else f"{self.first}–{self.last}"


def bin_size(first: int, last: int, max_bars: int = MAX_BARS) -> int:
    """The smallest span of years from BIN_SIZES that draws the range in at most `max_bars` bars."""
    for size in BIN_SIZES:
        if last // size - first // size + 1 <= max_bars:
            return size
    return BIN_SIZES[-1]


def bins(records: Iterable[Record], size: int | None = None, floor: int | None = None) -> list[Bin]:
    """Records per span of years (aligned to multiples of the span), empty spans included; undated skipped.

    With a `floor` (the first year a filter asked for), a record that started earlier but reaches into
    the asked years is counted in the floor year, so the chart starts where the question does.
    """
    years: list[tuple[int, str]] = []
    for record in records:
        year = start_year(record)
        if year is not None:
            years.append((year if floor is None else max(year, floor), record.kind))
    if not years:
        return []
    first = min(y for y, _ in years)
    last = max(y for y, _ in years)
    size = size or bin_size(first, last)
    counts: dict[int, Counter[str]] = {}
    for year, kind in years:
        counts.setdefault(year // size, Counter())[kind] += 1
    return [
        Bin(index * size, index * size + size - 1, dict(counts.get(index, Counter())))
        for index in range(first // size, last // size + 1)
    ]


def _bar_lengths(counts: Mapping[str, int], scale: float, room: int) -> dict[str, int]:
    """Cells per kind for one bar: proportional, at least one for a kind present, never over `room`."""
    lengths = {k: max(1, round(counts[k] * scale)) if counts.get(k) else 0 for k in KINDS}
    while sum(lengths.values()) > room:
        widest = max(lengths, key=lambda k: lengths[k])
        if lengths[widest] <= 1:
            break
        lengths[widest] -= 1
    return lengths


def _pack(items: Sequence[str], width: int, gap: str = "  ") -> list[str]:
    """Words laid out on as few lines as fit the width."""
    lines: list[str] = []
    for item in items:
        if lines and len(lines[-1]) + len(gap) + len(item) <= width:
            lines[-1] += gap + item
        else:
            lines.append(item)
    return lines


def wrap(text: str, width: int) -> list[str]:
    """Text broken at spaces into lines of at most `width` (a longer word is cut)."""
    return [line[: max(width, 1)] for line in _pack(text.split(), max(width, 1), " ")]


def chart_lines(
    records: Sequence[Record],
    width: int,
    *,
    size: int | None = None,
    ascii_only: bool = False,
    undated: int = 0,
    floor: int | None = None,
) -> list[str]:
    """A bar chart of records per year (or span of years), one bar a span, kinds told apart by glyph.

    Pure: the same records and width give the same lines, none longer than `width` (at least MIN_WIDTH
    is assumed; narrower output is cut). Each bar ends with its count; a legend and the scale follow.
    """
    width = max(width, 1)
    glyphs = ASCII_GLYPHS if ascii_only else UNICODE_GLYPHS
    rule, dash, about = ("|", "-", "~") if ascii_only else ("│", "–", "≈")
    spans = bins(records, size, floor)
    lines: list[str] = []
    if not spans:
        lines += _pack(["No", "dated", "records", "to", "chart."], width, " ")
    else:
        span = spans[0].last - spans[0].first + 1
        label_width = max(len(b.label()) for b in spans)
        peak = max(b.total for b in spans)
        count_width = len(str(peak))
        room = max(width - label_width - count_width - 3, 1)  # "label │bar count"
        scale = min(1.0, room / peak) if peak else 1.0
        per = "year" if span == 1 else f"{span} years"
        first, last = spans[0].first, spans[-1].last
        years = str(first) if first == last else f"{first}{dash}{last}"
        lines += _pack(f"Records per {per}, {years}".split(), width, " ")
        for b in spans:
            lengths = _bar_lengths(b.counts, scale, room)
            bar = "".join(glyphs[k] * lengths[k] for k in KINDS)
            count = str(b.total) if b.total else ""
            lines.append(f"{b.label().replace('–', dash):>{label_width}} {rule}{bar} {count}".rstrip())
        lines.append("")
        present = [k for k in KINDS if any(b.counts.get(k) for b in spans)]
        lines += _pack([f"{glyphs[k]} {TABLE_OF_KIND[k]}" for k in present], width)
        per_glyph = "= 1 record" if scale == 1.0 else f"{about} {1 / scale:.1f} records"
        lines += _pack(f"each glyph {per_glyph}".split(), width, " ")
    if undated:
        lines += _pack(f"{undated} undated record{'s' if undated != 1 else ''} not shown".split(), width, " ")
    return [line[:width] for line in lines]


# ---------------------------------------------------------------------------
# Totals and counts
# ---------------------------------------------------------------------------


def _money_rows(
    aid: Iterable[Aid], key_names: Sequence[str], keys: Callable[[Aid], tuple[Any, ...]]
) -> list[dict[str, Any]]:
    """Aid grouped by some keys, pledges apart, and currency; undisclosed amounts grouped apart under currency null.

    Each row: the keys, `pledged` (true for aid announced but not reported as given, which is never
    added to what was given), `currency`, `total` (null for the undisclosed row: never a 0 that was
    not stated), `grants` (records in the row) and `undisclosed` (records in it without an amount).
    """
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for record in aid:
        pledged = record.status == "pledged"
        group_key = (*keys(record), pledged, record.currency if record.amount is not None else None)
        row = groups.get(group_key)
        if row is None:
            row = dict(zip((*key_names, "pledged", "currency"), group_key, strict=True))
            row.update(total=None, grants=0, undisclosed=0)
            groups[group_key] = row
        row["grants"] += 1
        if record.amount is None:
            row["undisclosed"] += 1
        else:
            row["total"] = (row["total"] or 0) + record.amount

    def order(item: tuple[tuple[Any, ...], dict[str, Any]]) -> tuple[Any, ...]:
        """Keys in order (nulls last), then currencies alphabetically, the undisclosed row last."""
        return tuple((value is None, value if value is not None else "") for value in item[0])

    return [row for _, row in sorted(groups.items(), key=order)]


def _counts(values: Iterable[str], vocabulary: Sequence[str], name: str) -> list[dict[str, Any]]:
    """Non-zero counts of each value, most first, ties in vocabulary order."""
    counter = Counter(values)
    known = [v for v in vocabulary if counter[v]] + sorted(v for v in counter if v not in vocabulary)
    rank = {v: i for i, v in enumerate(known)}
    return [{name: v, "count": counter[v]} for v in sorted(known, key=lambda v: (-counter[v], rank[v]))]


def summary(records: Sequence[Record], actors: Iterable[Actor] = ()) -> dict[str, Any]:
    """Aid totals per donor/recipient/currency, per donor and recipient country, per year and per purpose;
    counts of events and agreements.

    Amounts of different currencies are never added together. Aid without a stated amount is counted in
    a row of its own (currency and total null). Aid dated with an interval counts in the year it starts.
    A donor or recipient's country is its actor's `country` (a state's own code; null when unknown).
    """
    countries = {a.id: a.country for a in actors}
    aid = [r for r in records if isinstance(r, Aid)]
    events = [r for r in records if isinstance(r, Event)]
    agreements = [r for r in records if isinstance(r, Agreement)]
    return {
        "records": {"events": len(events), "aid": len(aid), "agreements": len(agreements)},
        "aid_totals": _money_rows(aid, ("donor", "recipient"), lambda r: r.names()),
        "aid_by_donor_country": _money_rows(aid, ("donor_country",), lambda r: (countries.get(r.donor),)),
        "aid_by_recipient_country": _money_rows(aid, ("recipient_country",), lambda r: (countries.get(r.recipient),)),
        "aid_by_year": _money_rows(aid, ("year",), lambda r: (start_year(r),)),
        "aid_by_purpose": _money_rows(aid, ("purpose",), lambda r: (r.category,)),
        "events_by_category": _counts((r.category for r in events), CATEGORIES["event"], "category"),
        "agreements_by_type": _counts((r.type for r in agreements), AGREEMENT_TYPES, "type"),
    }


SUMMARY_SECTIONS: tuple[str, ...] = (
    "aid_totals",
    "aid_by_donor_country",
    "aid_by_recipient_country",
    "aid_by_year",
    "aid_by_purpose",
    "events_by_category",
    "agreements_by_type",
)
SUMMARY_COLUMNS: tuple[str, ...] = (
    "section",
    "donor",
    "recipient",
    "donor_country",
    "recipient_country",
    "year",
    "purpose",
    "category",
    "type",
    "pledged",
    "currency",
    "total",
    "grants",
    "undisclosed",
    "count",
)


def summary_rows(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The summary as one tidy table: a row per line of each section, named in `section`."""
    return [
        {column: (section if column == "section" else row.get(column)) for column in SUMMARY_COLUMNS}
        for section in SUMMARY_SECTIONS
        for row in data[section]
    ]


def citing_counts(dataset: Dataset) -> dict[str, int]:
    """How many records cite each source, by source id (a record citing one source twice counts once)."""
    counts = {s.id: 0 for s in dataset.sources}
    for record in dataset.records():
        for source_id in {c.source for c in record.sources}:
            counts[source_id] = counts.get(source_id, 0) + 1
    return counts


def category_counts(records: Iterable[Record], kinds: Sequence[str] = KINDS) -> list[dict[str, Any]]:
    """Every category of each kind in vocabulary order, with how many records have it (zeros included)."""
    counter = Counter((r.kind, r.category) for r in records)
    return [
        {"kind": kind, "category": category, "count": counter[(kind, category)]}
        for kind in kinds
        for category in CATEGORIES[kind]
    ]


def vocabulary_counts(records: Iterable[Record], kinds: Sequence[str] = KINDS) -> list[dict[str, Any]]:
    """Each kind's categories, then the agreement types, with how many records have each (zeros included)."""
    records = list(records)
    rows = [
        {"kind": row["kind"], "field": "category", "value": row["category"], "count": row["count"]}
        for row in category_counts(records, kinds)
    ]
    if "agreement" in kinds:
        types = Counter(r.type for r in records if isinstance(r, Agreement))
        rows += [{"kind": "agreement", "field": "type", "value": t, "count": types[t]} for t in AGREEMENT_TYPES]
    return rows


# ---------------------------------------------------------------------------
# Rendering for people (Rich is imported only here, and only when called)
# ---------------------------------------------------------------------------

SUMMARY_TITLES: dict[str, str] = {
    "aid_totals": "Aid by donor and recipient",
    "aid_by_donor_country": "Aid by donor country (states, bodies and people of that country)",
    "aid_by_recipient_country": "Aid by recipient country",
    "aid_by_year": "Aid by year (the year a grant starts)",
    "aid_by_purpose": "Aid by purpose (aid category)",
    "events_by_category": "Events by category",
    "agreements_by_type": "Agreements by type",
}


def _summary_cell(row: Mapping[str, Any], column: str) -> str:
    """A summary value as a person reads it: amounts with their currency, absent ones said."""
    from relations_cli.render import amount_text, cell

    if column == "total":
        return amount_text(row.get("total"), row.get("currency"))
    if column == "year" and row.get("year") is None:
        return "undated"
    if column in ("donor_country", "recipient_country") and row.get(column) is None:
        return "unknown"
    if column == "pledged":
        return "pledged" if row.get("pledged") else "given or unsaid"
    return cell(row.get(column))


def render_summary_table(data: Mapping[str, Any], out: Any, caption: str) -> None:
    """The summary as a Rich table per section, then a caption of what it covers."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from relations_cli.render import console_for

    console = console_for(out)
    for section in SUMMARY_SECTIONS:
        rows = data[section]
        if not rows:
            continue
        keys = [c for c in rows[0] if c not in ("currency", "total", "grants", "undisclosed", "count")]
        numbers = ["total", "grants", "undisclosed"] if "grants" in rows[0] else ["count"]
        columns = [*keys, *numbers]
        cells = [[_summary_cell(row, c) for c in columns] for row in rows]
        widest = [  # the longest word of each column; amounts are kept whole
            max(len(w) for text in (c, *(r[i] for r in cells)) for w in ([text] if c == "total" else text.split()))
            for i, c in enumerate(columns)
        ]
        console.print(Text(SUMMARY_TITLES[section], style="bold"))
        if sum(widest) + 3 * (len(columns) - 1) > console.width:  # too narrow: a block of lines per row
            for values in cells:
                grid = Table(show_header=False, box=None, padding=(0, 1, 0, 2))
                grid.add_column(no_wrap=True)
                grid.add_column(overflow="fold")
                for column, value in zip(columns, values, strict=True):
                    grid.add_row(Text(column), Text(value))
                console.print(grid)
                console.print()
            continue
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        for column in keys:
            table.add_column(column, overflow="fold")
        for column in numbers:
            table.add_column(column, justify="right", no_wrap=column == "total", overflow="fold")
        for values in cells:
            table.add_row(*(Text(value) for value in values))
        console.print(table)
        console.print()
    console.print(Text(caption))


def print_chart(lines: Sequence[str], out: Any) -> None:
    """Chart lines on a terminal, each kind's glyph in its own colour (NO_COLOR and TERM=dumb honoured)."""
    from rich.text import Text

    from relations_cli.render import console_for

    console = console_for(out)
    styles = {glyph: GLYPH_STYLES[kind] for glyphs in (UNICODE_GLYPHS, ASCII_GLYPHS) for kind, glyph in glyphs.items()}
    for line in lines:
        text = Text(line, no_wrap=True, overflow="crop")
        for index, char in enumerate(line):
            if char in styles:
                text.stylize(styles[char], index, index + 1)
        console.print(text, soft_wrap=True)
