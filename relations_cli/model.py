"""Typed records of the dataset: sources, actors, citations, disputes, events, aid, agreements and fuzzy dates."""

from __future__ import annotations

from datetime import date

_Day = date  # `date` is also a field name of records

TYPE_CHECKING = False  # `typing` costs milliseconds at start-up; only the type checker needs it here
if TYPE_CHECKING:
    import inspect
    from dataclasses import Field
    from typing import Any, ClassVar

    from typing_extensions import NotRequired, TypedDict, Unpack, dataclass_transform

    class CommonFields(TypedDict):
        """The keywords every kind of record passes on to `RecordBase.__init__` (for the type checker only)."""

        id: str
        date: FuzzyDate | None
        category: str
        title: str
        summary: str
        sources: tuple[Citation, ...]
        notes: NotRequired[str | None]
        aliases: NotRequired[tuple[str, ...]]
        disputes: NotRequired[tuple[Dispute, ...]]
        reported_until: NotRequired[_Day | None]

else:

    def dataclass_transform(**_: object) -> Any:
        """At run time, nothing: the type checker reads `Value`'s subclasses as frozen dataclasses."""
        return lambda cls: cls


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
    "exercise",
    "defence",
    "trade",
    "energy",
    "investment",
    "tourism",
    "visa",
    "commission",
    "conflict",
    "culture",
)
AID_CATEGORIES: tuple[str, ...] = (
    "financial-assistance",
    "disaster-relief",
    "reconstruction",
    "humanitarian",
    "pandemic-relief",
    "in-kind",
)
AGREEMENT_CATEGORIES: tuple[str, ...] = (
    "political",
    "economic",
    "defence",
    "education",
    "energy",
    "trade",
    "transport",
    "culture",
    "investment",
    "general",
)
AGREEMENT_TYPES: tuple[str, ...] = (
    "declaration",
    "memorandum",
    "agreement",
    "protocol",
    "cooperation-programme",
    "commission",
    "commitment",
    "action-plan",
    "contract",
    "aggregate",
)
# announced: a pledge or plan; signed; in force: ratified or in effect; reported: claimed by media only.
AGREEMENT_STATUSES: tuple[str, ...] = ("announced", "signed", "in force", "reported")
# Aid: `pledged` (announced, not reported as handed over), `given` (reported as given); absent when unsaid.
AID_STATUSES: tuple[str, ...] = ("pledged", "given")
COUNT_QUALIFIERS: tuple[str, ...] = ("more than", "at least", "exactly")
# Kinds of source, most authoritative first: a dispute's record value is the reading of the highest.
SOURCE_KINDS: tuple[str, ...] = ("official", "agency", "reference", "news", "analysis")
ACTOR_KINDS: tuple[str, ...] = ("person", "state", "organisation")
# Fields a dispute may be about: the research spec's set, plus the actor fields of aid and agreements.
DISPUTE_FIELDS: tuple[str, ...] = (
    "date",
    "amount",
    "count",
    "place",
    "title",
    "actors",
    "summary",
    "currency",
    "status",
    "donor",
    "recipient",
    "parties",
)

KINDS: tuple[str, ...] = ("event", "aid", "agreement")
# The one map between a kind and its table in the file (and in exports, and its plural in prose).
TABLE_OF_KIND: dict[str, str] = {"event": "events", "aid": "aid", "agreement": "agreements"}
KIND_OF_TABLE: dict[str, str] = {table: kind for kind, table in TABLE_OF_KIND.items()}
CATEGORIES: dict[str, tuple[str, ...]] = {
    "event": EVENT_CATEGORIES,
    "aid": AID_CATEGORIES,
    "agreement": AGREEMENT_CATEGORIES,
}

# ISO 4217 list one (maintenance agency SIX) as amended by amendment 180 of September 2025, the one in
# force in 2026 (XCG for ANG from 2025, EUR for BGN from 2026-01-01): every national and shared currency,
# without the fund, precious-metal and testing codes (BOV, CHE, XAU, XDR, XXX, ...) no grant is paid in.
CURRENCY_SOURCE = "ISO 4217 list one, amendment 180 (2025-09), in force in 2026"
_CURRENT_CODES = """
    AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF
    CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ
    GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP
    LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR
    PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC
    SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF
    XPF YER ZAR ZMW ZWG
"""
CURRENCIES: frozenset[str] = frozenset(_CURRENT_CODES.split())
# Historic codes (ISO 4217 list three) a dataset reaching back to 1991 may need: code -> (the day it
# was withdrawn, its successor). An amount in one is accepted only when its date ends before that day.
HISTORIC_CURRENCIES: dict[str, tuple[date, str]] = {
    "RUR": (date(1998, 1, 1), "RUB"),  # Russian rouble before the 1998 redenomination
    "TRL": (date(2005, 1, 1), "TRY"),  # Turkish lira before the 2005 redenomination
    "AZM": (date(2006, 1, 1), "AZN"),  # Azerbaijani manat before the 2006 redenomination
    "HRK": (date(2023, 1, 1), "EUR"),  # Croatian kuna
    "ZWL": (date(2024, 9, 1), "ZWG"),  # Zimbabwe dollar (withdrawn 2024-09)
    "ANG": (date(2025, 3, 31), "XCG"),  # Netherlands Antillean guilder; the Caribbean guilder from 2025-03-31
    "BGN": (date(2026, 1, 1), "EUR"),  # Bulgarian lev (amendment 180)
}


def currency_problem(code: str, when: FuzzyDate | None) -> str | None:
    """Why a currency code cannot be used for an amount dated `when`, or None when it can."""
    if code in CURRENCIES:
        return None
    historic = HISTORIC_CURRENCIES.get(code)
    if historic is None:
        return f"'{code}' is not a known ISO 4217 code (three capital letters, such as USD, EUR, PKR or AZN)"
    withdrawn, successor = historic
    if when is None or when.end is None or when.last >= withdrawn:
        dated = f"dated '{when.text}'" if when is not None else "without a date"
        return f"'{code}' was withdrawn on {withdrawn} (replaced by {successor}); an amount {dated} cannot use it"
    return None


def known_currency(code: str) -> bool:
    """True for any current or historic code in the tables (whatever the date)."""
    return code in CURRENCIES or code in HISTORIC_CURRENCIES


# ISO 3166-1 alpha-2 codes of every country and territory (249, as in the standard since 2014).
_COUNTRY_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT
    BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH
    ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT
    HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS
    LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI
    NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG
    SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG
    UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
"""
COUNTRIES: frozenset[str] = frozenset(_COUNTRY_CODES.split())


_set = object.__setattr__


class _DataclassFields:
    """`Value.__dataclass_fields__`: each class's description, made on first use (see `Value`)."""

    def __init__(self) -> None:
        """No class described yet."""
        self.made: dict[type, dict[str, Field[Any]]] = {}

    def __get__(self, instance: object, owner: type[Value]) -> dict[str, Field[Any]]:
        """The fields of the class (of the instance, or the class itself)."""
        found = self.made.get(owner)
        if found is None:
            found = self.made[owner] = _dataclass_fields(owner)
        return found


def _init_parameters(cls: type[Value]) -> dict[str, inspect.Parameter]:
    """The keyword parameters `cls(...)` takes: its `__init__`'s, and those of the base `__init__` its `**` feeds."""
    import inspect

    found: dict[str, inspect.Parameter] = {}
    for klass in cls.__mro__:
        init = vars(klass).get("__init__")
        if init is None:
            continue
        parameters = inspect.signature(init).parameters.values()
        for parameter in parameters:
            if parameter.kind not in (parameter.VAR_KEYWORD, parameter.VAR_POSITIONAL):
                found.setdefault(parameter.name, parameter)
        if all(parameter.kind is not parameter.VAR_KEYWORD for parameter in parameters):
            break
    return found


def _dataclass_fields(cls: type[Value]) -> dict[str, Field[Any]]:
    """The `dataclasses` description of a value class's fields, from its slots, annotations and `__init__`.

    What `@dataclass` would have recorded, so that `dataclasses.fields`, `replace`, `asdict` and
    `is_dataclass` work on values as they did when these were dataclasses.
    """
    import dataclasses

    parameters = _init_parameters(cls)
    annotations: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        annotations.update(vars(klass).get("__annotations__", {}))
    spec: list[tuple[str, Any, Field[Any]]] = []
    for name in cls._fields:
        parameter = parameters.get(name)
        shown = not name.startswith("_")
        if parameter is None:
            made = dataclasses.field(init=False, repr=shown, compare=shown)
        else:
            keyword = parameter.kind is parameter.KEYWORD_ONLY
            if parameter.default is parameter.empty:
                made = dataclasses.field(kw_only=keyword)
            else:
                made = dataclasses.field(default=parameter.default, kw_only=keyword)
        spec.append((name, annotations.get(name, "Any"), made))
    twin = dataclasses.make_dataclass(cls.__name__, spec, init=False, repr=False, eq=False)
    return {made.name: made for made in dataclasses.fields(twin)}


@dataclass_transform(frozen_default=True)
class Value:
    """Base of the model's immutable value classes: what `@dataclass(frozen=True, slots=True)` would add.

    Written out once by hand because creating dataclasses (and importing `dataclasses`, which imports
    `inspect`) costs a query about 20 ms of start-up. The fields are the annotated attributes of the
    class and its bases, in order (each has a slot); each class writes its `__init__`. Instances
    compare equal when of the same class with equal fields, hash by their fields, print as
    `Name(field=value, ...)` and refuse assignment (an AttributeError, as a frozen dataclass's error
    is). Fields whose name starts with `_` are private caches: not compared, hashed or shown. The
    `dataclasses` functions (`fields`, `replace`, `asdict`, `is_dataclass`) still work on them: the
    first use describes the class's fields (importing `dataclasses` then, not at start-up).
    """

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _compared: ClassVar[tuple[str, ...]] = ()
    if TYPE_CHECKING:
        __dataclass_fields__: ClassVar[dict[str, Field[Any]]]
    else:
        __dataclass_fields__ = _DataclassFields()  # made on first use

    def __init_subclass__(cls) -> None:
        """Collect the fields of the class, in order: its bases' annotated fields, then its own."""
        names: list[str] = []
        slots: set[str] = set()
        for klass in reversed(cls.__mro__):
            if klass is not Value and issubclass(klass, Value):
                names.extend(vars(klass).get("__annotations__", ()))
                slots.update(vars(klass).get("__slots__", ()))
        if set(names) != slots:
            raise TypeError(f"{cls.__name__}: the slots must be the annotated fields")
        cls._fields = tuple(names)
        cls._compared = tuple(n for n in names if not n.startswith("_"))

    def _values(self) -> tuple[object, ...]:
        """The compared fields' values, in order."""
        return tuple([getattr(self, name) for name in self._compared])

    def __eq__(self, other: object) -> bool:
        """Equal when of the same class with equal fields."""
        if other.__class__ is self.__class__:
            return self._values() == other._values()
        return NotImplemented

    def __hash__(self) -> int:
        """The hash of the fields."""
        return hash(self._values())

    def __repr__(self) -> str:
        """`Name(field=value, ...)`."""
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._compared)
        return f"{type(self).__qualname__}({shown})"

    def __setattr__(self, name: str, value: object) -> None:
        """Refuse: values are immutable."""
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        """Refuse: values are immutable."""
        raise AttributeError(f"cannot delete field {name!r}")

    def __getstate__(self) -> tuple[object, ...]:
        """The fields, for pickle and copy."""
        return tuple(getattr(self, name) for name in self._fields)

    def __setstate__(self, state: tuple[object, ...]) -> None:
        """Restore the fields from __getstate__."""
        for name, value in zip(self._fields, state, strict=True):
            _set(self, name, value)


class Data:
    """Base of the mutable data holders (listings, parsed arguments): what a plain `@dataclass` would add.

    Equal when of the same class with equal fields (the class's `_fields`), shown as
    `Name(field=value, ...)`, and unhashable.
    """

    _fields: ClassVar[tuple[str, ...]] = ()
    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        """Equal when of the same class with equal fields."""
        if other.__class__ is self.__class__:
            return all(getattr(self, name) == getattr(other, name) for name in self._fields)
        return NotImplemented

    def __repr__(self) -> str:
        """`Name(field=value, ...)`."""
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__qualname__}({shown})"


def field_names(cls: type[Value]) -> tuple[str, ...]:
    """The fields of a value class, in order (as `dataclasses.fields` would name them)."""
    return cls._compared


def _month_days(year: int, month: int) -> int:
    """The number of days in a month of the proleptic Gregorian calendar (what `calendar.monthrange` gives)."""
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


_POINT_WIDTHS = [4, 2, 2]  # the digits of a year, a month and a day, between dashes
OPEN = ".."


class DatePoint(Value):
    """One end of a fuzzy date: a year, a month or a day."""

    __slots__ = ("first", "last", "text")
    text: str
    first: date
    last: date

    def __init__(self, text: str, first: date, last: date) -> None:
        """A point and the first and last day it covers."""
        _set(self, "text", text)
        _set(self, "first", first)
        _set(self, "last", last)


def parse_point(text: str) -> DatePoint:
    """Parse `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (ASCII digits, nothing around them) into the days it covers."""
    parts = text.split("-")
    if [len(p) for p in parts] != _POINT_WIDTHS[: len(parts)] or not (text.isascii() and "".join(parts).isdigit()):
        raise ValueError(f"'{text}' is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
    year = int(parts[0])
    if year < 1:
        raise ValueError(f"'{text}' has no year 0")
    if len(parts) == 1:
        return DatePoint(text, date(year, 1, 1), date(year, 12, 31))
    month = int(parts[1])
    if not 1 <= month <= 12:
        raise ValueError(f"'{text}' has no month {month}")
    last_day = _month_days(year, month)
    if len(parts) == 2:
        return DatePoint(text, date(year, month, 1), date(year, month, last_day))
    day = int(parts[2])
    if not 1 <= day <= last_day:
        raise ValueError(f"'{text}' is not a real calendar day")
    exact = date(year, month, day)
    return DatePoint(text, exact, exact)


class FuzzyDate(Value):
    """An EDTF level-0 date or interval, kept as written; `None` ends are open (`..`)."""

    __slots__ = ("end", "start", "text")
    text: str
    start: DatePoint | None
    end: DatePoint | None

    def __init__(self, text: str, start: DatePoint | None, end: DatePoint | None) -> None:
        """A date as written and its two ends."""
        _set(self, "text", text)
        _set(self, "start", start)
        _set(self, "end", end)

    @property
    def first(self) -> date:
        """The earliest day the date may mean (`date.min` when open)."""
        return self.start.first if self.start else date.min

    @property
    def last(self) -> date:
        """The latest day the date may mean (`date.max` when open)."""
        return self.end.last if self.end else date.max

    def overlaps_years(self, first_year: int | None, last_year: int | None) -> bool:
        """True when the interval, read literally (an open end never ends), shares a day with the years."""
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


def effective_span(
    start: DatePoint | None, end: DatePoint | None, reported_until: date | None, *, today: date | None = None
) -> tuple[date, date] | None:
    """The first and last day a dated thing holds, an open end closed by the "last reported" rule.

    An open end (no `end`) ends on `reported_until`, the publication date of the latest dated source
    citing it, or today when none is dated; an open start begins at `date.min`. Without either end
    the thing holds on the day it was last reported (None when no cited source is dated).
    """
    if start is None and end is None:
        return None if reported_until is None else (reported_until, reported_until)
    first = start.first if start else date.min
    if end is not None:
        return first, end.last
    last = reported_until if reported_until is not None else (today or date.today())
    return first, max(first, last)


def years_match(span: tuple[date, date] | None, first_year: int | None, last_year: int | None) -> bool:
    """True when a span shares at least one day with the inclusive years (an undated span never does)."""
    if span is None:
        return False
    if first_year is not None and span[1].year < first_year:
        return False
    return not (last_year is not None and span[0].year > last_year)


class Citation(Value):
    """A source that states something, and the paragraph that does for the two article files (pages need none)."""

    __slots__ = ("paragraph", "source")
    source: str
    paragraph: int | None

    def __init__(self, source: str, paragraph: int | None = None) -> None:
        """A source id and, for an article, the paragraph."""
        _set(self, "source", source)
        _set(self, "paragraph", paragraph)


class Source(Value):
    """An article (`file`, cited by paragraph) or a public web page (`url`) the dataset is built from."""

    __slots__ = ("authors", "file", "id", "kind", "language", "notes", "published", "publisher", "title", "url")
    id: str
    title: str
    authors: tuple[str, ...]
    published: str | None
    file: str | None
    publisher: str | None
    url: str | None
    language: str | None
    kind: str | None
    notes: str | None

    def __init__(
        self,
        id: str,
        title: str,
        authors: tuple[str, ...] = (),
        published: str | None = None,
        file: str | None = None,
        publisher: str | None = None,
        url: str | None = None,
        language: str | None = None,
        kind: str | None = None,
        notes: str | None = None,
    ) -> None:
        """A source with its fields."""
        _set(self, "id", id)
        _set(self, "title", title)
        _set(self, "authors", authors)
        _set(self, "published", published)
        _set(self, "file", file)
        _set(self, "publisher", publisher)
        _set(self, "url", url)
        _set(self, "language", language)
        _set(self, "kind", kind)
        _set(self, "notes", notes)

    @property
    def published_until(self) -> date | None:
        """The last day the publication date may mean (`2024-07` -> 2024-07-31), or None when undated."""
        return parse_point(self.published).last if self.published else None

    @property
    def authority(self) -> int:
        """Rank of the source's kind, 0 for official down to 4 for analysis; 5 when the kind is not given."""
        return SOURCE_KINDS.index(self.kind) if self.kind in SOURCE_KINDS else len(SOURCE_KINDS)


class Place(Value):
    """Where something happened: a city (when the sources name one) and its ISO 3166-1 alpha-2 country."""

    __slots__ = ("city", "country")
    country: str
    city: str | None

    def __init__(self, country: str, city: str | None = None) -> None:
        """A country code and maybe a city."""
        _set(self, "country", country)
        _set(self, "city", city)

    def __str__(self) -> str:
        """`Baku, AZ`, or just `AZ`."""
        return f"{self.city}, {self.country}" if self.city else self.country


class Reading(Value):
    """One value that some sources give for a disputed field (as written: a date, number, id or phrase)."""

    __slots__ = ("sources", "value")
    value: str
    sources: tuple[Citation, ...]

    def __init__(self, value: str, sources: tuple[Citation, ...]) -> None:
        """A value and the sources that give it."""
        _set(self, "value", value)
        _set(self, "sources", sources)


class Dispute(Value):
    """Sources disagreeing on one field of a record: each reading with its sources, and why the record's value."""

    __slots__ = ("field", "note", "readings")
    field: str
    readings: tuple[Reading, ...]
    note: str | None

    def __init__(self, field: str, readings: tuple[Reading, ...], note: str | None = None) -> None:
        """A disputed field, its readings and a note."""
        _set(self, "field", field)
        _set(self, "readings", readings)
        _set(self, "note", note)


class Role(Value):
    """A title an actor held (`of` another actor), only as the sources state it, dated like a record."""

    __slots__ = ("end", "of", "of_name", "reported_until", "sources", "start", "title")
    title: str
    of: str
    start: DatePoint | None
    end: DatePoint | None
    sources: tuple[Citation, ...]
    of_name: str
    reported_until: date | None

    def __init__(
        self,
        *,
        title: str,
        of: str,
        start: DatePoint | None = None,
        end: DatePoint | None = None,
        sources: tuple[Citation, ...] = (),
        of_name: str = "",
        reported_until: date | None = None,
    ) -> None:
        """A role with its fields (keywords only)."""
        _set(self, "title", title)
        _set(self, "of", of)
        _set(self, "start", start)
        _set(self, "end", end)
        _set(self, "sources", sources)
        _set(self, "of_name", of_name)
        _set(self, "reported_until", reported_until)

    def span(self, today: date | None = None) -> tuple[date, date] | None:
        """The first and last day the role is known to hold (see `effective_span`)."""
        return effective_span(self.start, self.end, self.reported_until, today=today)


class Actor(Value):
    """A person, state or organisation that records refer to by id, with every spelling the sources use."""

    __slots__ = ("aliases", "country", "id", "kind", "name", "roles")
    id: str
    name: str
    kind: str
    country: str | None
    aliases: tuple[str, ...]
    roles: tuple[Role, ...]

    def __init__(
        self,
        *,
        id: str,
        name: str,
        kind: str,
        country: str | None = None,
        aliases: tuple[str, ...] = (),
        roles: tuple[Role, ...] = (),
    ) -> None:
        """An actor with its fields (keywords only)."""
        _set(self, "id", id)
        _set(self, "name", name)
        _set(self, "kind", kind)
        _set(self, "country", country)
        _set(self, "aliases", aliases)
        _set(self, "roles", roles)

    def with_roles(self, roles: tuple[Role, ...]) -> Actor:
        """The same actor with these roles."""
        return Actor(
            id=self.id, name=self.name, kind=self.kind, country=self.country, aliases=self.aliases, roles=roles
        )

    def spellings(self) -> tuple[str, ...]:
        """The id, the name and every alias: what an actor filter matches."""
        return (self.id, self.name, *self.aliases)


class RecordBase(Value):
    """Fields every record has, whatever its kind (each kind's `__init__` sets them, keywords only)."""

    # reported_until: publication day of the latest dated source the record cites (set by the builder),
    # where an open end stops.
    __slots__ = (
        "aliases",
        "category",
        "date",
        "disputes",
        "id",
        "notes",
        "reported_until",
        "sources",
        "summary",
        "title",
    )
    id: str
    date: FuzzyDate | None
    category: str
    title: str
    summary: str
    sources: tuple[Citation, ...]
    notes: str | None
    aliases: tuple[str, ...]
    disputes: tuple[Dispute, ...]
    reported_until: _Day | None

    def __init__(
        self,
        *,
        id: str,
        date: FuzzyDate | None,
        category: str,
        title: str,
        summary: str,
        sources: tuple[Citation, ...],
        notes: str | None = None,
        aliases: tuple[str, ...] = (),
        disputes: tuple[Dispute, ...] = (),
        reported_until: _Day | None = None,
    ) -> None:
        """A record's common fields (keywords only)."""
        _set(self, "id", id)
        _set(self, "date", date)
        _set(self, "category", category)
        _set(self, "title", title)
        _set(self, "summary", summary)
        _set(self, "sources", sources)
        _set(self, "notes", notes)
        _set(self, "aliases", aliases)
        _set(self, "disputes", disputes)
        _set(self, "reported_until", reported_until)

    @property
    def date_text(self) -> str | None:
        """The date as written in the dataset, or None."""
        return self.date.text if self.date else None

    def span(self, today: _Day | None = None) -> tuple[_Day, _Day] | None:
        """The first and last day the record holds; None when undated; an open end stops when last reported."""
        if self.date is None:
            return None
        return effective_span(self.date.start, self.date.end, self.reported_until, today=today)


class Event(RecordBase):
    """Something that happened between the two countries: a visit, a resolution, an award."""

    __slots__ = ("actor_names", "actors", "kind", "place")
    actors: tuple[str, ...]
    actor_names: tuple[str, ...]
    place: Place | None
    kind: str

    def __init__(
        self,
        *,
        actors: tuple[str, ...] = (),
        actor_names: tuple[str, ...] = (),
        place: Place | None = None,
        **common: Unpack[CommonFields],
    ) -> None:
        """An event with its fields (keywords only); its kind is `event`."""
        RecordBase.__init__(self, **common)
        _set(self, "actors", actors)
        _set(self, "actor_names", actor_names)
        _set(self, "place", place)
        _set(self, "kind", "event")

    def actor_ids(self) -> tuple[str, ...]:
        """The ids of the actors the record refers to."""
        return self.actors

    def names(self) -> tuple[str, ...]:
        """Display names of the people, countries and bodies the record names (ids where unresolved)."""
        return self.actor_names or self.actors


class Aid(RecordBase):
    """A grant or gift from one party to the other."""

    __slots__ = (
        "amount",
        "currency",
        "donor",
        "donor_name",
        "kind",
        "purpose",
        "recipient",
        "recipient_name",
        "status",
    )
    donor: str
    recipient: str
    purpose: str
    amount: int | None
    currency: str | None
    donor_name: str
    recipient_name: str
    status: str | None
    kind: str

    def __init__(
        self,
        *,
        donor: str,
        recipient: str,
        purpose: str,
        amount: int | None = None,
        currency: str | None = None,
        donor_name: str = "",
        recipient_name: str = "",
        status: str | None = None,
        **common: Unpack[CommonFields],
    ) -> None:
        """An aid record with its fields (keywords only); its kind is `aid`."""
        RecordBase.__init__(self, **common)
        _set(self, "donor", donor)
        _set(self, "recipient", recipient)
        _set(self, "purpose", purpose)
        _set(self, "amount", amount)
        _set(self, "currency", currency)
        _set(self, "donor_name", donor_name)
        _set(self, "recipient_name", recipient_name)
        _set(self, "status", status)
        _set(self, "kind", "aid")

    def actor_ids(self) -> tuple[str, ...]:
        """The ids of the donor and the recipient."""
        return (self.donor, self.recipient)

    def names(self) -> tuple[str, ...]:
        """Display names of the donor and the recipient (ids where unresolved)."""
        return (self.donor_name or self.donor, self.recipient_name or self.recipient)


class Agreement(RecordBase):
    """A declaration, memorandum, programme, commission or count of agreements."""

    __slots__ = ("count", "count_qualifier", "kind", "parties", "party_names", "status", "type")
    type: str
    parties: tuple[str, ...]
    party_names: tuple[str, ...]
    status: str | None
    count: int | None
    count_qualifier: str | None
    kind: str

    def __init__(
        self,
        *,
        type: str,
        parties: tuple[str, ...] = (),
        party_names: tuple[str, ...] = (),
        status: str | None = None,
        count: int | None = None,
        count_qualifier: str | None = None,
        **common: Unpack[CommonFields],
    ) -> None:
        """An agreement with its fields (keywords only); its kind is `agreement`."""
        RecordBase.__init__(self, **common)
        _set(self, "type", type)
        _set(self, "parties", parties)
        _set(self, "party_names", party_names)
        _set(self, "status", status)
        _set(self, "count", count)
        _set(self, "count_qualifier", count_qualifier)
        _set(self, "kind", "agreement")

    def actor_ids(self) -> tuple[str, ...]:
        """The ids of the parties."""
        return self.parties

    def names(self) -> tuple[str, ...]:
        """Display names of the parties (ids where unresolved)."""
        return self.party_names or self.parties


Record = Event | Aid | Agreement


class Dataset(Value):
    """A validated dataset: its sources, actors and records, and the file they came from."""

    __slots__ = ("_actor_index", "actors", "agreements", "aid", "events", "meta", "path", "sources")
    path: str
    sources: tuple[Source, ...]
    events: tuple[Event, ...]
    aid: tuple[Aid, ...]
    agreements: tuple[Agreement, ...]
    meta: tuple[tuple[str, str], ...]
    actors: tuple[Actor, ...]
    _actor_index: dict[str, Actor]  # filled on first use; not compared or shown

    def __init__(
        self,
        path: str,
        sources: tuple[Source, ...],
        events: tuple[Event, ...],
        aid: tuple[Aid, ...],
        agreements: tuple[Agreement, ...],
        meta: tuple[tuple[str, str], ...] = (),
        actors: tuple[Actor, ...] = (),
    ) -> None:
        """A dataset with its tables."""
        _set(self, "path", path)
        _set(self, "sources", sources)
        _set(self, "events", events)
        _set(self, "aid", aid)
        _set(self, "agreements", agreements)
        _set(self, "meta", meta)
        _set(self, "actors", actors)
        _set(self, "_actor_index", {})

    def records(self) -> list[Record]:
        """Every record, events first, then aid, then agreements, in file order."""
        return [*self.events, *self.aid, *self.agreements]

    def source(self, source_id: str) -> Source | None:
        """The source with this id, if any."""
        return next((s for s in self.sources if s.id == source_id), None)

    def actor(self, actor_id: str) -> Actor | None:
        """The actor with this id, if any."""
        if len(self._actor_index) != len(self.actors):
            self._actor_index.update((a.id, a) for a in self.actors)
        return self._actor_index.get(actor_id)
