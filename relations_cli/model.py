"""Typed records of the dataset: sources, citations, events, aid, agreements and fuzzy dates."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Union

EVENT_CATEGORIES: tuple[str, ...] = (
    "recognition",
    "diplomatic-relations",
    "embassy",
    "ambassador",
    "visit",
    "meeting",
    "summit",
    "forum",
    "resolution",
    "award",
    "flight",
    "training",
    "scholarship",
    "education",
    "membership",
    "support",
    "statement",
    "cooperation",
)
AID_CATEGORIES: tuple[str, ...] = (
    "financial-assistance",
    "disaster-relief",
    "reconstruction",
    "humanitarian",
    "pandemic-relief",
    "in-kind",
)
AGREEMENT_CATEGORIES: tuple[str, ...] = ("political", "economic", "defence", "education", "general")
AGREEMENT_TYPES: tuple[str, ...] = (
    "declaration",
    "memorandum",
    "cooperation-programme",
    "commission",
    "commitment",
    "aggregate",
)
COUNT_QUALIFIERS: tuple[str, ...] = ("more than", "at least", "exactly")

KINDS: tuple[str, ...] = ("event", "aid", "agreement")
# The one map between a kind and its table in the file (and in exports, and its plural in prose).
TABLE_OF_KIND: dict[str, str] = {"event": "events", "aid": "aid", "agreement": "agreements"}
KIND_OF_TABLE: dict[str, str] = {table: kind for kind, table in TABLE_OF_KIND.items()}
CATEGORIES: dict[str, tuple[str, ...]] = {
    "event": EVENT_CATEGORIES,
    "aid": AID_CATEGORIES,
    "agreement": AGREEMENT_CATEGORIES,
}

# Active ISO 4217 currency codes.
CURRENCIES: frozenset[str] = frozenset(
    (
        "AED",
        "AFN",
        "ALL",
        "AMD",
        "ANG",
        "AOA",
        "ARS",
        "AUD",
        "AWG",
        "AZN",
        "BAM",
        "BBD",
        "BDT",
        "BGN",
        "BHD",
        "BIF",
        "BMD",
        "BND",
        "BOB",
        "BRL",
        "BSD",
        "BTN",
        "BWP",
        "BYN",
        "BZD",
        "CAD",
        "CDF",
        "CHF",
        "CLP",
        "CNY",
        "COP",
        "CRC",
        "CUP",
        "CVE",
        "CZK",
        "DJF",
        "DKK",
        "DOP",
        "DZD",
        "EGP",
        "ERN",
        "ETB",
        "EUR",
        "FJD",
        "FKP",
        "GBP",
        "GEL",
        "GHS",
        "GIP",
        "GMD",
        "GNF",
        "GTQ",
        "GYD",
        "HKD",
        "HNL",
        "HTG",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "IQD",
        "IRR",
        "ISK",
        "JMD",
        "JOD",
        "JPY",
        "KES",
        "KGS",
        "KHR",
        "KMF",
        "KPW",
        "KRW",
        "KWD",
        "KYD",
        "KZT",
        "LAK",
        "LBP",
        "LKR",
        "LRD",
        "LSL",
        "LYD",
        "MAD",
        "MDL",
        "MGA",
        "MKD",
        "MMK",
        "MNT",
        "MOP",
        "MRU",
        "MUR",
        "MVR",
        "MWK",
        "MXN",
        "MYR",
        "MZN",
        "NAD",
        "NGN",
        "NIO",
        "NOK",
        "NPR",
        "NZD",
        "OMR",
        "PAB",
        "PEN",
        "PGK",
        "PHP",
        "PKR",
        "PLN",
        "PYG",
        "QAR",
        "RON",
        "RSD",
        "RUB",
        "RWF",
        "SAR",
        "SBD",
        "SCR",
        "SDG",
        "SEK",
        "SGD",
        "SHP",
        "SLE",
        "SOS",
        "SRD",
        "SSP",
        "STN",
        "SVC",
        "SYP",
        "SZL",
        "THB",
        "TJS",
        "TMT",
        "TND",
        "TOP",
        "TRY",
        "TTD",
        "TWD",
        "TZS",
        "UAH",
        "UGX",
        "USD",
        "UYU",
        "UZS",
        "VES",
        "VND",
        "VUV",
        "WST",
        "XAF",
        "XCD",
        "XOF",
        "XPF",
        "YER",
        "ZAR",
        "ZMW",
        "ZWL",
        "ZWG",
        "VED",
    )
)

_POINT = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
OPEN = ".."


@dataclass(frozen=True, slots=True)
class DatePoint:
    """One end of a fuzzy date: a year, a month or a day."""

    text: str
    first: date
    last: date


def parse_point(text: str) -> DatePoint:
    """Parse `YYYY`, `YYYY-MM` or `YYYY-MM-DD` into the first and last day it covers."""
    match = _POINT.match(text)
    if match is None:
        raise ValueError(f"'{text}' is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
    year = int(match.group(1))
    if year < 1:
        raise ValueError(f"'{text}' has no year 0")
    if match.group(2) is None:
        return DatePoint(text, date(year, 1, 1), date(year, 12, 31))
    month = int(match.group(2))
    if not 1 <= month <= 12:
        raise ValueError(f"'{text}' has no month {month}")
    last_day = calendar.monthrange(year, month)[1]
    if match.group(3) is None:
        return DatePoint(text, date(year, month, 1), date(year, month, last_day))
    day = int(match.group(3))
    if not 1 <= day <= last_day:
        raise ValueError(f"'{text}' is not a real calendar day")
    exact = date(year, month, day)
    return DatePoint(text, exact, exact)


@dataclass(frozen=True, slots=True)
class FuzzyDate:
    """An EDTF level-0 date or interval, kept as written; `None` ends are open (`..`)."""

    text: str
    start: DatePoint | None
    end: DatePoint | None

    @property
    def first(self) -> date:
        """The earliest day the date may mean (`date.min` when open)."""
        return self.start.first if self.start else date.min

    @property
    def last(self) -> date:
        """The latest day the date may mean (`date.max` when open)."""
        return self.end.last if self.end else date.max

    def overlaps_years(self, first_year: int | None, last_year: int | None) -> bool:
        """True when the interval shares at least one day with the inclusive range of years."""
        if first_year is not None and self.last.year < first_year:
            return False
        return not (last_year is not None and self.first.year > last_year)


def parse_date(text: str) -> FuzzyDate:
    """Parse a date string such as `1992-06`, `1992/1993` or `1993/..`; raise ValueError when malformed."""
    if "/" not in text:
        point = parse_point(text)
        return FuzzyDate(text, point, point)
    left, _, right = text.partition("/")
    if "/" in right:
        raise ValueError(f"'{text}' has more than one '/'")
    if left == OPEN and right == OPEN:
        raise ValueError(f"'{text}' is open at both ends")
    start = None if left == OPEN else parse_point(left)
    end = None if right == OPEN else parse_point(right)
    if start and end and start.first > end.first:
        raise ValueError(f"'{text}' ends before it starts")
    return FuzzyDate(text, start, end)


@dataclass(frozen=True, slots=True)
class Citation:
    """A paragraph of a source that states a record."""

    source: str
    paragraph: int


@dataclass(frozen=True, slots=True)
class Source:
    """One article the dataset is built from."""

    id: str
    title: str
    author: str | None = None
    published: str | None = None
    file: str | None = None
    publisher: str | None = None
    url: str | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordBase:
    """Fields every record has, whatever its kind."""

    id: str
    date: FuzzyDate | None
    category: str
    title: str
    summary: str
    sources: tuple[Citation, ...]
    notes: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def date_text(self) -> str | None:
        """The date as written in the dataset, or None."""
        return self.date.text if self.date else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Event(RecordBase):
    """Something that happened between the two countries: a visit, a resolution, an award."""

    actors: tuple[str, ...] = ()
    kind: str = field(default="event", init=False)

    def names(self) -> tuple[str, ...]:
        """People, countries and bodies the record names."""
        return self.actors


@dataclass(frozen=True, slots=True, kw_only=True)
class Aid(RecordBase):
    """A grant or gift from one party to the other."""

    donor: str
    recipient: str
    purpose: str
    amount: int | None = None
    currency: str | None = None
    kind: str = field(default="aid", init=False)

    def names(self) -> tuple[str, ...]:
        """People, countries and bodies the record names."""
        return (self.donor, self.recipient)


@dataclass(frozen=True, slots=True, kw_only=True)
class Agreement(RecordBase):
    """A declaration, memorandum, programme, commission or count of agreements."""

    type: str
    parties: tuple[str, ...] = ()
    count: int | None = None
    count_qualifier: str | None = None
    kind: str = field(default="agreement", init=False)

    def names(self) -> tuple[str, ...]:
        """People, countries and bodies the record names."""
        return self.parties


Record = Union[Event, Aid, Agreement]


@dataclass(frozen=True, slots=True)
class Dataset:
    """A validated dataset: its sources and records, and the file they came from."""

    path: str
    sources: tuple[Source, ...]
    events: tuple[Event, ...]
    aid: tuple[Aid, ...]
    agreements: tuple[Agreement, ...]
    meta: tuple[tuple[str, str], ...] = ()

    def records(self) -> list[Record]:
        """Every record, events first, then aid, then agreements, in file order."""
        return [*self.events, *self.aid, *self.agreements]

    def source(self, source_id: str) -> Source | None:
        """The source with this id, if any."""
        return next((s for s in self.sources if s.id == source_id), None)
