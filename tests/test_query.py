"""Tests of filters, sorting and limits on the small fixture dataset."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relations_cli.dataset import load
from relations_cli.model import CATEGORIES, KINDS, Aid, Dataset, Event
from relations_cli.query import (
    _CE_STEMS,
    _LL_STEMS,
    _MAY_DIFFER_PATTERN,
    _OUR_STEMS,
    _RE_STEMS,
    _UNDO_RULES,
    _WHOLE_WORDS,
    SORT_FIELDS,
    Query,
    QueryError,
    drop_possessives,
    fold,
    may_differ,
    may_undo,
    parse_search,
    run,
    search_matches,
)
from tests.conftest import SMALL


def ids(dataset: Dataset, **options: object) -> list[str]:
    """Ids of the records a query returns, in order."""
    return [r.id for r in run(dataset.records(), Query(**options))]  # type: ignore[arg-type]


def test_fold_ignores_case_and_diacritics() -> None:
    """Folding makes Azerbaijani and accented spellings equal to plain ones."""
    assert fold("Heydər ƏLİYEV") == fold("heydar aliyev")
    assert fold("Muzaffarabad") == "muzaffarabad"


def test_year_matches_every_year_an_interval_touches(small: Dataset) -> None:
    """A grant dated 1992/1993 shows for both years; an open interval up to its last report (2017)."""
    assert ids(small, years=(1992,)) == ["grant-early", "ties"]
    assert ids(small, years=(1993,)) == ["grant-early", "training-since"]
    assert "training-since" in ids(small, years=(2017,))
    assert "training-since" not in ids(small, years=(2018,)) + ids(small, years=(2040,))


def test_repeated_years_are_alternatives(small: Dataset) -> None:
    """Two --year values return records of either year."""
    assert ids(small, years=(2010, 2011), kinds=("aid",)) == ["flood-2010", "euro-gift"]


def test_range_is_inclusive_and_skips_undated(small: Dataset) -> None:
    """--from/--to include both ends; undated records never match a year filter."""
    found = ids(small, date_from=date(2010, 1, 1), date_to=date(2015, 12, 31))
    assert found == ["training-since", "flood-2010", "euro-gift", "declaration-2015"]
    assert "covid-aid" not in ids(small, date_from=date(1, 1, 1))


def test_filters_combine_with_and(small: Dataset) -> None:
    """Different filters must all hold."""
    assert ids(small, kinds=("aid",), donor="azerbaijan", years=(2010,)) == ["flood-2010"]
    assert ids(small, kinds=("aid",), donor="pakistan", years=(2010,)) == []


def test_category_values_are_alternatives(small: Dataset) -> None:
    """Repeated categories return records of any of them."""
    assert ids(small, categories=("visit", "summit")) == ["visit-heydar", "summit-online"]


def test_actor_and_text_are_accent_blind(small: Dataset) -> None:
    """Actors and text match whatever the case or diacritics, aliases included."""
    assert ids(small, actor="HEYDAR") == ["visit-heydar"]
    assert ids(small, text="əliyev") == ["visit-heydar"]
    assert ids(small, text="heydər visits") == ["visit-heydar"]


def test_source_filter(small: Dataset) -> None:
    """--source keeps records citing that source."""
    assert ids(small, source="beta") == ["ties", "covid-aid", "many-agreements", "summit-online"]


def test_sort_descending_keeps_undated_last(small: Dataset) -> None:
    """-date sorts newest first and undated records still come last."""
    found = ids(small, kinds=("aid",), sort="-date")
    assert found == ["euro-gift", "flood-2010", "grant-early", "covid-aid"]


def test_sort_by_amount_puts_missing_last(small: Dataset) -> None:
    """Sorting by amount is numeric, equal amounts keep date order, and records without one come last."""
    assert ids(small, kinds=("aid",), sort="amount") == ["euro-gift", "grant-early", "flood-2010", "covid-aid"]
    assert ids(small, kinds=("aid",), sort="-amount") == ["grant-early", "flood-2010", "euro-gift", "covid-aid"]


def test_limit(small: Dataset) -> None:
    """--limit keeps the first N after sorting."""
    assert ids(small, limit=2) == ["grant-early", "ties"]
    assert ids(small, limit=0) == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"date_from": date(2000, 1, 1), "date_to": date(1990, 12, 31)}, "--from 2000 is after --to 1990"),
        ({"date_from": date(2015, 3, 1), "date_to": date(2015, 2, 28)}, "--from 2015-03 is after --to 2015-02"),
        ({"types": ("memo",)}, "unknown agreement type 'memo'; did you mean 'memorandum'?"),
        ({"limit": -1}, "--limit must be 0 or more"),
        ({"sort": "-colour"}, "unknown sort field 'colour'"),
        ({"sort": "dat"}, "did you mean 'date'"),
    ],
)
def test_bad_queries_say_why(small: Dataset, options: dict[str, object], message: str) -> None:
    """Contradictory or out-of-range options raise QueryError with a one-line reason."""
    with pytest.raises(QueryError, match=message):
        run(small.records(), Query(**options))  # type: ignore[arg-type]


DATASET = load(SMALL)
ALL_CATEGORIES = sorted({c for k in KINDS for c in CATEGORIES[k]})


@settings(max_examples=200, deadline=None)
@given(
    years=st.lists(st.integers(1900, 2030), max_size=3),
    low=st.none() | st.integers(1900, 2030),
    high=st.none() | st.integers(1900, 2030),
    categories=st.lists(st.sampled_from(ALL_CATEGORIES), max_size=2),
    actor=st.none() | st.sampled_from(["pakistan", "AZERBAIJAN", "heydər", "nobody"]),
    text=st.none() | st.text(max_size=6),
    kinds=st.lists(st.sampled_from(KINDS), min_size=1, unique=True),
    sort=st.sampled_from([*SORT_FIELDS, *(f"-{f}" for f in SORT_FIELDS)]),
)
def test_every_returned_record_satisfies_the_filters(
    years: list[int],
    low: int | None,
    high: int | None,
    categories: list[str],
    actor: str | None,
    text: str | None,
    kinds: list[str],
    sort: str,
) -> None:
    """Property: whatever the options, each returned record meets every filter, and none is lost."""
    query = Query(
        kinds=tuple(kinds),
        years=tuple(years),
        date_from=None if low is None else date(low, 1, 1),
        date_to=None if high is None else date(high, 12, 31),
        categories=tuple(categories),
        actor=actor,
        text=text,
        sort=sort,
    )
    nothing_to_find = bool(text and text.strip() and not parse_search(text))
    if (low is not None and high is not None and low > high) or nothing_to_find:
        with pytest.raises(QueryError):
            run(DATASET.records(), query)
        return
    found = run(DATASET.records(), query)
    for record in found:
        assert record.kind in kinds
        if years:
            assert record.date and any(record.date.first.year <= y <= record.date.last.year for y in years)
        if low is not None:
            assert record.date and record.date.last.year >= low
        if high is not None:
            assert record.date and record.date.first.year <= high
        if categories:
            assert record.category in categories
        if actor:
            assert not isinstance(record, Aid)
            names = " ".join((*record.names(), *record.aliases))
            assert fold(actor) in fold(names)
        if text and text.strip():  # a blank search (spaces, a carriage return) filters nothing
            assert search_matches(parse_search(text), record)
    unfiltered = Query(tuple(kinds), sort=sort)
    assert {r.id for r in found} <= {r.id for r in run(DATASET.records(), unfiltered)}
    assert len({r.id for r in found}) == len(found)


def test_events_have_actors(small: Dataset) -> None:
    """Actor filters apply to events and agreements, never to aid."""
    found = run(small.records(), Query(actor="pakistan"))
    assert found and all(isinstance(r, Event) or r.kind == "agreement" for r in found)


def test_date_bounds_compare_days_not_years(small: Dataset) -> None:
    """--from and --to bound by day: a month bound keeps a record dated inside it and drops one outside."""
    march = ids(small, date_from=date(2015, 3, 1), date_to=date(2015, 3, 31))
    assert march == ["training-since", "declaration-2015"]
    assert ids(small, date_from=date(2015, 4, 1), date_to=date(2015, 12, 31), kinds=("agreement",)) == []
    assert ids(small, date_to=date(1992, 5, 31)) == ["grant-early"]


def test_types_keep_agreements_of_those_types(small: Dataset) -> None:
    """--type keeps only agreements of any of the named types."""
    assert ids(small, types=("declaration",)) == ["declaration-2015"]
    assert ids(small, types=("declaration", "aggregate")) == ["declaration-2015", "many-agreements"]
    assert ids(small, kinds=("aid",), types=("declaration",)) == []


def test_caption_writes_bounds_as_given() -> None:
    """The caption names date bounds at the precision they were given."""
    query = Query(date_from=date(2015, 3, 1), date_to=date(2016, 12, 31), types=("memorandum",))
    assert query.describe() == ["years 2015-03–2016", "type memorandum"]
    assert Query(date_from=date(2015, 3, 2)).describe() == ["years 2015-03-02–…"]


POSSESSIVE = re.compile(r"['’]s\b", re.IGNORECASE)  # the pattern search used before: the reference
APOSTROPHE_TEXT = st.text(
    alphabet=st.sampled_from(list("'\u2019sS\u017f_ aé1.-Kk\u0130x")) | st.characters(), max_size=24
)


@settings(max_examples=3000)
@given(text=APOSTROPHE_TEXT)
def test_possessives_are_dropped_as_the_pattern_drops_them(text: str) -> None:
    """drop_possessives gives what the possessive pattern gives, for any text (long s, digits and _ included)."""
    assert drop_possessives(text) == POSSESSIVE.sub("", text)


_STEMS = [stem for group in (_RE_STEMS, _OUR_STEMS, _CE_STEMS, _LL_STEMS) for stem in group.split("|")] + [
    "program",
    "catalog",
    "dialog",
    "organis",
    "organiz",
    "analys",
    "analyz",
    *_WHOLE_WORDS,
]
_ENDINGS = ["", "e", "es", "ed", "ing", "er", "ers", "or", "ors", "our", "ourable", "ce", "se", "re", "r", "l"]
_ENDINGS += ["led", "ling", "ler", "lor", "ation", "able", "ability", "gramme", "grammes", "gram", "ogue", "og", "s"]
SPELLED = st.one_of(
    st.text(alphabet="abcdefgilmnoprstuvyzé1", min_size=1, max_size=12),
    st.builds(
        "".join, st.tuples(st.sampled_from(["", "x", "re", "un"]), st.sampled_from(_STEMS), st.sampled_from(_ENDINGS))
    ),
)


@settings(max_examples=3000)
@given(word=SPELLED)
def test_quick_spelling_tests_never_skip_a_word_a_rule_changes(word: str) -> None:
    """may_differ and may_undo are False only for words that no spelling pattern would change."""
    if word not in _WHOLE_WORDS and re.compile(_MAY_DIFFER_PATTERN).fullmatch(word):
        assert may_differ(word)
    if any(re.sub(pattern, replacement, word) != word for pattern, replacement in _UNDO_RULES):
        assert may_undo(word)
