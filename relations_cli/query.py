"""Filtering, sorting and limiting records; folding text for case- and accent-blind matching."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from relations_cli.model import AGREEMENT_TYPES, Actor, Agreement, Aid, Event, Record, years_match

# Letters that Unicode does not decompose into a base letter and a mark.
_EXTRA_FOLDS = str.maketrans({"ə": "a", "Ə": "a", "ı": "i", "ø": "o", "ß": "ss", "đ": "d", "ł": "l"})

SORT_FIELDS: tuple[str, ...] = (
    "date",
    "id",
    "kind",
    "category",
    "title",
    "amount",
    "currency",
    "donor",
    "recipient",
    "type",
)


class QueryError(ValueError):
    """A query that cannot be run as asked: the message says why in one line."""


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lower-case text and strip diacritics so `Heydər`, `HEYDAR` and `heydar` compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA_FOLDS))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True, slots=True)
class Query:
    """What a user asked for: each set filter must hold (AND); repeated values of one filter are OR."""

    kinds: tuple[str, ...] = ("event", "aid", "agreement")
    years: tuple[int, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    categories: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    actor: str | None = None
    donor: str | None = None
    recipient: str | None = None
    text: str | None = None
    source: str | None = None
    sort: str = "date"
    limit: int | None = None

    @property
    def year_from(self) -> int | None:
        """The first year a record may overlap, if bounded."""
        return None if self.date_from is None else self.date_from.year

    @property
    def year_to(self) -> int | None:
        """The last year a record may overlap, if bounded."""
        return None if self.date_to is None else self.date_to.year

    def check(self) -> None:
        """Raise QueryError when the options contradict each other or are out of range."""
        if self.date_from is not None and self.date_to is not None and self.date_from > self.date_to:
            raise QueryError(f"--from {bound_text(self.date_from)} is after --to {bound_text(self.date_to, last=True)}")
        for value in self.types:
            if value not in AGREEMENT_TYPES:
                raise QueryError(unknown_value("agreement type", value, AGREEMENT_TYPES))
        if self.limit is not None and self.limit < 0:
            raise QueryError(f"--limit must be 0 or more, not {self.limit}")
        if self.sort.lstrip("-") not in SORT_FIELDS:
            raise QueryError(unknown_value("sort field", self.sort.lstrip("-"), SORT_FIELDS))

    def describe(self) -> list[str]:
        """The filters in force, as short phrases for a table caption."""
        parts = []
        if self.years:
            parts.append("year " + " or ".join(str(y) for y in self.years))
        if self.date_from is not None or self.date_to is not None:
            low = bound_text(self.date_from) if self.date_from else "…"
            high = bound_text(self.date_to, last=True) if self.date_to else "…"
            parts.append(f"years {low}–{high}")
        if self.categories:
            parts.append("category " + " or ".join(self.categories))
        if self.types:
            parts.append("type " + " or ".join(self.types))
        for label, value in (
            ("actor", self.actor),
            ("donor", self.donor),
            ("recipient", self.recipient),
            ("text", self.text),
            ("source", self.source),
        ):
            if value:
                parts.append(f"{label} '{value}'")
        return parts


def bound_text(day: date, *, last: bool = False) -> str:
    """A date bound as the user would write it: `2015` for a whole year, `2015-03` for a whole month."""
    month_edge = (day + timedelta(days=1)).day == 1 if last else day.day == 1
    year_edge = month_edge and day.month == (12 if last else 1)
    if year_edge:
        return str(day.year)
    return f"{day.year}-{day.month:02d}" if month_edge else day.isoformat()


def unknown_value(what: str, value: str, valid: Iterable[str]) -> str:
    """A one-line message for a value outside a closed list, with the closest match."""
    import difflib

    choices = list(valid)
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.5)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"unknown {what} '{value}'{hint} (valid: {', '.join(choices)})"


def record_names(record: Record) -> tuple[str, ...]:
    """Countries, people and bodies a record names: actors, parties, donor and recipient."""
    return record.names()


def haystack(record: Record) -> str:
    """The folded text that `--search` looks in: id, title, summary, names, aliases, purpose."""
    extra: tuple[str, ...] = ()
    if isinstance(record, Aid):
        extra = (record.purpose,)
    elif isinstance(record, Agreement):
        extra = (record.type,)
    parts = (record.id, record.title, record.summary, *record.names(), *record.aliases, *extra)
    return fold("\n".join(parts))


def _name_matches(needle: str, names: Iterable[str]) -> bool:
    """True when the folded needle occurs in any of the folded names."""
    return any(needle in fold(name) for name in names)


def _spellings(actors: Iterable[Actor]) -> dict[str, tuple[str, ...]]:
    """For each actor id, its id, name and aliases, folded."""
    return {a.id: tuple(fold(s) for s in a.spellings()) for a in actors}


def _within(span: tuple[date, date] | None, low: date, high: date) -> bool:
    """True when a record's effective span shares a day with the range from low to high."""
    return span is not None and span[1] >= low and span[0] <= high


def predicates(query: Query, actors: Iterable[Actor] = ()) -> list[Callable[[Record], bool]]:
    """One test per filter that is set; a record matches when all of them hold.

    Year filters use each record's `span()`: an open end stops when the record was last reported and an
    undated record never matches. Actor filters match an actor's id, name or any alias (from `actors`).
    """
    tests: list[Callable[[Record], bool]] = []
    kinds = set(query.kinds)
    tests.append(lambda r: r.kind in kinds)
    if query.years:
        years = query.years
        tests.append(lambda r: any(years_match(r.span(), y, y) for y in years))
    if query.date_from is not None or query.date_to is not None:
        low, high = query.date_from or date.min, query.date_to or date.max
        tests.append(lambda r: _within(r.span(), low, high))
    spellings = _spellings(actors) if (query.actor or query.donor or query.recipient) else {}

    def refers(needle: str, ids: Iterable[str], names: Iterable[str]) -> bool:
        """True when an actor the record refers to is spelt with the needle (by id, name or alias)."""
        for ident in ids:
            if any(needle in s for s in spellings.get(ident, (fold(ident),))):
                return True
        return _name_matches(needle, names)

    if query.categories:
        categories = set(query.categories)
        tests.append(lambda r: r.category in categories)
    if query.types:
        types = set(query.types)
        tests.append(lambda r: isinstance(r, Agreement) and r.type in types)
    if query.actor:
        actor = fold(query.actor)
        tests.append(
            lambda r: isinstance(r, (Event, Agreement)) and refers(actor, r.actor_ids(), (*r.names(), *r.aliases))
        )
    if query.donor:
        donor = fold(query.donor)
        tests.append(lambda r: isinstance(r, Aid) and refers(donor, (r.donor,), r.names()[:1]))
    if query.recipient:
        recipient = fold(query.recipient)
        tests.append(lambda r: isinstance(r, Aid) and refers(recipient, (r.recipient,), r.names()[1:]))
    if query.text:
        words = fold(query.text).split()
        tests.append(lambda r: all(w in haystack(r) for w in words))
    if query.source:
        source = query.source
        tests.append(lambda r: any(c.source == source for c in r.sources))
    return tests


def _sort_value(record: Record, field: str) -> str | int | None:
    """The value of a sortable field, or None where the record has none."""
    if field == "amount":
        return record.amount if isinstance(record, Aid) else None
    value = getattr(record, field, None)
    return value if isinstance(value, (str, int)) else None


def sort_records(records: Sequence[Record], spec: str) -> list[Record]:
    """Sort by a field (`-field` for descending); records without the field always come last."""
    descending = spec.startswith("-")
    field = spec.lstrip("-")
    if field == "date":
        dated = [r for r in records if r.date is not None]
        undated = [r for r in records if r.date is None]

        def by_date(r: Record) -> tuple[date, date, str]:
            """Start day, end day, then id, so equal dates keep a stable order."""
            assert r.date is not None
            return (r.date.first, r.date.last, r.id)

        dated.sort(key=by_date, reverse=descending)
        return dated + sorted(undated, key=lambda r: r.id)
    # Ties keep date order (undated last, then id), whatever the direction of the sort.
    in_date_order = sort_records(records, "date")
    present = [r for r in in_date_order if _sort_value(r, field) is not None]
    missing = [r for r in in_date_order if _sort_value(r, field) is None]
    present.sort(key=lambda r: _key(_sort_value(r, field)), reverse=descending)
    return present + missing


def _key(value: str | int | None) -> tuple[int, str | int]:
    """A key that sorts numbers numerically and text case- and accent-blind."""
    if isinstance(value, int):
        return (0, value)
    return (1, fold(value or ""))


def run(records: Iterable[Record], query: Query, actors: Iterable[Actor] = ()) -> list[Record]:
    """The records that match every filter, sorted and limited as asked (`actors` spell out actor ids)."""
    query.check()
    tests = predicates(query, actors)
    matched = [r for r in records if all(test(r) for test in tests)]
    ordered = sort_records(matched, query.sort)
    return ordered if query.limit is None else ordered[: query.limit]
