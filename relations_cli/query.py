"""Filtering, sorting and limiting records; folding text for case- and accent-blind matching."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from functools import cache, lru_cache

from relations_cli.model import (
    AGREEMENT_STATUSES,
    AGREEMENT_TYPES,
    Actor,
    Agreement,
    Aid,
    Event,
    Record,
    Value,
    years_match,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_set = object.__setattr__  # how a frozen value's __init__ sets its fields

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


class Query(Value):
    """What a user asked for: each set filter must hold (AND); repeated values of one filter are OR."""

    __slots__ = (
        "actor",
        "categories",
        "country",
        "date_from",
        "date_to",
        "disputed",
        "donor",
        "donor_country",
        "kinds",
        "limit",
        "place",
        "recipient",
        "recipient_country",
        "sort",
        "source",
        "statuses",
        "text",
        "types",
        "years",
    )
    kinds: tuple[str, ...]
    years: tuple[int, ...]
    date_from: date | None
    date_to: date | None
    categories: tuple[str, ...]
    types: tuple[str, ...]
    actor: str | None
    donor: str | None
    recipient: str | None
    text: str | None
    source: str | None
    country: str | None
    donor_country: str | None
    recipient_country: str | None
    place: str | None
    disputed: bool
    statuses: tuple[str, ...]
    sort: str
    limit: int | None

    def __init__(
        self,
        kinds: tuple[str, ...] = ("event", "aid", "agreement"),
        years: tuple[int, ...] = (),
        date_from: date | None = None,
        date_to: date | None = None,
        categories: tuple[str, ...] = (),
        types: tuple[str, ...] = (),
        actor: str | None = None,
        donor: str | None = None,
        recipient: str | None = None,
        text: str | None = None,
        source: str | None = None,
        country: str | None = None,
        donor_country: str | None = None,
        recipient_country: str | None = None,
        place: str | None = None,
        disputed: bool = False,
        statuses: tuple[str, ...] = (),
        sort: str = "date",
        limit: int | None = None,
    ) -> None:
        """A query: every filter unset unless given."""
        _set(self, "kinds", kinds)
        _set(self, "years", years)
        _set(self, "date_from", date_from)
        _set(self, "date_to", date_to)
        _set(self, "categories", categories)
        _set(self, "types", types)
        _set(self, "actor", actor)
        _set(self, "donor", donor)
        _set(self, "recipient", recipient)
        _set(self, "text", text)
        _set(self, "source", source)
        _set(self, "country", country)
        _set(self, "donor_country", donor_country)
        _set(self, "recipient_country", recipient_country)
        _set(self, "place", place)
        _set(self, "disputed", disputed)
        _set(self, "statuses", statuses)
        _set(self, "sort", sort)
        _set(self, "limit", limit)

    def replace(self, **changes: Any) -> Query:
        """The same query with some fields changed (as `dataclasses.replace` would make it)."""
        values = {name: getattr(self, name) for name in self._fields}
        values.update(changes)
        return Query(**values)

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
        for value in self.statuses:
            if value not in AGREEMENT_STATUSES:
                raise QueryError(unknown_value("agreement status", value, AGREEMENT_STATUSES))
        if self.limit is not None and self.limit < 0:
            raise QueryError(f"--limit must be 0 or more, not {self.limit}")
        if self.text is not None and self.text.strip() and not parse_search(self.text):
            raise QueryError(f"nothing to search for in '{self.text}': give a word of letters or digits")
        if self.sort.lstrip("-") not in SORT_FIELDS:
            raise QueryError(unknown_value("sort field", self.sort.lstrip("-"), SORT_FIELDS))

    def describe(self) -> list[str]:
        """The filters in force, as short phrases for a table caption."""
        parts = []
        if self.years:
            parts.append("year " + " or ".join(year_runs(self.years)))
        if self.date_from is not None or self.date_to is not None:
            low = bound_text(self.date_from) if self.date_from else "…"
            high = bound_text(self.date_to, last=True) if self.date_to else "…"
            parts.append(f"years {low}–{high}")
        if self.categories:
            parts.append("category " + " or ".join(self.categories))
        if self.types:
            parts.append("type " + " or ".join(self.types))
        if self.statuses:
            parts.append("status " + " or ".join(self.statuses))
        for label, value in (
            ("actor", self.actor),
            ("donor", self.donor),
            ("recipient", self.recipient),
            ("country", self.country),
            ("donor country", self.donor_country),
            ("recipient country", self.recipient_country),
            ("place", self.place),
            ("text", self.text),
            ("source", self.source),
        ):
            if value:
                parts.append(f"{label} '{value}'")
        if self.disputed:
            parts.append("disputed")
        return parts

    @property
    def dated(self) -> bool:
        """True when a year or date filter is set (so undated records cannot match)."""
        return bool(self.years) or self.date_from is not None or self.date_to is not None

    @property
    def first_day(self) -> date | None:
        """The earliest day a matching record may reach, when every date filter bounds it from below."""
        lows = [date(min(self.years), 1, 1)] if self.years else []
        if self.date_from is not None:
            lows.append(self.date_from)
        return max(lows) if lows else None


def year_runs(years: Sequence[int]) -> list[str]:
    """Years as runs: (2015, 2016, 2017, 2020) -> ['2015–2017', '2020']; two in a row stay apart."""
    runs: list[list[int]] = []
    for year in sorted(set(years)):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return [f"{run[0]}–{run[-1]}" if len(run) > 2 else " or ".join(map(str, run)) for run in runs]


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
    if len(choices) > 40:  # a long list (sources, ids) helps nobody on one line: point to where it is
        where = "; `relations sources` lists them" if what == "source" else ""
        return f"unknown {what} '{value}'{hint} ({len(choices)} known{where})"
    return f"unknown {what} '{value}'{hint} (valid: {', '.join(choices)})"


def record_names(record: Record) -> tuple[str, ...]:
    """Countries, people and bodies a record names: actors, parties, donor and recipient."""
    return record.names()


# ---------------------------------------------------------------------------
# Search: words, OR, -exclusions, prefix*, whole words, British and American spellings alike
# ---------------------------------------------------------------------------

_W = r"[^\W_]"  # a letter or a digit: words are runs of them (`khojaly-genocide` is two words)
_WORD = re.compile(rf"{_W}+")
_APOSTROPHES = ("'", "\u2019")
_ESSES = frozenset("sS\u017f")  # what `s` matches, case-blind (\u017f is the long s)
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_RE_STEMS = "cent|theat|met|lit|fib|calib|somb|spect|lust|meag|sab|scept|mit"
_OUR_STEMS = (
    "dishon|hon|lab|col|fav|behavi|neighb|harb|hum|rum|vig|val|endeav|sav|savi|flav|arm|parl"
    "|splend|od|tum|clam|ranc|cand|ard|ferv|vap|glam"
)
_CE_STEMS = "defen|offen|licen|preten"
_LL_STEMS = (
    "travel|cancel|label|model|fuel|signal|channel|counsel|level|marshal|total|dial|equal|jewel|tunnel"
    "|quarrel|rival|marvel|pencil|duel|panel"
)
_IZE_ENDINGS = "e|es|ed|ing|er|ers|ation|ations|ational|able|ably|ability"
# The spelling patterns below are compiled on first use (`_compiled`): a query that searches no
# words never needs them, and compiling them costs about 3 ms of start-up.
# Word endings spelled differently on either side of the Atlantic; each maps to the American
# spelling. Applied to the words of a record and of a query alike, so either spelling finds both.
_SPELLING_RULES: tuple[tuple[str, str], ...] = (
    # recognise/recognize, organisation/organization, analyse/analyze and the rest of the family
    (rf"(?<=\w\w)is({_IZE_ENDINGS})$", r"iz\1"),
    (rf"(?<=\w\w)ys({_IZE_ENDINGS})$", r"yz\1"),
    # honour/honor, labour/labor, colour/color and their derivatives (honourable, labourer)
    (rf"^({_OUR_STEMS})our", r"\1or"),
    # defence/defense, offence/offense, licence/license, pretence/pretense
    (rf"^({_CE_STEMS})ce", r"\1se"),
    # centre/center, theatre/theater, metre/meter, fibre/fiber...
    (rf"^({_RE_STEMS})re(s?)$", r"\1er\2"),
    (rf"^({_RE_STEMS})r(ed|ing)$", r"\1er\2"),
    # programme/program, kilogramme/kilogram (but programmed and programming are the same in both)
    (r"gramme(s?)$", r"gram\1"),
    # catalogue/catalog, dialogue/dialog, analogue/analog
    (r"^(catal|dial|anal)ogue(s?)$", r"\1og\2"),
    # travelled/traveled, cancelling/canceling, counsellor/counselor, modelled/modeled...
    (rf"^({_LL_STEMS})l(ed|ing|er|ers|or|ors)$", r"\1\2"),
)
_WHOLE_WORDS: dict[str, str] = {
    "judgement": "judgment",
    "judgements": "judgments",
    "acknowledgement": "acknowledgment",
    "acknowledgements": "acknowledgments",
    "ageing": "aging",
    "enrolment": "enrollment",
    "enrolments": "enrollments",
    "enrol": "enroll",
    "fulfil": "fulfill",
    "instalment": "installment",
    "instalments": "installments",
    "jewellery": "jewelry",
    "manoeuvre": "maneuver",
    "manoeuvres": "maneuvers",
    "aluminium": "aluminum",
    "grey": "gray",
}
# The words of a folded text that one of the rules above may change, found in one pass.
_MAY_DIFFER_PATTERN = (
    rf"(?<!{_W})(?:"
    rf"{_W}{{2,}}?[iy]s(?:{_IZE_ENDINGS})"
    rf"|(?:{_OUR_STEMS})our{_W}*"
    rf"|(?:{_CE_STEMS})ce{_W}*"
    rf"|(?:{_RE_STEMS})r(?:e|es|ed|ing)"
    rf"|{_W}*grammes?"
    rf"|(?:catal|dial|anal)ogues?"
    rf"|(?:{_LL_STEMS})l(?:ed|ing|er|ers|or|ors)"
    rf"|{'|'.join(_WHOLE_WORDS)}"
    rf")(?!{_W})"
)
_NORMAL: dict[str, str] = {}


@cache
def _compiled(rules: tuple[tuple[str, str], ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
    """A table of (pattern, replacement) rules with each pattern compiled, once."""
    return tuple((re.compile(pattern), replacement) for pattern, replacement in rules)


@cache
def _may_differ() -> re.Pattern[str]:
    """The pattern of words a spelling rule may change, compiled once."""
    return re.compile(_MAY_DIFFER_PATTERN)


# Strings every word that _MAY_DIFFER_PATTERN matches holds (a whole word of _WHOLE_WORDS aside), and
# every word an _UNDO_RULES pattern changes: most words hold none, and need no pattern compiled.
_MAY_DIFFER_HINTS = ("is", "ys", "our", "ce", "re", "ring", "gramme", "ogue", "led", "ling", "ler", "lor")
_UNDO_HINTS = ("iz", "yz", "or", "se", "er", "gram", "og")
_LL_PREFIXES = tuple(_LL_STEMS.split("|"))


def may_differ(word: str) -> bool:
    """False when no spelling rule can change `word` (a quick test before the patterns; see normalise_word)."""
    return any(hint in word for hint in _MAY_DIFFER_HINTS)


def may_undo(word: str) -> bool:
    """False when no rule of _UNDO_RULES can change `word` (see spellings)."""
    return any(hint in word for hint in _UNDO_HINTS) or word.startswith(_LL_PREFIXES)


def normalise_word(word: str) -> str:
    """One folded word in the spelling search compares: American where the two differ (`defence` -> `defense`)."""
    known = _NORMAL.get(word)
    if known is not None:
        return known
    if not word.isalpha():  # numbers and codes have one spelling
        return word
    normal = _WHOLE_WORDS.get(word, word)
    if normal is word and may_differ(word) and _may_differ().fullmatch(word):
        for pattern, replacement in _compiled(_SPELLING_RULES):
            changed = pattern.sub(replacement, word, count=1)
            if changed != word:
                normal = changed
                break
    if len(_NORMAL) < 100_000:
        _NORMAL[word] = normal
    return normal


def _fold_run(match: re.Match[str]) -> str:
    """A run of non-ASCII characters, folded."""
    return fold(match.group())


def drop_possessives(text: str) -> str:
    """The text without the `'s` of possessives (`Pakistan's` is the word `pakistan`): an apostrophe (' or ’),
    then `s` in either case, at the end of a word.

    Split at the apostrophes rather than scanned by the pattern, which is three times slower on a
    record's text (and searching large files checks thousands of them).
    """
    for mark in _APOSTROPHES:
        if mark in text:
            parts = text.split(mark)
            kept = [parts[0]]
            for part in parts[1:]:
                if part[:1] in _ESSES and (len(part) == 1 or not (part[1].isalnum() or part[1] == "_")):
                    kept.append(part[1:])
                else:
                    kept.append(mark + part)
            text = "".join(kept)
    return text


def fold_text(text: str) -> str:
    """A text folded for search: lower case, no diacritics, no possessive `'s`; separators kept as they are."""
    text = drop_possessives(text)
    if not text.isascii():
        text = _NON_ASCII.sub(_fold_run, text)
    return text.lower()


def _normal_match(match: re.Match[str]) -> str:
    """A word found by _MAY_DIFFER, normalised."""
    return normalise_word(match.group())


def normalise_text(text: str) -> str:
    """A text as search compares it: folded, each word in one spelling (`Defence Programme`: `defense program`)."""
    return _may_differ().sub(_normal_match, fold_text(text))


def words_of(text: str) -> list[str]:
    """The folded words of a text, in order, as written (`Defence` -> `defence`)."""
    return _WORD.findall(fold_text(text))


def tokens_of(text: str) -> list[str]:
    """The words of a text as search compares them: folded, then normalised (`Defence` -> `defense`)."""
    return _WORD.findall(normalise_text(text))


def search_fields(record: Record) -> list[str]:
    """The texts search looks in: id, title, summary, aliases, names, place, category, type, purpose, notes.

    Fields the record does not have (actor names and a place, on older records) are skipped.
    """
    texts = [record.id, record.title, record.summary, record.category, *record.aliases, *record.names()]
    texts.extend(getattr(record, "actor_names", ()) or ())
    place = getattr(record, "place", None)
    if place is not None:
        texts.extend(str(v) for v in (getattr(place, "city", None), getattr(place, "country", None)) if v)
    for name in ("type", "purpose", "notes"):
        value = getattr(record, name, None)
        if isinstance(value, str):
            texts.append(value)
    return texts


# ASCII letters and digits lower-cased, everything else a space: a folded ASCII text's words, spaced.
_SPACED = bytes(c if chr(c).isalnum() else 32 for c in range(128)).lower() + b" " * 128

# A record's searched words, folded but spelled as written, each between spaces: built once per record
# object and kept by its identity, beside the record so that the key stays valid.
_TEXTS: dict[int, tuple[Record, str]] = {}


def spaced_words(text: str) -> str:
    """The folded words of a text, each between spaces (` defence programme `), for `" word " in text`."""
    folded = fold_text(text)
    if folded.isascii():
        return f" {folded.encode('ascii').translate(_SPACED).decode('ascii')} "
    return f" {' '.join(_WORD.findall(folded))} "


def record_text(record: Record) -> str:
    """A record's searched fields as its folded words, each between spaces (see spaced_words)."""
    cached = _TEXTS.get(id(record))
    if cached is not None and cached[0] is record:
        return cached[1]
    text = spaced_words("\n".join(search_fields(record)))
    remember_text(record, text)
    return text


def remember_text(record: Record, text: str) -> None:
    """Keep `text` as the record's searched words (what record_text gives), e.g. as read from a store."""
    if len(_TEXTS) >= 1_000_000:
        _TEXTS.clear()
    _TEXTS[id(record)] = (record, text)


def record_tokens(record: Record) -> frozenset[str]:
    """A record's words as search compares them (folded, normalised), e.g. for a full-text index."""
    return frozenset(normalise_word(w) for w in record_text(record).split())


def haystack(record: Record) -> str:
    """The record's searchable words, normalised, sorted and joined by spaces (the SQLite FTS column)."""
    return " ".join(sorted(record_tokens(record)))


# The British spellings of an American word: each rule of _SPELLING_RULES undone (checked by normalising back).
_UNDO_RULES: tuple[tuple[str, str], ...] = (
    (rf"(?<=\w\w)iz({_IZE_ENDINGS})$", r"is\1"),
    (rf"(?<=\w\w)yz({_IZE_ENDINGS})$", r"ys\1"),
    (rf"^({_OUR_STEMS})or", r"\1our"),
    (rf"^({_CE_STEMS})se", r"\1ce"),
    (rf"^({_RE_STEMS})er(s?)$", r"\1re\2"),
    (rf"^({_RE_STEMS})er(ed|ing)$", r"\1r\2"),
    (r"gram(s?)$", r"gramme\1"),
    (r"^(catal|dial|anal)og(s?)$", r"\1ogue\2"),
    (rf"^({_LL_STEMS})(ed|ing|er|ers|or|ors)$", r"\1l\2"),
)
_UNDO_WHOLE: dict[str, str] = {american: british for british, american in _WHOLE_WORDS.items()}


@lru_cache(maxsize=1024)
def spellings(token: str) -> tuple[str, ...]:
    """Every spelling of a word that search takes for the same word: `defense` -> (`defence`, `defense`)."""
    normal = normalise_word(token)
    found = {token, normal, _UNDO_WHOLE.get(normal, normal)}
    if may_undo(normal):
        found.update(pattern.sub(replacement, normal) for pattern, replacement in _compiled(_UNDO_RULES))
    return tuple(sorted(w for w in found if normalise_word(w) == normal))


@lru_cache(maxsize=256)
def prefix_spellings(prefix: str) -> tuple[str, ...]:
    """A folded prefix in each spelling, so that `recognis*` and `honor*` find both spellings too."""
    found = {prefix, normalise_word(prefix)}
    for pattern, replacement in _compiled(_PREFIX_RULES):
        found.add(pattern.sub(replacement, prefix))
    return tuple(sorted(found))


_PREFIX_RULES: tuple[tuple[str, str], ...] = (
    (r"(?<=\w\w)is$", "iz"),
    (r"(?<=\w\w)iz$", "is"),
    (r"(?<=\w\w)ys$", "yz"),
    (r"(?<=\w\w)yz$", "ys"),
    (rf"^({_OUR_STEMS})our", r"\1or"),
    (rf"^({_OUR_STEMS})or", r"\1our"),
    (rf"^({_CE_STEMS})c", r"\1s"),
    (rf"^({_CE_STEMS})s", r"\1c"),
)


class Term(Value):
    """One search word: its normalised tokens (all must occur), whether the last is a prefix, whether excluded."""

    __slots__ = ("negated", "prefix", "tokens")
    tokens: tuple[str, ...]
    prefix: bool
    negated: bool

    def __init__(self, tokens: tuple[str, ...], prefix: bool = False, negated: bool = False) -> None:
        """A term: its tokens and how they match."""
        _set(self, "tokens", tokens)
        _set(self, "prefix", prefix)
        _set(self, "negated", negated)

    def matches(self, text: str) -> bool:
        """True when a record's spaced words (see record_text) hold every token, in any spelling.

        The last token of a `word*` term need only start a word.
        """
        *whole, last = self.tokens
        for token in whole:
            if not any(f" {w} " in text for w in spellings(token)):
                return False
        if self.prefix:
            return any(f" {p}" in text for p in prefix_spellings(last))
        return any(f" {w} " in text for w in spellings(last))


OR_WORDS = frozenset({"OR", "|"})
_NEGATION = ("-", "\u2212")  # a hyphen-minus, or the minus sign some keyboards and editors produce


def parse_search(text: str) -> list[list[Term]]:
    """A search as alternatives (split at `OR`), each a list of terms that must all hold.

    `karabakh OR kashmir -india` is `[[karabakh], [kashmir, -india]]`: AND binds tighter than OR,
    as in SQLite FTS5. Words are folded and normalised; `word*` is a prefix; `-word` excludes.
    Alternatives with no words are dropped, so the result is empty when there is nothing to look for.
    """
    groups: list[list[Term]] = [[]]
    for raw in text.split():
        if raw in OR_WORDS:
            groups.append([])
            continue
        negated = raw.startswith(_NEGATION) and len(raw) > 1
        body = raw[1:] if negated else raw
        prefix = body.endswith("*")
        tokens = tuple(tokens_of(body))
        if not tokens:
            continue
        if prefix:
            tokens = (*tokens[:-1], words_of(body)[-1])  # a prefix is matched as typed, in every spelling
        groups[-1].append(Term(tokens, prefix, negated))
    return [group for group in groups if group]


def search_matches(groups: Sequence[Sequence[Term]], record: Record) -> bool:
    """True when the record satisfies any alternative: every plain term occurs, no excluded one does."""
    text = record_text(record)
    return any(all(term.matches(text) != term.negated for term in group) for group in groups)


def _name_matches(needle: str, names: Iterable[str]) -> bool:
    """True when the folded needle occurs in any of the folded names."""
    return any(needle in fold(name) for name in names)


def place_matches(needle: str, codes: Iterable[str], event: Event) -> bool:
    """True when the event's country is among `codes` or its city's name holds the folded needle's words."""
    place = event.place
    if place is None or not needle:
        return False
    if place.country in codes:
        return True
    return place.city is not None and f" {' '.join(words_of(needle))} " in spaced_words(place.city)


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
    actors = tuple(actors)
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
    countries = {a.id: a.country for a in actors}
    if query.country:
        country = query.country.upper()
        tests.append(lambda r: any(countries.get(i) == country for i in r.actor_ids()))
    if query.donor_country:
        donor_country = query.donor_country.upper()
        tests.append(lambda r: isinstance(r, Aid) and countries.get(r.donor) == donor_country)
    if query.recipient_country:
        recipient_country = query.recipient_country.upper()
        tests.append(lambda r: isinstance(r, Aid) and countries.get(r.recipient) == recipient_country)
    if query.place:
        place = fold(query.place.strip())
        # A country by its code, or by the name or an alias of the state actor of that country.
        codes = {place.upper()} | {
            a.country for a in actors if a.kind == "state" and a.country and place in (fold(s) for s in a.spellings())
        }
        tests.append(lambda r: isinstance(r, Event) and place_matches(place, codes, r))
    if query.disputed:
        tests.append(lambda r: bool(r.disputes))
    if query.statuses:
        statuses = set(query.statuses)
        tests.append(lambda r: isinstance(r, Agreement) and r.status in statuses)
    groups = parse_search(query.text) if query.text else []
    if groups:
        tests.append(lambda r: search_matches(groups, r))
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
    matched = list(records)
    for test in predicates(query, actors):  # each test on the records every earlier test let through
        matched = [r for r in matched if test(r)]
    ordered = sort_records(matched, query.sort)
    return ordered if query.limit is None else ordered[: query.limit]


def actor_text(actor: Actor) -> str:
    """An actor's searched words (id, name, aliases, country, role titles and whom they were of), spaced."""
    texts = [*actor.spellings(), actor.country or ""]
    for role in actor.roles:
        texts += [role.title, role.of_name or role.of]
    return spaced_words("\n".join(texts))


def filter_actors(
    actors: Iterable[Actor],
    *,
    kinds: Sequence[str] = (),
    country: str | None = None,
    role: str | None = None,
    text: str | None = None,
) -> list[Actor]:
    """The actors of these kinds and country, with a role whose title holds the words of `role`, matching `text`.

    `role` and `text` are read as searches are (whole words, case- and accent-blind, OR, -word, prefix*);
    `--role president` finds every actor who held a role titled with the word `president`.
    """
    role_groups = parse_search(role) if role else []
    text_groups = parse_search(text) if text else []
    code = country.upper() if country else None
    found = []
    for actor in actors:
        if kinds and actor.kind not in kinds:
            continue
        if code is not None and actor.country != code:
            continue
        if role and not any(_groups_match(role_groups, spaced_words(r.title)) for r in actor.roles):
            continue
        if text_groups and not _groups_match(text_groups, actor_text(actor)):
            continue
        found.append(actor)
    return found


def _groups_match(groups: Sequence[Sequence[Term]], text: str) -> bool:
    """True when spaced words satisfy any alternative of a parsed search."""
    return any(all(term.matches(text) != term.negated for term in group) for group in groups)
